//! Repairs of small flaws that published specs often have and whose meaning
//! is clear. Each repair is a [`Warning`] naming the file, the pointer, what
//! is wrong and what the loader did; anything ambiguous is left for the
//! later stages to refuse. The repairs:
//!
//! - a string `default` on an `integer`/`number` schema: a string that reads
//!   as a number of that type becomes that number; any other is dropped;
//! - an `integer` schema's `minimum`/`maximum` beyond every `i64` value on
//!   the side it bounds (`maximum: 18446744073709551616`) bounds nothing an
//!   `i64` can hold: dropped;
//! - a duplicated `operationId`: the later ones (in document order) get the
//!   first free suffix `_2`, `_3`...;
//! - a `description` at the root of the document (OpenAPI has it in `info`): ignored;
//! - a path parameter on a path whose template has no such `{variable}`: ignored;
//! - a response given as a `$ref` to a request body component (both are a
//!   `description` and a `content` map): the request body is copied into
//!   `#/components/responses` and the `$ref` points there;
//! - a security requirement naming a scheme that `securitySchemes` does not
//!   define: that alternative is dropped (when none is left, the operation's
//!   `security` goes, so the document's default applies).

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use super::walk::{self, Kind, Obj};
use super::{Origin, Warning, locate};
use crate::pointer::Pointer;

/// One change to make, found before any is made.
enum Fix {
    Set(Pointer, Value),
    Remove(Pointer),
    /// Remove the item at this index of the array at the pointer.
    RemoveItem(Pointer, usize),
}

/// Repairs `raw` in place and says what was repaired.
pub fn repair(raw: &mut Value, file: &str, origins: &[Origin]) -> Vec<Warning> {
    let mut found: Vec<(Pointer, String, String, Fix)> = Vec::new();
    schemas(raw, &mut found);
    operation_ids(raw, &mut found);
    if raw.get("description").is_some() {
        found.push((
            Pointer::root().push("description"),
            "`description` at the root of the document (OpenAPI puts it in `info`)".to_owned(),
            "ignored".to_owned(),
            Fix::Remove(Pointer::root().push("description")),
        ));
    }
    path_parameters(raw, &mut found);
    response_refs(raw, &mut found);
    undefined_schemes(raw, &mut found);
    let mut warnings = Vec::with_capacity(found.len());
    let mut removals = Vec::new();
    let mut seen = HashSet::new();
    for (at, message, repair, fix) in found {
        match fix {
            Fix::Set(pointer, value) => set(raw, &pointer, value),
            Fix::Remove(pointer) => {
                let parent = parent(&pointer);
                if let (Some(key), Some(Value::Object(map))) =
                    (pointer.last(), raw.pointer_mut(parent.json_pointer()))
                {
                    map.shift_remove(&key);
                }
            }
            Fix::RemoveItem(pointer, index) => removals.push((pointer, index)),
        }
        let warning = Warning {
            at: locate(origins, file, &at),
            message,
            repair,
        };
        // A piece of another file copied into many places is one flaw.
        if seen.insert(warning.clone()) {
            warnings.push(warning);
        }
    }
    // Items go from the back of each array, so the other indexes stay valid.
    removals.sort();
    for (pointer, index) in removals.into_iter().rev() {
        if let Some(Value::Array(items)) = raw.pointer_mut(pointer.json_pointer())
            && index < items.len()
        {
            items.remove(index);
        }
    }
    warnings
}

/// Sets the node at `pointer`, creating it (and any missing objects above
/// it) when absent.
fn set(raw: &mut Value, pointer: &Pointer, value: Value) {
    let mut node = raw;
    for token in pointer.tokens() {
        let next = match node {
            Value::Object(map) => map
                .entry(token)
                .or_insert_with(|| Value::Object(serde_json::Map::new())),
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get_mut(i))
            {
                Some(item) => item,
                None => return,
            },
            _ => return,
        };
        node = next;
    }
    *node = value;
}

fn parent(pointer: &Pointer) -> Pointer {
    let tokens: Vec<String> = pointer.tokens().collect();
    tokens[..tokens.len().saturating_sub(1)]
        .iter()
        .fold(Pointer::root(), |p, t| p.push(t))
}

