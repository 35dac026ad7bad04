//! Breaks cycles of types stored inline. A struct field whose type is (an
//! optional) named type in the same strongly connected component as the
//! struct itself would give an infinitely large type; such fields are boxed.
//! Union variants holding named types are boxed already; `Vec`, maps and
//! expandables store their contents on the heap.

use std::collections::BTreeMap;

use crate::ir::{TypeDef, TypeKind};

pub fn box_cycles(types: &mut BTreeMap<String, TypeDef>) {
    let names: Vec<String> = types.keys().cloned().collect();
    let index: BTreeMap<String, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i))
        .collect();
    let edges: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            let mut out: Vec<usize> = match &types[n].kind {
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .filter_map(|f| f.ty.direct_named())
                    .collect(),
                TypeKind::Alias(t) => t.direct_named().into_iter().collect(),
                TypeKind::Enum(_) | TypeKind::Union(_) | TypeKind::Tagged(_) => Vec::new(),
            }
            .into_iter()
            .filter_map(|t| index.get(t).copied())
            .collect();
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    let component = strongly_connected(&edges);
    for (i, name) in names.iter().enumerate() {
        let TypeKind::Struct(s) = &mut types.get_mut(name).expect("name from the map").kind else {
            continue;
        };
        for field in &mut s.fields {
            if let Some(target) = field.ty.direct_named().and_then(|t| index.get(t)) {
                // Same component: the target (transitively) contains this struct again.
                field.boxed = component[*target] == component[i];
            }
        }
    }
}

/// Tarjan's algorithm, iterative; returns the component id of each node.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component = vec![usize::MAX; n];
    let mut next_index = 0;
    let mut next_component = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some((v, child)) = work.pop() {
            if child == 0 {
                index[v] = next_index;
                low[v] = next_index;
                next_index += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = edges[v].get(child) {
                work.push((v, child + 1));
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component[w] = next_component;
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
        }
    }
    component
}
