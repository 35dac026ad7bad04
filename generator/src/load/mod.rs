//! Stage 1 of the pipeline: read a spec file (YAML or JSON), check that it is
//! OpenAPI 3.0.x, check that every `$ref` resolves, and deserialize it into
//! `openapiv3::OpenAPI`. The raw JSON tree is kept beside the typed document so
//! later stages can resolve references and report JSON pointers.

mod locate;
pub mod v31;

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Location, Result};
use crate::pointer::Pointer;

/// A loaded, reference-checked OpenAPI 3.0 document.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file as the user named it; used in messages and `@generated` headers.
    pub file: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The document as a JSON tree (YAML is converted; map keys become strings).
    pub raw: Value,
    /// The typed document.
    pub api: openapiv3::OpenAPI,
}

impl Spec {
    /// A location in this spec.
    pub fn at(&self, pointer: &Pointer) -> Location {
        Location {
            file: self.file.clone(),
            pointer: pointer.to_string(),
        }
    }
}

/// Reads and loads the spec at `path`; `display` is how messages name the file.
pub fn load_file(path: &Path, display: &str) -> Result<Spec> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        file: display.to_owned(),
        source,
    })?;
    load_bytes(&bytes, display)
}

/// Loads a spec from its bytes. JSON is expected when `display` ends in
/// `.json`; anything else is read as YAML (which also accepts JSON).
pub fn load_bytes(bytes: &[u8], display: &str) -> Result<Spec> {
    let file = display.to_owned();
    let sha256 = hex(&Sha256::digest(bytes));
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Syntax {
        file: file.clone(),
        format: "UTF-8 text",
        message: e.to_string(),
    })?;
    let raw = if display.ends_with(".json") {
        serde_json::from_str::<Value>(text).map_err(|e| Error::Syntax {
            file: file.clone(),
            format: "JSON",
            message: e.to_string(),
        })?
    } else {
        // Straight to JSON values in one pass; through `serde_yaml::Value` (which
        // also reads tagged values, and names what is wrong) when that fails.
        match serde_yaml::from_str::<JsonValue>(text) {
            Ok(JsonValue(value)) => value,
            Err(_) => {
                let yaml: serde_yaml::Value =
                    serde_yaml::from_str(text).map_err(|e| Error::Syntax {
                        file: file.clone(),
                        format: "YAML",
                        message: e.to_string(),
                    })?;
                yaml_to_json(yaml)
            }
        }
    };
    let mut raw = raw;
    if v31::is_31(&raw) {
        v31::normalize(&mut raw).map_err(|(pointer, message)| Error::Unsupported {
            at: Location {
                file: file.clone(),
                pointer: pointer.to_string(),
            },
            message,
        })?;
    }
    check_version(&raw, &file)?;
    check_refs(&raw, &raw, &Pointer::root(), &file)?;
    // The plain deserializer first: tracking the path costs a third of the
    // time, and is only needed to say where an invalid document goes wrong.
    if let Ok(api) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&raw) {
        return Ok(Spec {
            file,
            sha256,
            raw,
            api,
        });
    }
    let api = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&raw).map_err(|e| {
        // Prefer the deepest invalid node; serde loses the path below `flatten`.
        let (pointer, message) = locate::locate(&raw)
            .unwrap_or_else(|| (path_to_pointer(e.path()), e.into_inner().to_string()));
        Error::Invalid {
            at: Location {
                file: file.clone(),
                pointer: pointer.to_string(),
            },
            message,
        }
    })?;
    Ok(Spec {
        file,
        sha256,
        raw,
        api,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_version(raw: &Value, file: &str) -> Result<()> {
    let at = || Location {
        file: file.to_owned(),
        pointer: "#/openapi".to_owned(),
    };
    if !raw.is_object() {
        return Err(Error::Version {
            at: Location {
                file: file.to_owned(),
                pointer: "#".to_owned(),
            },
            message: "the document is not a mapping".to_owned(),
        });
    }
    match raw.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.0.") => Ok(()),
        Some(Value::String(v)) => Err(Error::Version {
            at: at(),
            message: format!("`openapi` is \"{v}\"; only 3.0.x and 3.1.x are supported"),
        }),
        Some(other) => Err(Error::Version {
            at: at(),
            message: format!("`openapi` must be a string such as \"3.0.3\", found {other}"),
        }),
        None if raw.get("swagger").is_some() => Err(Error::Version {
            at: Location {
                file: file.to_owned(),
                pointer: "#/swagger".to_owned(),
            },
            message: "this is a Swagger 2.0 document; convert it to OpenAPI 3.0 first".to_owned(),
        }),
        None => Err(Error::Version {
            at: at(),
            message: "the `openapi` field is missing".to_owned(),
        }),
    }
}

/// Walks the whole tree and checks that every `$ref` is local and resolves.
fn check_refs(root: &Value, node: &Value, at: &Pointer, file: &str) -> Result<()> {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                let location = || Location {
                    file: file.to_owned(),
                    pointer: at.push("$ref").to_string(),
                };
                let Some(pointer) = Pointer::from_ref(target) else {
                    return Err(Error::Unsupported {
                        at: location(),
                        message: format!(
                            "external $ref '{target}': only references inside the document (`#/...`) are supported"
                        ),
                    });
                };
                if root.pointer(pointer.json_pointer()).is_none() {
                    return Err(Error::DanglingRef {
                        at: location(),
                        target: target.clone(),
                    });
                }
            }
            for (key, value) in map {
                // An `example` is free-form data: a `$ref` key inside one is not a
                // reference. (A schema property that is called `example` is.)
                if key == "example" && !at.as_str().ends_with("/properties") {
                    continue;
                }
                check_refs(root, value, &at.push(key), file)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_refs(root, item, &at.push(i), file)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    path.iter()
        .fold(Pointer::root(), |p, segment| match segment {
            Segment::Seq { index } => p.push(index),
            Segment::Map { key } => p.push(key),
            Segment::Enum { variant } => p.push(variant),
            Segment::Unknown => p,
        })
}

/// A JSON value read straight from YAML, with non-string map keys (`200:`
/// response codes) as strings. Tagged values (`!tag x`) are refused; the
/// caller then goes through [`yaml_to_json`].
struct JsonValue(Value);

impl<'de> serde::Deserialize<'de> for JsonValue {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor).map(JsonValue)
    }
}

struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a YAML value with a JSON equivalent")
    }
    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<Value, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(JsonValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(JsonValue(key)) = map.next_key()? {
            let key = match key {
                Value::String(s) => s,
                other => other.to_string(),
            };
            let JsonValue(value) = map.next_value()?;
            if object.insert(key, value).is_some() {
                // Let the slow path name the duplicate.
                return Err(serde::de::Error::custom("duplicate key"));
            }
        }
        Ok(Value::Object(object))
    }
}

/// Converts YAML to JSON. Non-string map keys (`200:` response codes) become strings.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match yaml_to_json(k) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(text: &str) -> Value {
        yaml_to_json(serde_yaml::from_str(text).unwrap())
    }

    /// The one-pass reader gives the same JSON as going through `serde_yaml::Value`.
    #[test]
    fn fast_yaml_reading_matches_the_slow_path() {
        let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/promotion_codes.yaml");
        let text = std::fs::read_to_string(spec).unwrap();
        let small = "a:\n  200: {x: 1.5, y: ~, z: [true, -3, 18446744073709551615]}\n  1.5: b\n  true: c\n  null: d\n";
        for text in [text.as_str(), small] {
            let JsonValue(fast) = serde_yaml::from_str(text).unwrap();
            assert_eq!(fast, slow(text));
        }
    }

    /// What the one-pass reader refuses, the slow path still reads or names.
    #[test]
    fn tagged_values_and_duplicate_keys_take_the_slow_path() {
        assert!(serde_yaml::from_str::<JsonValue>("a: !tag 1\n").is_err());
        assert_eq!(slow("a: !tag 1\n"), serde_json::json!({"a": 1}));
        assert!(serde_yaml::from_str::<JsonValue>("a: 1\na: 2\n").is_err());
        let err = load_bytes(b"openapi: 3.0.3\nopenapi: 3.0.3\n", "dup.yaml").unwrap_err();
        assert!(err.to_string().contains("dup.yaml"), "{err}");
    }
}