/// String defaults and out-of-range bounds of numeric schemas.
fn schemas(raw: &Value, found: &mut Vec<(Pointer, String, String, Fix)>) {
    walk::visit(raw, Kind::ROOT, &mut Vec::new(), &mut |map, kind, path| {
        if kind != Kind::Obj(Obj::Schema) || map.contains_key("$ref") {
            return;
        }
        let ty = match map.get("type").and_then(Value::as_str) {
            Some(ty @ ("integer" | "number")) => ty,
            _ => return,
        };
        let at = || walk::pointer(path);
        if let Some(Value::String(text)) = map.get("default") {
            let parsed = match ty {
                "integer" => text
                    .trim()
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| text.trim().parse::<u64>().map(Value::from))
                    .ok(),
                _ => text
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number),
            };
            let pointer = at().push("default");
            let message = format!("`default` is the string {text:?} but the type is `{ty}`");
            found.push(match parsed {
                Some(number) => (
                    pointer.clone(),
                    message,
                    format!("read as the number {number}"),
                    Fix::Set(pointer, number),
                ),
                None => (
                    pointer.clone(),
                    message,
                    "default dropped".to_owned(),
                    Fix::Remove(pointer),
                ),
            });
        }
        if ty == "integer" {
            // In the schema's own key order.
            for (key, value) in map {
                let vacuous: fn(f64) -> bool = match key.as_str() {
                    "maximum" => |n| n >= i64::MAX as f64,
                    "minimum" => |n| n <= i64::MIN as f64,
                    _ => continue,
                };
                let Value::Number(n) = value else {
                    continue;
                };
                if n.is_i64() {
                    continue;
                }
                let beyond = n
                    .as_u64()
                    .map_or_else(|| n.as_f64().is_some_and(vacuous), |_| key == "maximum");
                if beyond {
                    let pointer = at().push(key);
                    found.push((
                        pointer.clone(),
                        format!("`{key}: {n}` of an integer schema is beyond every 64-bit signed integer"),
                        "dropped: it bounds nothing an i64 can hold".to_owned(),
                        Fix::Remove(pointer),
                    ));
                }
            }
        }
    });
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation object of `paths`, in document order, with its pointer.
fn operations(raw: &Value) -> Vec<(Pointer, &serde_json::Map<String, Value>)> {
    let mut out = Vec::new();
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths.iter().filter(|(k, _)| !k.starts_with("x-")) {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            if let (true, Some(op)) = (METHODS.contains(&method.as_str()), op.as_object()) {
                out.push((Pointer::root().push("paths").push(path).push(method), op));
            }
        }
    }
    out
}

/// Later duplicates of an `operationId` get the first free `_N` suffix.
fn operation_ids(raw: &Value, found: &mut Vec<(Pointer, String, String, Fix)>) {
    let ops = operations(raw);
    let ids = |op: &serde_json::Map<String, Value>| {
        op.get("operationId")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut taken: BTreeSet<String> = ops.iter().filter_map(|(_, op)| ids(op)).collect();
    let mut seen = HashSet::new();
    for (at, op) in &ops {
        let Some(id) = ids(op) else {
            continue;
        };
        if seen.insert(id.clone()) {
            continue;
        }
        let renamed = (2..)
            .map(|n| format!("{id}_{n}"))
            .find(|c| !taken.contains(c))
            .expect("some suffix is free");
        taken.insert(renamed.clone());
        let pointer = at.push("operationId");
        found.push((
            pointer.clone(),
            format!("operationId `{id}` is used by an earlier operation too"),
            format!("renamed `{renamed}`"),
            Fix::Set(pointer, Value::String(renamed)),
        ));
    }
}

/// Responses given as a `$ref` to `#/components/requestBodies/X`: X is
/// copied to `#/components/responses/X` (or `X_response` when taken), once,
/// and the `$ref`s point at the copy.
fn response_refs(raw: &Value, found: &mut Vec<(Pointer, String, String, Fix)>) {
    const PREFIX: &str = "#/components/requestBodies/";
    let taken: HashSet<String> = raw
        .pointer("/components/responses")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut copied: std::collections::BTreeMap<String, String> = Default::default();
    for (at, op) in operations(raw) {
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            continue;
        };
        for (status, response) in responses {
            let Some(target) = response.get("$ref").and_then(Value::as_str) else {
                continue;
            };
            let Some(key) = target.strip_prefix(PREFIX) else {
                continue;
            };
            let Some(body) = raw.pointer(&target[1..]).and_then(Value::as_object) else {
                continue;
            };
            let name = match copied.get(key) {
                Some(name) => name.clone(),
                None => {
                    let unescaped = key.replace("~1", "/").replace("~0", "~");
                    let name = if taken.contains(&unescaped) {
                        format!("{unescaped}_response")
                    } else {
                        unescaped
                    };
                    let mut response = serde_json::Map::new();
                    response.insert(
                        "description".to_owned(),
                        body.get("description")
                            .cloned()
                            .unwrap_or_else(|| Value::String(String::new())),
                    );
                    if let Some(content) = body.get("content") {
                        response.insert("content".to_owned(), content.clone());
                    }
                    let copy_at = Pointer::root()
                        .push("components")
                        .push("responses")
                        .push(&name);
                    found.push((
                        copy_at.clone(),
                        format!("`{target}` is a request body used as a response"),
                        format!("copied to {copy_at}"),
                        Fix::Set(copy_at, Value::Object(response)),
                    ));
                    copied.insert(key.to_owned(), name.clone());
                    name
                }
            };
            let pointer = at.push("responses").push(status).push("$ref");
            let new = Pointer::root()
                .push("components")
                .push("responses")
                .push(&name);
            found.push((
                pointer.clone(),
                format!("response `$ref` to the request body `{target}`"),
                format!("points at {new}"),
                Fix::Set(pointer, Value::String(new.to_string())),
            ));
        }
    }
}

