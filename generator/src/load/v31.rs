//! OpenAPI 3.1 documents, read as the 3.0 documents they mean. The rest of
//! the pipeline is built on `openapiv3`'s 3.0 model, so a 3.1 document's JSON
//! tree is rewritten, before it is deserialized, into the 3.0 constructs
//! that say the same thing:
//!
//! | 3.1 (JSON Schema 2020-12) | 3.0 |
//! |---|---|
//! | `type: [T, "null"]` | `type: T`, `nullable: true` |
//! | `type: [A, B]` | `oneOf: [{type: A, …}, {type: B, …}]`, each with the keywords of its type |
//! | `anyOf`/`oneOf` with a `{type: "null"}` member | the other members, `nullable: true` |
//! | `const: v` | `enum: [v]` |
//! | `exclusiveMinimum: n` (a number) | `minimum: n`, `exclusiveMinimum: true` (same for maximum) |
//! | `examples: [a, …]` on a schema | `example: a` |
//! | `$ref` with sibling keywords | `allOf: [{$ref}]` with the siblings beside it |
//! | `$defs` | hoisted into `#/components/schemas` (`{Owner}{Key}`), references rewritten |
//! | `$anchor`, `$id` | references to them rewritten to JSON pointers |
//! | `contentEncoding: base64` / `contentMediaType` | `format: byte` / `format: binary` |
//! | `prefixItems` (tuples) | `items: oneOf` of the distinct item schemas, with `minItems`/`maxItems` |
//! | `unevaluatedProperties: false` | `additionalProperties: false` |
//! | `dependentRequired`, `dependentSchemas`, `if`/`then`/`else` | dropped, with a note naming the pointer (validation the Rust types cannot carry) |
//! | `true` / `false` schemas | `{}` / `{not: {}}` |
//! | `components.pathItems` references | the path item, inlined |
//! | no `paths` | `paths: {}` |
//!
//! `webhooks` are kept in the tree as they are (`openapiv3` ignores them);
//! lowering reads them from the raw document.

use serde_json::{Map, Value, json};

use crate::pointer::Pointer;

/// Something the rewrite dropped or could only approximate, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub pointer: String,
    pub message: String,
}

/// Whether the document declares `openapi: 3.1.x`.
pub fn is_31(raw: &Value) -> bool {
    raw.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|v| v.starts_with("3.1."))
}

/// Rewrites a 3.1 document in place into its 3.0 equivalent. Returns notes
/// on what could not be carried over; an error (pointer, message) for what
/// cannot be expressed at all.
pub fn normalize(raw: &mut Value) -> Result<Vec<Note>, (Pointer, String)> {
    let mut cx = Context::default();
    let Some(doc) = raw.as_object_mut() else {
        return Ok(Vec::new());
    };
    doc.insert("openapi".to_owned(), Value::String("3.0.3".to_owned()));
    doc.remove("jsonSchemaDialect");
    doc.entry("paths").or_insert_with(|| json!({}));
    if let Some(info) = doc.get_mut("info").and_then(Value::as_object_mut) {
        // `info.summary` and `license.identifier` have no 3.0 field.
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    }
    inline_path_item_refs(raw);
    // Anchors and ids first, so references to them can be rewritten.
    collect_anchors(raw, &Pointer::root(), &mut cx);
    walk_document(raw, &Pointer::root(), &mut cx)?;
    hoist_defs(raw, &mut cx);
    rewrite_refs(raw, &cx);
    Ok(cx.notes)
}

#[derive(Default)]
struct Context {
    notes: Vec<Note>,
    /// Reference target rewrites: `#anchor`, `$id` URIs and `$defs` pointers
    /// to their new `#/...` pointers.
    targets: Vec<(String, String)>,
    /// `$defs` found: (owner pointer, key, schema), hoisted after the walk.
    defs: Vec<(Pointer, String, Value)>,
}

