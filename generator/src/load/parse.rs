//! Reading one file into a JSON tree: JSON by extension, YAML otherwise (which
//! also accepts JSON), keeping key order. YAML goes straight to JSON values in
//! one pass; tagged values and duplicate keys take the slower path through
//! `serde_yaml::Value`, which names what is wrong. Integers beyond `i64` load
//! as numbers (`u64`, else the nearest `f64`), never as a syntax error.

use serde_json::Value;

use crate::error::{Error, Result};

/// Parses `bytes` as the file `display` names (JSON when it ends in `.json`).
pub fn read(bytes: &[u8], display: &str) -> Result<Value> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Syntax {
        file: display.to_owned(),
        format: "UTF-8 text",
        message: e.to_string(),
    })?;
    if display.ends_with(".json") {
        return serde_json::from_str::<Value>(text).map_err(|e| Error::Syntax {
            file: display.to_owned(),
            format: "JSON",
            message: e.to_string(),
        });
    }
    match serde_yaml::from_str::<JsonValue>(text) {
        Ok(JsonValue(value)) => Ok(value),
        Err(_) => {
            let yaml: serde_yaml::Value =
                serde_yaml::from_str(text).map_err(|e| Error::Syntax {
                    file: display.to_owned(),
                    format: "YAML",
                    message: e.to_string(),
                })?;
            Ok(yaml_to_json(yaml))
        }
    }
}

/// A number that does not fit `i64`/`u64`, as the nearest `f64` (JSON has
/// one number type; serde_json without `arbitrary_precision` does the same).
fn wide(v: f64) -> Value {
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
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
    fn visit_i128<E>(self, v: i128) -> std::result::Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| wide(v as f64), Value::from))
    }
    fn visit_u128<E>(self, v: u128) -> std::result::Result<Value, E> {
        Ok(u64::try_from(v).map_or_else(|_| wide(v as f64), Value::from))
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
    use crate::load::load_bytes;

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