/// Security requirements that name a scheme no `securitySchemes` entry defines.
fn undefined_schemes(raw: &Value, found: &mut Vec<(Pointer, String, String, Fix)>) {
    let defined: HashSet<String> = raw
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let mut lists: Vec<(Pointer, &Vec<Value>, bool)> = Vec::new();
    if let Some(list) = raw.get("security").and_then(Value::as_array) {
        lists.push((Pointer::root().push("security"), list, false));
    }
    for (at, op) in operations(raw) {
        if let Some(list) = op.get("security").and_then(Value::as_array) {
            lists.push((at.push("security"), list, true));
        }
    }
    for (at, list, in_operation) in lists {
        let bad: Vec<(usize, String)> = list
            .iter()
            .enumerate()
            .filter_map(|(i, requirement)| {
                let unknown = requirement
                    .as_object()?
                    .keys()
                    .find(|k| !defined.contains(*k))?;
                Some((i, unknown.clone()))
            })
            .collect();
        if bad.is_empty() {
            continue;
        }
        if bad.len() == list.len() && in_operation {
            let (_, key) = &bad[0];
            found.push((
                at.push(0).push(key),
                format!("security scheme `{key}` is not defined in #/components/securitySchemes"),
                "the operation's `security` is ignored (the document's default applies)".to_owned(),
                Fix::Remove(at.clone()),
            ));
            continue;
        }
        for (i, key) in bad.into_iter().rev() {
            found.push((
                at.push(i).push(&key),
                format!("security scheme `{key}` is not defined in #/components/securitySchemes"),
                "this alternative is dropped".to_owned(),
                Fix::RemoveItem(at.clone(), i),
            ));
        }
    }
}

/// Path parameters named by no `{variable}` of their path's template.
fn path_parameters(raw: &Value, found: &mut Vec<(Pointer, String, String, Fix)>) {
    let Some(paths) = raw.get("paths").and_then(Value::as_object) else {
        return;
    };
    for (path, item) in paths.iter().filter(|(k, _)| !k.starts_with("x-")) {
        let variables: HashSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        let item_at = Pointer::root().push("paths").push(path);
        let mut lists = vec![(item_at.push("parameters"), item.get("parameters"))];
        if let Some(item) = item.as_object() {
            for (method, op) in item {
                if METHODS.contains(&method.as_str()) {
                    lists.push((
                        item_at.push(method).push("parameters"),
                        op.get("parameters"),
                    ));
                }
            }
        }
        for (list_at, list) in lists {
            let Some(list) = list.and_then(Value::as_array) else {
                continue;
            };
            for (i, param) in list.iter().enumerate() {
                // A local `$ref` names the parameter it stands for.
                let resolved = match param.get("$ref").and_then(Value::as_str) {
                    Some(target) => {
                        Pointer::from_ref(target).and_then(|p| raw.pointer(p.json_pointer()))
                    }
                    None => Some(param),
                };
                let Some(resolved) = resolved else { continue };
                let (Some("path"), Some(name)) = (
                    resolved.get("in").and_then(Value::as_str),
                    resolved.get("name").and_then(Value::as_str),
                ) else {
                    continue;
                };
                if !variables.contains(name) {
                    found.push((
                        list_at.push(i),
                        format!(
                            "path parameter `{name}` is not a `{{{name}}}` of the path `{path}`"
                        ),
                        "ignored".to_owned(),
                        Fix::RemoveItem(list_at.clone(), i),
                    ));
                }
            }
        }
    }
}
