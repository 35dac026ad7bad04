//! Example values as test data. A spec's `example` and `examples` values
//! (on schemas, media types and parameters) say what the API sends; each one
//! should deserialize into the Rust type generated for its schema and
//! serialize back to an equal JSON value. [`collect`] finds them in the raw
//! document and pairs each with the type lowering gave its schema (through
//! [`SchemaUses`], recorded while lowering); [`test_file`] writes an
//! integration test for the generated crate that round-trips them all and
//! prints one line per example, which `cargo xtask corpus --examples` reads.
//!
//! Values are compared in canonical form: numbers by value (`1` equals
//! `1.0`), objects regardless of key order. Examples whose schema has no
//! standalone serde type (the properties of an inline request body, which
//! are fields of a params type) are counted as untyped, not tested.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::emit::types::{Scope, type_text_in};
use crate::ir::{Api, TypeRef};
use crate::load::Spec;
use crate::pointer::Pointer;

/// What lowering made of each schema use, keyed by the schema's pointer
/// (`#/components/schemas/Pet`, `#/paths/~1pets/get/responses/200/content/application~1json/schema`).
#[derive(Clone, Debug, Default)]
pub struct SchemaUses {
    uses: BTreeMap<String, SchemaUse>,
}

/// One lowered schema use: its type and whether `null` is a value of it.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaUse {
    pub ty: TypeRef,
    pub nullable: bool,
}

impl SchemaUses {
    /// Records the use at `at` (the first record of a pointer wins).
    pub fn record(&mut self, at: &Pointer, ty: &TypeRef, nullable: bool) {
        self.uses
            .entry(at.to_string())
            .or_insert_with(|| SchemaUse {
                ty: ty.clone(),
                nullable,
            });
    }

    pub fn get(&self, pointer: &str) -> Option<&SchemaUse> {
        self.uses.get(pointer)
    }

    pub fn len(&self) -> usize {
        self.uses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.uses.is_empty()
    }
}

/// One example paired with the Rust type it should round-trip through.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// Where the example value is (`#/components/schemas/Pet/example`).
    pub pointer: String,
    /// The Rust type, spelled from inside the crate (`crate::models::Pet`).
    pub rust_type: String,
    pub value: Value,
}

/// Every example of a spec: those with a type, and those without one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Collected {
    pub examples: Vec<Example>,
    /// Examples whose schema has no standalone serde type (fields of a
    /// params type), by pointer.
    pub untyped: Vec<String>,
}

/// Finds every example in the document and pairs it with its type.
pub fn collect(spec: &Spec, api: &Api, uses: &SchemaUses) -> Collected {
    let scope = Scope::new(api);
    let mut out = Collected::default();
    walk(spec, &spec.raw, &Pointer::root(), uses, &scope, &mut out);
    out
}

fn walk(
    spec: &Spec,
    node: &Value,
    at: &Pointer,
    uses: &SchemaUses,
    scope: &Scope,
    out: &mut Collected,
) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                let here = at.push(key);
                match key.as_str() {
                    "example" => example_at(at, &here, value, uses, scope, out),
                    // `#/components/examples` are counted where they are used.
                    "examples" if at.as_str() == "#/components" => {}
                    "examples" => examples_at(spec, at, &here, value, uses, scope, out),
                    // Extensions are data, never walked (a property may
                    // still be named `x-…`).
                    k if k.starts_with("x-") && at.last().as_deref() != Some("properties") => {}
                    _ => walk(spec, value, &here, uses, scope, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(spec, item, &at.push(i), uses, scope, out);
            }
        }
        _ => {}
    }
}

/// The schema an example at `owner` illustrates: `owner` itself when it is
/// a schema, else its `schema` (a media type or a parameter).
fn schema_use<'u>(owner: &Pointer, uses: &'u SchemaUses) -> Option<&'u SchemaUse> {
    uses.get(owner.as_str())
        .or_else(|| uses.get(owner.push("schema").as_str()))
}

fn is_schema_owner(owner: &Pointer) -> bool {
    owner.as_str().starts_with("#/components/schemas/")
        || owner
            .tokens()
            .any(|t| t == "schema" || t == "properties" || t == "items")
}

fn example_at(
    owner: &Pointer,
    at: &Pointer,
    value: &Value,
    uses: &SchemaUses,
    scope: &Scope,
    out: &mut Collected,
) {
    match schema_use(owner, uses) {
        Some(found) => match spelled(found, value, scope) {
            Some(rust_type) => out.examples.push(Example {
                pointer: at.to_string(),
                rust_type,
                value: value.clone(),
            }),
            None => out.untyped.push(at.to_string()),
        },
        // An example under something lowering never saw as a schema use:
        // the properties of an inline request body (params fields), or a
        // schema of an operation that is not lowered.
        None => out.untyped.push(at.to_string()),
    }
}

fn examples_at(
    spec: &Spec,
    owner: &Pointer,
    at: &Pointer,
    value: &Value,
    uses: &SchemaUses,
    scope: &Scope,
    out: &mut Collected,
) {
    match value {
        // `examples` of a media type or parameter: a map of Example objects
        // (or references to `#/components/examples/…`), each with a `value`.
        Value::Object(map) if !is_schema_owner(owner) || schema_use(owner, uses).is_none() => {
            for (name, example) in map {
                let example_at = at.push(name);
                let resolved = match example.get("$ref").and_then(Value::as_str) {
                    Some(reference) => Pointer::from_ref(reference)
                        .and_then(|p| spec.raw.pointer(p.json_pointer()))
                        .unwrap_or(&Value::Null),
                    None => example,
                };
                if let Some(value) = resolved.get("value") {
                    self::example_at(owner, &example_at.push("value"), value, uses, scope, out);
                }
            }
        }
        // `examples` of a schema (JSON Schema's array of values).
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                example_at(owner, &at.push(i), item, uses, scope, out);
            }
        }
        _ => {}
    }
}