impl Context {
    fn note(&mut self, at: &Pointer, message: impl Into<String>) {
        self.notes.push(Note {
            pointer: at.to_string(),
            message: message.into(),
        });
    }
}

/// Keys whose values are data, never walked.
fn is_data(key: &str) -> bool {
    matches!(key, "example" | "examples" | "default" | "enum" | "const") || key.starts_with("x-")
}

/// Walks the document outside schemas, normalizing each schema it meets.
fn walk_document(
    node: &mut Value,
    at: &Pointer,
    cx: &mut Context,
) -> Result<(), (Pointer, String)> {
    let Value::Object(map) = node else {
        if let Value::Array(items) = node {
            for (i, item) in items.iter_mut().enumerate() {
                walk_document(item, &at.push(i), cx)?;
            }
        }
        return Ok(());
    };
    // 3.1 allows `$ref` siblings (summary, description) on any reference
    // object; 3.0 ignores them: drop them outside schemas.
    if map.contains_key("$ref") {
        map.retain(|k, _| k == "$ref");
        return Ok(());
    }
    let in_components = at.as_str() == "#/components";
    for (key, value) in map.iter_mut() {
        let here = at.push(key);
        if key == "schema" {
            schema(value, &here, cx)?;
        } else if in_components && key == "schemas" {
            if let Value::Object(schemas) = value {
                for (name, s) in schemas.iter_mut() {
                    schema(s, &here.push(name), cx)?;
                }
            }
        } else if !is_data(key) {
            // (`examples` of a media type hold Example objects: nothing to normalize.)
            walk_document(value, &here, cx)?;
        }
    }
    Ok(())
}

const NUMBER_KEYWORDS: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const STRING_KEYWORDS: &[&str] = &["minLength", "maxLength", "pattern", "format"];
const ARRAY_KEYWORDS: &[&str] = &[
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "prefixItems",
];
const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
];

fn keywords_of(ty: &str) -> &'static [&'static str] {
    match ty {
        "integer" | "number" => NUMBER_KEYWORDS,
        "string" => STRING_KEYWORDS,
        "array" => ARRAY_KEYWORDS,
        "object" => OBJECT_KEYWORDS,
        _ => &[],
    }
}

fn value_has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => false,
    }
}

/// `{type: "null"}` (or what [`schema`] already made of it, `{nullable: true}`).
fn is_null_schema(s: &Value) -> bool {
    s.as_object()
        .is_some_and(|m| m.len() == 1 && m.get("nullable") == Some(&Value::Bool(true)))
        || s.get("type").and_then(Value::as_str) == Some("null")
        || s.get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.len() == 1 && t[0] == "null")
}

