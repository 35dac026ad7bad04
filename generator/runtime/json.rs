//! JSON request bodies, both ways, for the operations whose request body is
//! `application/json` (`Encoding::Json`): [`JsonWriter`] writes the body
//! fields as one JSON object (values through serde, keys in field order), and
//! [`JsonDecode`] reads them back from a parsed body with the same checks and
//! parameter names as the form path (`form::FormDecode`): unknown keys,
//! missing required fields and values of the wrong JSON type are each a
//! [`ValidationError`] naming the parameter (`shipping[address][city]`).
//! Unlike a form, JSON has types: `"5"` is not an integer and `5` is not a
//! string. "Clear" (`Clearable::Clear`, `ClearableMap::Clear`, an unset key of
//! a `ClearableMap`) is `null` on this wire; the empty string, the spec's own
//! `enum: [""]`, is read as "clear" too. Emitted verbatim by the generator.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::form::{Rule, ValidationError, child};
use crate::runtime::{Clearable, ClearableMap, Expandable, Nullable, Timestamp};

/// The keys and values of a JSON object.
pub type Object = serde_json::Map<String, Value>;

// ---------------------------------------------------------------------------
// Encoding

/// Writes the fields of a JSON body, in the order they are given.
#[derive(Clone, Debug, Default)]
pub struct JsonWriter {
    out: String,
}

impl JsonWriter {
    pub fn new() -> Self {
        JsonWriter::default()
    }

    /// Adds `"key": value`, the value as serde writes it.
    pub fn field<T: serde::Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.out.push(if self.out.is_empty() { '{' } else { ',' });
        self.out.push_str(&to_json(key));
        self.out.push(':');
        self.out.push_str(&to_json(value));
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The object. Without any field it is `{}` when the operation requires a
    /// body, and otherwise the empty string: no body is sent at all.
    pub fn finish(mut self, required: bool) -> String {
        if self.out.is_empty() {
            return if required { "{}".to_owned() } else { String::new() };
        }
        self.out.push('}');
        self.out
    }
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Parameter values always serialize: their map keys are strings and no
    // impl of theirs fails (serde_json writes a non-finite number as `null`).
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

// ---------------------------------------------------------------------------
// Decoding

/// The error for a body that is not a JSON object; it names no parameter.
pub fn invalid_body(detail: &str) -> ValidationError {
    ValidationError {
        param: String::new(),
        rule: Rule::InvalidJson,
        message: format!("Invalid request body: {detail}. Send the parameters as one JSON object."),
    }
}

/// Parses a JSON request body into its object. An empty (or blank) body is
/// the empty object: nothing is set.
pub fn parse(body: &str) -> Result<Object, ValidationError> {
    if body.trim().is_empty() {
        return Ok(Object::new());
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(entries)) => Ok(entries),
        Ok(_) => Err(invalid_body("the body is JSON, but not an object")),
        Err(e) => Err(invalid_body(&format!("the body is not valid JSON ({e})"))),
    }
}

/// Parses a JSON request body that is one value of any type (an array, a
/// string …) into the entries `{key: value}`, so that the value is read like
/// a field named `key`. An empty (or blank) body is no entry.
pub fn parse_whole(body: &str, key: &str) -> Result<Object, ValidationError> {
    let mut entries = Object::new();
    if body.trim().is_empty() {
        return Ok(entries);
    }
    match serde_json::from_str::<Value>(body) {
        Ok(value) => {
            entries.insert(key.to_owned(), value);
            Ok(entries)
        }
        Err(e) => Err(ValidationError {
            param: String::new(),
            rule: Rule::InvalidJson,
            message: format!("Invalid request body: the body is not valid JSON ({e})."),
        }),
    }
}

/// A value as JSON text (a whole JSON request body).
pub fn text<T: serde::Serialize + ?Sized>(value: &T) -> String {
    to_json(value)
}

/// A value that can be read from a JSON value. `path` names it in errors.
pub trait JsonDecode: Sized {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError>;