/// The Rust type an example goes through, if the schema has a serde type.
fn spelled(found: &SchemaUse, value: &Value, scope: &Scope) -> Option<String> {
    if found.ty.named().iter().any(|name| scope.in_params(name)) {
        return None;
    }
    let ty = if found.nullable || value.is_null() {
        TypeRef::Option(Box::new(found.ty.clone()))
    } else {
        found.ty.clone()
    };
    Some(type_text_in(&ty, scope))
}

/// The integration test that round-trips `collected` through the types of
/// the crate named `krate` (its Rust name, `my_api`). The values live in a
/// JSON file beside it, `examples.json`, written from [`values_file`].
pub fn test_file(collected: &Collected, krate: &str) -> String {
    let mut out = String::new();
    out.push_str(
        "//! Every example of the spec round-trips through its generated type.\n\
         //! Written by apigen for `cargo xtask corpus --examples`; prints one\n\
         //! `example ok|fail <pointer>` line per example.\n\n",
    );
    out.push_str(ROUND_TRIP_HELPERS);
    out.push_str("\n#[rustfmt::skip]\nconst CASES: &[(&str, Check)] = &[\n");
    for example in &collected.examples {
        let ty = example.rust_type.replace("crate::", &format!("{krate}::"));
        out.push_str(&format!(
            "    ({}, round_trip::<{ty}>),\n",
            crate::emit::text::string_literal(&example.pointer)
        ));
    }
    out.push_str("];\n");
    out
}

/// The example values, keyed by pointer, for [`test_file`]'s test to read.
pub fn values_file(collected: &Collected) -> String {
    let map: serde_json::Map<String, Value> = collected
        .examples
        .iter()
        .map(|e| (e.pointer.clone(), e.value.clone()))
        .collect();
    serde_json::to_string_pretty(&Value::Object(map)).expect("JSON values serialize")
}

const ROUND_TRIP_HELPERS: &str = r#"use serde_json::Value;

type Check = fn(&Value) -> Result<(), String>;

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> Result<(), String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| format!("deserialize: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| format!("serialize: {e}"))?;
    if same(value, &back) {
        Ok(())
    } else {
        Err(format!("came back as {back}"))
    }
}

/// Equal JSON values, numbers compared by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y || matches!((x.as_f64(), y.as_f64()), (Some(x), Some(y)) if x == y)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn examples_round_trip() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/examples.json");
    let text = std::fs::read_to_string(path).expect("tests/examples.json");
    let values: serde_json::Map<String, Value> = serde_json::from_str(&text).expect("JSON");
    let mut failed = 0;
    for (pointer, check) in CASES {
        let value = &values[*pointer];
        match check(value) {
            Ok(()) => println!("example ok {pointer}"),
            Err(e) => {
                failed += 1;
                println!("example fail {pointer}: {}", e.replace('\n', " "));
            }
        }
    }
    println!("examples: {} passed, {failed} failed", CASES.len() - failed);
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
              examples:
                two: {value: [{id: 1}, {id: 2, tag: null}]}
                shared: {$ref: "#/components/examples/OnePet"}
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {type: string, example: Rex}
      responses:
        "200": {description: ok}
components:
  examples:
    OnePet: {value: [{id: 3}]}
  schemas:
    Pet:
      type: object
      required: [id]
      properties:
        id: {type: integer, example: 7}
        tag: {type: string, nullable: true, example: null}
      example: {id: 1, tag: "good"}
"##;

    #[test]
    fn examples_pair_with_the_types_of_their_schemas() {
        let spec = crate::load::load_bytes(SPEC.as_bytes(), "t.yaml").expect("loads");
        let (api, uses) = crate::lower::lower_with_uses(&spec).expect("lowers");
        let got = collect(&spec, &api, &uses);
        let pairs: Vec<(&str, &str)> = got
            .examples
            .iter()
            .map(|e| (e.pointer.as_str(), e.rust_type.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                (
                    "#/paths/~1pets/get/responses/200/content/application~1json/examples/two/value",
                    "::std::vec::Vec<crate::models::Pet>"
                ),
                (
                    "#/paths/~1pets/get/responses/200/content/application~1json/examples/shared/value",
                    "::std::vec::Vec<crate::models::Pet>"
                ),
                (
                    "#/paths/~1pets/post/requestBody/content/application~1json/schema/properties/name/example",
                    "::std::string::String"
                ),
                ("#/components/schemas/Pet/properties/id/example", "i64"),
                (
                    "#/components/schemas/Pet/properties/tag/example",
                    "::std::option::Option<::std::string::String>"
                ),
                ("#/components/schemas/Pet/example", "crate::models::Pet"),
            ]
        );
        assert_eq!(got.examples[1].value, serde_json::json!([{"id": 3}]));
        // `#/components/examples` count where they are used, not on their own.
        assert!(got.untyped.is_empty(), "{:?}", got.untyped);
        let test = test_file(&got, "my_api");
        assert!(test.contains("round_trip::<::std::vec::Vec<my_api::models::Pet>>"));
        let values: Value = serde_json::from_str(&values_file(&got)).expect("JSON");
        assert_eq!(values["#/components/schemas/Pet/example"]["tag"], "good");
    }
}