/// Normalizes one schema (and every schema inside it).
fn schema(node: &mut Value, at: &Pointer, cx: &mut Context) -> Result<(), (Pointer, String)> {
    match node {
        Value::Bool(true) => {
            *node = json!({});
            return Ok(());
        }
        Value::Bool(false) => {
            *node = json!({"not": {}});
            return Ok(());
        }
        Value::Object(_) => {}
        _ => return Ok(()),
    }
    let map = node.as_object_mut().expect("checked above");

    // Sub-schemas first.
    for key in [
        "items",
        "additionalProperties",
        "not",
        "unevaluatedProperties",
        "contains",
        "propertyNames",
    ] {
        if let Some(sub) = map.get_mut(key) {
            if matches!(key, "additionalProperties" | "unevaluatedProperties") && sub.is_boolean() {
                continue;
            }
            if key == "items" && sub == &Value::Bool(false) {
                continue;
            }
            schema(sub, &at.push(key), cx)?;
        }
    }
    for key in ["properties", "patternProperties", "dependentSchemas"] {
        if let Some(Value::Object(props)) = map.get_mut(key) {
            for (name, sub) in props.iter_mut() {
                schema(sub, &at.push(key).push(name), cx)?;
            }
        }
    }
    for key in ["allOf", "oneOf", "anyOf", "prefixItems"] {
        if let Some(Value::Array(members)) = map.get_mut(key) {
            for (i, sub) in members.iter_mut().enumerate() {
                schema(sub, &at.push(key).push(i), cx)?;
            }
        }
    }
    if let Some(Value::Object(defs)) = map.remove("$defs") {
        for (key, mut def) in defs {
            let def_at = at.push("$defs").push(&key);
            schema(&mut def, &def_at, cx)?;
            cx.defs.push((at.clone(), key, def));
        }
    }
    map.remove("$schema");
    map.remove("$comment");
    map.remove("$id");
    map.remove("$anchor");
    map.remove("$dynamicAnchor");

    // `$ref` with siblings: the siblings apply to the referenced type.
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").expect("present");
        let mut all_of = vec![json!({"$ref": reference})];
        if let Some(Value::Array(more)) = map.remove("allOf") {
            all_of.extend(more);
        }
        map.insert("allOf".to_owned(), Value::Array(all_of));
    }

    // `const` is a one-value enum.
    if let Some(value) = map.remove("const") {
        if !map.contains_key("type") {
            let ty = match &value {
                Value::String(_) => Some("string"),
                Value::Bool(_) => Some("boolean"),
                Value::Number(n) if n.is_f64() => Some("number"),
                Value::Number(_) => Some("integer"),
                _ => None,
            };
            if let Some(ty) = ty {
                map.insert("type".to_owned(), json!(ty));
            }
        }
        map.insert("enum".to_owned(), Value::Array(vec![value]));
    }

    // Numeric exclusive bounds.
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.to_owned(), n);
            map.insert(exclusive.to_owned(), Value::Bool(true));
        }
    }

    // `examples: [...]` on a schema.
    if let Some(Value::Array(examples)) = map.remove("examples")
        && !map.contains_key("example")
        && let Some(first) = examples.into_iter().next()
    {
        map.insert("example".to_owned(), first);
    }

    // Binary content.
    let encoding = map.remove("contentEncoding");
    let media = map.remove("contentMediaType");
    if !map.contains_key("format") {
        match (encoding.as_ref().and_then(Value::as_str), media) {
            (Some("base64" | "base64url"), _) => {
                map.insert("format".to_owned(), json!("byte"));
            }
            (None, Some(_)) => {
                map.insert("format".to_owned(), json!("binary"));
            }
            _ => {}
        }
    }

    // Validation the Rust types cannot carry.
    for key in [
        "dependentRequired",
        "dependentSchemas",
        "if",
        "then",
        "else",
    ] {
        if map.remove(key).is_some() {
            cx.note(
                &at.push(key),
                format!("`{key}` is not enforced by the generated types (dropped)"),
            );
        }
    }
    if let Some(unevaluated) = map.remove("unevaluatedProperties")
        && !map.contains_key("additionalProperties")
    {
        map.insert("additionalProperties".to_owned(), unevaluated);
    }
    map.remove("unevaluatedItems");

    // Tuples.
    if let Some(Value::Array(prefix)) = map.remove("prefixItems") {
        let closed = map.get("items") == Some(&Value::Bool(false));
        let mut distinct: Vec<Value> = Vec::new();
        for item in &prefix {
            if !distinct.contains(item) {
                distinct.push(item.clone());
            }
        }
        if let Some(rest) = map.remove("items").filter(|v| !v.is_boolean())
            && !distinct.contains(&rest)
        {
            distinct.push(rest);
        }
        let items = if distinct.len() == 1 {
            distinct.pop().expect("one")
        } else {
            json!({"oneOf": distinct})
        };
        map.insert("items".to_owned(), items);
        if closed {
            map.insert("maxItems".to_owned(), json!(prefix.len()));
        }
        map.entry("minItems").or_insert(json!(prefix.len()));
        cx.note(
            &at.push("prefixItems"),
            "a tuple is typed as an array of the union of its item types",
        );
    } else if map.get("items") == Some(&Value::Bool(false)) {
        map.remove("items");
        map.insert("maxItems".to_owned(), json!(0));
    }

    // A `{type: "null"}` member of a union makes the union nullable.
    for key in ["anyOf", "oneOf"] {
        let Some(Value::Array(members)) = map.get_mut(key) else {
            continue;
        };
        let before = members.len();
        members.retain(|m| !is_null_schema(m));
        if members.len() == before {
            continue;
        }
        map.insert("nullable".to_owned(), Value::Bool(true));
        let Some(Value::Array(members)) = map.get(key) else {
            continue;
        };
        if members.len() == 1 {
            let only = members[0].clone();
            map.remove(key);
            if only.get("$ref").is_some() {
                let mut all_of = vec![only];
                if let Some(Value::Array(more)) = map.remove("allOf") {
                    all_of.extend(more);
                }
                map.insert("allOf".to_owned(), Value::Array(all_of));
            } else if let Value::Object(only) = only {
                for (k, v) in only {
                    map.entry(k).or_insert(v);
                }
            }
        }
    }

    // `type` arrays.
    let types: Option<Vec<String>> = match map.get("type") {
        Some(Value::Array(types)) => Some(
            types
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
        ),
        Some(Value::String(t)) if t == "null" => Some(vec!["null".to_owned()]),
        _ => None,
    };
    if let Some(mut types) = types {
        if types.iter().any(|t| t == "null") {
            types.retain(|t| t != "null");
            map.insert("nullable".to_owned(), Value::Bool(true));
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
        }
        // `integer` and `number` together are `number`.
        if types.iter().any(|t| t == "number") {
            types.retain(|t| t != "integer");
        }
        match types.as_slice() {
            [] => {
                // Only `null`: any value that is null.
                map.remove("type");
            }
            [one] => {
                map.insert("type".to_owned(), json!(one));
            }
            many => {
                map.remove("type");
                let mut variants = Vec::new();
                for ty in many {
                    let mut variant = Map::new();
                    variant.insert("type".to_owned(), json!(ty));
                    for keyword in keywords_of(ty) {
                        if let Some(v) = map.get(*keyword) {
                            variant.insert((*keyword).to_owned(), v.clone());
                        }
                    }
                    if let Some(Value::Array(values)) = map.get("enum") {
                        let own: Vec<Value> = values
                            .iter()
                            .filter(|v| value_has_type(v, ty))
                            .cloned()
                            .collect();
                        if !own.is_empty() {
                            variant.insert("enum".to_owned(), Value::Array(own));
                        }
                    }
                    variants.push(Value::Object(variant));
                }
                for ty in many {
                    for keyword in keywords_of(ty) {
                        map.remove(*keyword);
                    }
                }
                map.remove("enum");
                if map.contains_key("oneOf") || map.contains_key("anyOf") {
                    let existing = map.remove("allOf");
                    let mut all_of = vec![json!({"oneOf": variants})];
                    if let Some(Value::Array(more)) = existing {
                        all_of.extend(more);
                    }
                    map.insert("allOf".to_owned(), Value::Array(all_of));
                } else {
                    map.insert("oneOf".to_owned(), Value::Array(variants));
                }
            }
        }
    }
    Ok(())
}