    /// Like `decode_json`, but an open enum accepts only the values it lists:
    /// how a union first tries its variants (see `form::FormDecode`).
    fn decode_json_strict(value: &Value, path: &str) -> Result<Self, ValidationError> {
        Self::decode_json(value, path)
    }
}

fn wrong_type(path: &str, expected: &'static str) -> ValidationError {
    ValidationError::new(path, Rule::Type(expected))
}

/// The entries of an object value; another value is a type error.
pub fn object<'v>(value: &'v Value, path: &str) -> Result<&'v Object, ValidationError> {
    match value {
        Value::Object(entries) => Ok(entries),
        _ => Err(wrong_type(path, "object")),
    }
}

/// The text of a string value; another value is a type error.
pub fn string<'v>(value: &'v Value, path: &str) -> Result<&'v str, ValidationError> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(wrong_type(path, "string")),
    }
}

/// Rejects keys of an object that are not in `known` (`parameter_unknown`).
pub fn deny_unknown(entries: &Object, known: &[&str], path: &str) -> Result<(), ValidationError> {
    match entries.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(ValidationError::new(child(path, k), Rule::Unknown)),
        None => Ok(()),
    }
}

/// The tag of a discriminated union's object value: the text of its
/// `property` (a string, or the JSON text of a number or boolean); absent is
/// `Missing`, naming `path[property]`.
pub fn tag(value: &Value, property: &str, path: &str) -> Result<String, ValidationError> {
    let entries = object(value, path)?;
    let tag_path = child(path, property);
    match entries.get(property) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other @ (Value::Number(_) | Value::Bool(_))) => Ok(other.to_string()),
        Some(_) => Err(wrong_type(&tag_path, "string")),
        None => Err(ValidationError::new(tag_path, Rule::Missing)),
    }
}

/// The object without its tag entry: what a variant whose type does not
/// carry the tag property reads.
pub fn untagged(value: &Value, property: &str) -> Value {
    match value {
        Value::Object(entries) => Value::Object(entries.iter().filter(|(k, _)| *k != property).map(|(k, v)| (k.clone(), v.clone())).collect()),
        other => other.clone(),
    }
}

/// A required field: absent is `parameter_missing`.
pub fn required<T: JsonDecode>(entries: &Object, key: &str, path: &str) -> Result<T, ValidationError> {
    let path = child(path, key);
    match entries.get(key) {
        Some(value) => T::decode_json(value, &path),
        None => Err(ValidationError::new(path, Rule::Missing)),
    }
}

/// An optional field. `null` is not absence: it must fit the type (it is
/// "clear" for a clearable field and a type error for most others).
pub fn optional<T: JsonDecode>(entries: &Object, key: &str, path: &str) -> Result<Option<T>, ValidationError> {
    entries.get(key).map(|value| T::decode_json(value, &child(path, key))).transpose()
}

/// A required, nullable field: `null` is `None`.
pub fn required_nullable<T: JsonDecode>(entries: &Object, key: &str, path: &str) -> Result<Option<T>, ValidationError> {
    let path = child(path, key);
    match entries.get(key) {
        Some(value) => Option::<T>::decode_json(value, &path),
        None => Err(ValidationError::new(path, Rule::Missing)),
    }
}

/// An optional, nullable field: absent, `null` or a value.
pub fn optional_nullable<T: JsonDecode>(entries: &Object, key: &str, path: &str) -> Result<Nullable<T>, ValidationError> {
    match entries.get(key) {
        Some(value) => Nullable::<T>::decode_json(value, &child(path, key)),
        None => Ok(Nullable::Absent),
    }
}

/// The entries not in `known` (an object's `additionalProperties`), each read as `T`.
pub fn rest<T: JsonDecode>(entries: &Object, known: &[&str], path: &str) -> Result<BTreeMap<String, T>, ValidationError> {
    entries
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| Ok((k.clone(), T::decode_json(v, &child(path, k))?)))
        .collect()
}

