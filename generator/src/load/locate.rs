//! Finds the deepest spec node that fails to deserialize. `openapiv3` uses
//! `#[serde(flatten)]` throughout, which hides the path of an error below the
//! first flattened struct; this probes the document's known layout (paths,
//! operations, parameters, bodies, responses, schemas) piece by piece and
//! returns the JSON pointer of the smallest piece that is still invalid.

use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::pointer::Pointer;

/// The pointer and message of the deepest invalid node, if one is found.
pub fn locate(raw: &Value) -> Option<(Pointer, String)> {
    let root = Pointer::root();
    if let Some(paths) = raw.get("paths").and_then(Value::as_object) {
        for (path, item) in paths.iter().filter(|(k, _)| !k.starts_with("x-")) {
            let at = root.push("paths").push(path);
            if let Some(found) = path_item(item, &at) {
                return Some(found);
            }
        }
    }
    if let Some(components) = raw.get("components").and_then(Value::as_object) {
        for (kind, entries) in components {
            let Some(entries) = entries.as_object() else {
                continue;
            };
            for (key, value) in entries {
                let at = root.push("components").push(kind).push(key);
                let found = match kind.as_str() {
                    "schemas" => schema(value, &at),
                    "parameters" => parameter(value, &at),
                    "requestBodies" => request_body(value, &at),
                    "responses" => response(value, &at),
                    _ => None,
                };
                if found.is_some() {
                    return found;
                }
            }
        }
    }
    None
}

/// The error of deserializing `value` as `T`, with the path serde could follow.
fn probe<T: DeserializeOwned>(value: &Value, at: &Pointer) -> Option<(Pointer, String)> {
    serde_path_to_error::deserialize::<_, T>(value.clone())
        .err()
        .map(|e| {
            let at = e
                .path()
                .iter()
                .fold(at.clone(), |p, segment| match segment {
                    serde_path_to_error::Segment::Seq { index } => p.push(index),
                    serde_path_to_error::Segment::Map { key } => p.push(key),
                    serde_path_to_error::Segment::Enum { .. }
                    | serde_path_to_error::Segment::Unknown => p,
                });
            (at, e.into_inner().to_string())
        })
}

/// Probes `value` as `T`; when it fails, the first failing child found by
/// `children` wins, else `value` itself is the culprit.
fn descend<T: DeserializeOwned>(
    value: &Value,
    at: &Pointer,
    children: impl FnOnce() -> Option<(Pointer, String)>,
) -> Option<(Pointer, String)> {
    let own = probe::<T>(value, at)?;
    children().or(Some(own))
}

fn each<'v>(value: &'v Value, key: &str) -> impl Iterator<Item = (String, &'v Value)> {
    let child = value.get(key);
    let from_map = child
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v));
    let from_seq = child
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, v)| (i.to_string(), v));
    from_map.chain(from_seq)
}

fn path_item(value: &Value, at: &Pointer) -> Option<(Pointer, String)> {
    descend::<ReferenceOr<PathItem>>(value, at, || {
        for method in [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ] {
            if let Some(op) = value.get(method)
                && let Some(found) = operation(op, &at.push(method))
            {
                return Some(found);
            }
        }
        each(value, "parameters").find_map(|(i, p)| parameter(p, &at.push("parameters").push(i)))
    })
}

fn operation(value: &Value, at: &Pointer) -> Option<(Pointer, String)> {
    descend::<Operation>(value, at, || {
        each(value, "parameters")
            .find_map(|(i, p)| parameter(p, &at.push("parameters").push(i)))
            .or_else(|| {
                value
                    .get("requestBody")
                    .and_then(|b| request_body(b, &at.push("requestBody")))
            })
            .or_else(|| {
                each(value, "responses")
                    .find_map(|(code, r)| response(r, &at.push("responses").push(code)))
            })
    })
}

fn parameter(value: &Value, at: &Pointer) -> Option<(Pointer, String)> {
    descend::<ReferenceOr<Parameter>>(value, at, || {
        value
            .get("schema")
            .and_then(|s| schema(s, &at.push("schema")))
    })
}

fn request_body(value: &Value, at: &Pointer) -> Option<(Pointer, String)> {
    descend::<ReferenceOr<RequestBody>>(value, at, || content(value, at))
}

fn response(value: &Value, at: &Pointer) -> Option<(Pointer, String)> {
    descend::<ReferenceOr<Response>>(value, at, || content(value, at))
}

fn content(value: &Value, at: &Pointer) -> Option<(Pointer, String)> {
    each(value, "content").find_map(|(media_type, media)| {
        let at = at.push("content").push(media_type);
        media
            .get("schema")
            .and_then(|s| schema(s, &at.push("schema")))
    })
}

fn schema(value: &Value, at: &Pointer) -> Option<(Pointer, String)> {
    descend::<ReferenceOr<Schema>>(value, at, || {
        ["properties"]
            .iter()
            .flat_map(|key| each(value, key).map(move |(k, v)| (at.push(key).push(k), v)))
            .chain(
                ["anyOf", "oneOf", "allOf"]
                    .iter()
                    .flat_map(|key| each(value, key).map(move |(i, v)| (at.push(key).push(i), v))),
            )
            .chain(
                ["items", "additionalProperties", "not"]
                    .iter()
                    .filter_map(|key| value.get(*key).map(|v| (at.push(key), v))),
            )
            .filter(|(_, v)| v.is_object())
            .find_map(|(at, v)| schema(v, &at))
    })
}