/// Finds `$anchor` and `$id` of schemas so that references to them can be
/// rewritten into JSON pointers.
fn collect_anchors(node: &Value, at: &Pointer, cx: &mut Context) {
    match node {
        Value::Object(map) => {
            if let Some(anchor) = map.get("$anchor").and_then(Value::as_str) {
                cx.targets.push((format!("#{anchor}"), at.to_string()));
            }
            if let Some(id) = map.get("$id").and_then(Value::as_str)
                && at.as_str() != "#"
            {
                cx.targets.push((id.to_owned(), at.to_string()));
            }
            for (key, value) in map {
                if !is_data(key) {
                    collect_anchors(value, &at.push(key), cx);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_anchors(item, &at.push(i), cx);
            }
        }
        _ => {}
    }
}

/// Moves the `$defs` found while walking into `#/components/schemas`, named
/// after their key (or `{Owner}{Key}` when the key is taken).
fn hoist_defs(raw: &mut Value, cx: &mut Context) {
    if cx.defs.is_empty() {
        return;
    }
    let defs = std::mem::take(&mut cx.defs);
    let schemas = raw
        .as_object_mut()
        .expect("an object")
        .entry("components")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .map(|c| c.entry("schemas").or_insert_with(|| json!({})));
    let Some(Value::Object(schemas)) = schemas else {
        return;
    };
    for (owner, key, def) in defs {
        let owner_name = owner.last().unwrap_or_default();
        let mut name = key.clone();
        if schemas.contains_key(&name) {
            name = format!("{owner_name}_{key}");
        }
        let mut n = 2;
        while schemas.contains_key(&name) {
            name = format!("{owner_name}_{key}_{n}");
            n += 1;
        }
        let new = Pointer::root()
            .push("components")
            .push("schemas")
            .push(&name);
        cx.targets
            .push((owner.push("$defs").push(&key).to_string(), new.to_string()));
        // Bare `#/$defs/x` references when the owner is the document root.
        if owner.as_str() == "#" {
            cx.targets.push((format!("#/$defs/{key}"), new.to_string()));
        }
        schemas.insert(name, def);
    }
}

/// Rewrites references whose target moved (anchors, ids, `$defs`).
fn rewrite_refs(node: &mut Value, cx: &Context) {
    if cx.targets.is_empty() {
        return;
    }
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref") {
                for (from, to) in &cx.targets {
                    if target == from {
                        *target = to.clone();
                        break;
                    }
                    // A reference into a moved schema: `…/$defs/x/properties/y`.
                    if let Some(rest) = target.strip_prefix(from.as_str())
                        && rest.starts_with('/')
                    {
                        *target = format!("{to}{rest}");
                        break;
                    }
                }
            }
            for (key, value) in map.iter_mut() {
                if !is_data(key) {
                    rewrite_refs(value, cx);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_refs(item, cx);
            }
        }
        _ => {}
    }
}