impl JsonDecode for String {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        string(value, path).map(str::to_owned)
    }
}

/// A JSON integer that fits an `i64` (`5.0` and `"5"` are not integers).
impl JsonDecode for i64 {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        value.as_i64().ok_or_else(|| wrong_type(path, "integer"))
    }
}

impl JsonDecode for f64 {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        match value {
            Value::Number(n) => n.as_f64().filter(|n| n.is_finite()).ok_or_else(|| wrong_type(path, "number")),
            _ => Err(wrong_type(path, "number")),
        }
    }
}

impl JsonDecode for bool {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        value.as_bool().ok_or_else(|| wrong_type(path, "boolean"))
    }
}

/// Seconds since the Unix epoch, as a JSON integer.
impl JsonDecode for Timestamp {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        value.as_i64().map(Timestamp).ok_or_else(|| wrong_type(path, "timestamp"))
    }
}

/// Free-form JSON: any value.
impl JsonDecode for Value {
    fn decode_json(value: &Value, _path: &str) -> Result<Self, ValidationError> {
        Ok(value.clone())
    }
}

impl<T: JsonDecode> JsonDecode for Vec<T> {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| T::decode_json(item, &child(path, &i.to_string())))
                .collect(),
            _ => Err(wrong_type(path, "array")),
        }
    }
}

impl<T: JsonDecode> JsonDecode for BTreeMap<String, T> {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        object(value, path)?.iter().map(|(k, v)| Ok((k.clone(), T::decode_json(v, &child(path, k))?))).collect()
    }
}

impl<T: JsonDecode> JsonDecode for Box<T> {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        T::decode_json(value, path).map(Box::new)
    }

    fn decode_json_strict(value: &Value, path: &str) -> Result<Self, ValidationError> {
        T::decode_json_strict(value, path).map(Box::new)
    }
}

/// `null` is `None`.
impl<T: JsonDecode> JsonDecode for Option<T> {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        match value {
            Value::Null => Ok(None),
            other => T::decode_json(other, path).map(Some),
        }
    }

    fn decode_json_strict(value: &Value, path: &str) -> Result<Self, ValidationError> {
        match value {
            Value::Null => Ok(None),
            other => T::decode_json_strict(other, path).map(Some),
        }
    }
}

/// `null` is `Null` (absence is decided by the field's helper).
impl<T: JsonDecode> JsonDecode for Nullable<T> {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        match value {
            Value::Null => Ok(Nullable::Null),
            other => T::decode_json(other, path).map(Nullable::Value),
        }
    }
}

/// Whether `value` means "clear": `null`, or the spec's empty string.
fn is_clear(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

/// `null` (or `""`) is `Clear`.
impl<T: JsonDecode> JsonDecode for Clearable<T> {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        if is_clear(value) { Ok(Clearable::Clear) } else { T::decode_json(value, path).map(Clearable::Set) }
    }

    fn decode_json_strict(value: &Value, path: &str) -> Result<Self, ValidationError> {
        if is_clear(value) { Ok(Clearable::Clear) } else { T::decode_json_strict(value, path).map(Clearable::Set) }
    }
}

/// `null` (or `""`) clears the whole map; an object updates it, its `null`
/// (or `""`) values unsetting their keys.
impl<T: JsonDecode> JsonDecode for ClearableMap<T> {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        if is_clear(value) {
            Ok(ClearableMap::Clear)
        } else {
            BTreeMap::<String, Clearable<T>>::decode_json(value, path).map(ClearableMap::Update)
        }
    }
}

/// A string is an id, anything else the object.
impl<T: JsonDecode> JsonDecode for Expandable<T> {
    fn decode_json(value: &Value, path: &str) -> Result<Self, ValidationError> {
        match value {
            Value::String(id) => Ok(Expandable::Id(id.clone())),
            other => T::decode_json(other, path).map(|o| Expandable::Object(Box::new(o))),
        }
    }
}
