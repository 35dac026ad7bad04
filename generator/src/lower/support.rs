//! What the parameters side cannot encode yet. Parameters and request
//! bodies get form/JSON encoders, decoders and validation for every type
//! they reach (`emit::params`, discriminated unions included); structs with a
//! flattened union have none, so an operation that reaches one is a clear
//! error naming the parameter or body property, never a crate that does not
//! compile.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{Error, Result};
use crate::ir::{Field, Operation, TypeDef, TypeKind};
use crate::load::Spec;

/// Fails on the first parameter or body property that reaches a type
/// parameters cannot encode.
pub fn check_params(
    spec: &Spec,
    types: &BTreeMap<String, TypeDef>,
    operations: &[Operation],
) -> Result<()> {
    for op in operations {
        let body = op.body.iter().flat_map(|b| &b.fields);
        for field in op.path_params.iter().chain(&op.query_params).chain(body) {
            if let Some(what) = unsupported(types, field) {
                return Err(Error::Unsupported {
                    at: spec.at(&field.pointer),
                    message: format!(
                        "{what} in a parameter or request body: only responses and models can use it"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// What in the types `field` reaches parameters cannot encode, if anything.
fn unsupported(types: &BTreeMap<String, TypeDef>, field: &Field) -> Option<String> {
    let mut seen = BTreeSet::new();
    let mut pending: Vec<&str> = field.ty.named();
    while let Some(name) = pending.pop() {
        if !seen.insert(name) {
            continue;
        }
        let Some(def) = types.get(name) else {
            continue;
        };
        match &def.kind {
            TypeKind::Struct(s) if !s.flattened.is_empty() => {
                return Some(format!("`{name}` (properties beside oneOf/anyOf)"));
            }
            kind => pending.extend(kind.named_uses()),
        }
    }
    None
}