/// `paths` entries that reference `#/components/pathItems/...` get the path
/// item itself (3.0 path items cannot be components).
fn inline_path_item_refs(raw: &mut Value) {
    let items = raw
        .pointer("/components/pathItems")
        .cloned()
        .unwrap_or(Value::Null);
    let resolve = |v: &mut Value| {
        let mut hops = 0;
        while let Some(target) = v.get("$ref").and_then(Value::as_str) {
            let Some(key) = target.strip_prefix("#/components/pathItems/") else {
                break;
            };
            let key = key.replace("~1", "/").replace("~0", "~");
            let Some(item) = items.get(&key) else { break };
            *v = item.clone();
            hops += 1;
            if hops > 16 {
                break;
            }
        }
    };
    for key in ["paths", "webhooks"] {
        if let Some(Value::Object(paths)) = raw.get_mut(key) {
            for item in paths.values_mut() {
                resolve(item);
            }
        }
    }
    if let Some(Value::Object(components)) = raw.get_mut("components") {
        components.remove("pathItems");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(schemas: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}},
            "components": {"schemas": schemas}
        })
    }

    fn normalized(schemas: Value) -> (Value, Vec<Note>) {
        let mut raw = doc(schemas);
        let notes = normalize(&mut raw).expect("normalizes");
        (raw["components"]["schemas"].clone(), notes)
    }

    #[test]
    fn document_fields_become_3_0() {
        let mut raw = doc(json!({}));
        normalize(&mut raw).expect("normalizes");
        assert_eq!(raw["openapi"], "3.0.3");
        assert_eq!(raw["paths"], json!({}));
        assert!(raw["info"].get("summary").is_none());
        assert!(raw["info"]["license"].get("identifier").is_none());
    }

    #[test]
    fn type_arrays_with_null_are_nullable() {
        let (s, _) = normalized(json!({
            "A": {"type": ["string", "null"], "maxLength": 3},
            "B": {"type": ["integer", "string"], "minimum": 1, "maxLength": 2, "enum": [1, "x"]},
            "C": {"type": "string", "enum": ["a", null], "nullable": true},
        }));
        assert_eq!(
            s["A"],
            json!({"type": "string", "maxLength": 3, "nullable": true})
        );
        assert_eq!(
            s["B"],
            json!({"oneOf": [
                {"type": "integer", "minimum": 1, "enum": [1]},
                {"type": "string", "maxLength": 2, "enum": ["x"]}
            ]})
        );
        assert_eq!(s["C"]["enum"], json!(["a", null]));
    }

    #[test]
    fn keywords_of_2020_12_map_to_3_0() {
        let (s, notes) = normalized(json!({
            "K": {"const": "card"},
            "N": {"type": "number", "exclusiveMinimum": 0, "examples": [5, 6]},
            "R": {"$ref": "#/components/schemas/K", "description": "the kind"},
            "U": {"anyOf": [{"$ref": "#/components/schemas/K"}, {"type": "null"}]},
            "F": {"type": "string", "contentMediaType": "image/png"},
            "T": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": false},
            "D": {"type": "object", "dependentRequired": {"a": ["b"]}, "unevaluatedProperties": false},
        }));
        assert_eq!(s["K"], json!({"type": "string", "enum": ["card"]}));
        assert_eq!(
            s["N"],
            json!({"type": "number", "exclusiveMinimum": true, "minimum": 0, "example": 5})
        );
        assert_eq!(
            s["R"],
            json!({"description": "the kind", "allOf": [{"$ref": "#/components/schemas/K"}]})
        );
        assert_eq!(
            s["U"],
            json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/K"}]})
        );
        assert_eq!(s["F"], json!({"type": "string", "format": "binary"}));
        assert_eq!(
            s["T"],
            json!({"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "maxItems": 2, "minItems": 2})
        );
        assert_eq!(
            s["D"],
            json!({"type": "object", "additionalProperties": false})
        );
        let pointers: Vec<&str> = notes.iter().map(|n| n.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/components/schemas/T/prefixItems",
                "#/components/schemas/D/dependentRequired"
            ]
        );
    }

    #[test]
    fn defs_and_anchors_become_components() {
        let (s, _) = normalized(json!({
            "Order": {
                "type": "object",
                "properties": {
                    "line": {"$ref": "#/components/schemas/Order/$defs/Line"},
                    "money": {"$ref": "#money"}
                },
                "$defs": {"Line": {"type": "object", "properties": {"qty": {"type": "integer"}}}}
            },
            "Money": {"$anchor": "money", "type": "string"}
        }));
        assert_eq!(
            s["Order"]["properties"]["line"]["$ref"],
            "#/components/schemas/Line"
        );
        assert_eq!(
            s["Order"]["properties"]["money"]["$ref"],
            "#/components/schemas/Money"
        );
        assert_eq!(s["Line"]["properties"]["qty"]["type"], "integer");
        assert!(s["Order"].get("$defs").is_none());
        assert!(s["Money"].get("$anchor").is_none());
    }

    #[test]
    fn path_item_components_are_inlined_and_examples_untouched() {
        let mut raw = json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"$ref": "#/components/pathItems/A"}},
            "components": {
                "pathItems": {"A": {"get": {"responses": {"200": {"description": "ok"}}}}},
                "schemas": {"E": {"type": ["string", "null"], "example": {"type": ["x", "null"]}}}
            }
        });
        normalize(&mut raw).expect("normalizes");
        assert_eq!(
            raw["paths"]["/a"]["get"]["responses"]["200"]["description"],
            "ok"
        );
        assert!(raw["components"].get("pathItems").is_none());
        assert_eq!(
            raw["components"]["schemas"]["E"]["example"],
            json!({"type": ["x", "null"]})
        );
    }
}
