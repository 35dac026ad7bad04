//! Support types that the generated models, parameters and routes share:
//! timestamps, the absent/null/value tri-state, expandable references, clearable
//! parameters (and maps), the list envelope, the serde helpers of
//! discriminated unions and of enums of numbers or booleans, and routes with the `Params` trait
//! that ties a parameters type to its route and its wire encoding (query, form
//! or JSON body). Emitted verbatim by the generator.

use std::fmt;

use serde::de::{Deserialize, DeserializeOwned, Deserializer, Error as _};
use serde::ser::{Serialize, Serializer};

/// Seconds since the Unix epoch (`format: unix-time`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current time, truncated to whole seconds.
    pub fn now() -> Self {
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Timestamp(i64::try_from(since).unwrap_or(i64::MAX))
    }

    pub fn as_secs(self) -> i64 {
        self.0
    }
}

impl From<i64> for Timestamp {
    fn from(secs: i64) -> Self {
        Timestamp(secs)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// An optional field that may also be `null`: absent, `null` and a value are
/// three different things on the wire, and a round trip keeps them apart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// The field is not in the object.
    #[default]
    Absent,
    /// The field is `null`.
    Null,
    /// The field has a value.
    Value(T),
}

impl<T> Nullable<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// The value, if there is one.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, if there is one; absence and `null` both give `None`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            Nullable::Absent | Nullable::Null => None,
        }
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => v.serialize(serializer),
            // `Absent` is skipped by the field's `skip_serializing_if`.
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // A missing field never gets here: `#[serde(default)]` makes it `Absent`.
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(v) => Nullable::Value(v),
            None => Nullable::Null,
        })
    }
}

/// An object with an `id`: what an [`Expandable`] expands to.
pub trait Object {
    fn id(&self) -> &str;
}

/// A reference that the server sends as an id, or as the whole object when
/// the request asked to `expand` it.
#[derive(Clone, Debug, PartialEq)]
pub enum Expandable<T> {
    Id(String),
    Object(Box<T>),
}

impl<T> Expandable<T> {
    /// The expanded object, if the server sent one.
    pub fn as_object(&self) -> Option<&T> {
        match self {
            Expandable::Object(o) => Some(o),
            Expandable::Id(_) => None,
        }
    }

    pub fn is_expanded(&self) -> bool {
        matches!(self, Expandable::Object(_))
    }
}

impl<T: Object> Expandable<T> {
    /// The id, whether or not the object is expanded.
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(o) => o.id(),
        }
    }
}

impl<T: Serialize> Serialize for Expandable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Expandable::Id(id) => serializer.serialize_str(id),
            Expandable::Object(o) => o.serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Expandable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(id) => Ok(Expandable::Id(id)),
            other => serde_json::from_value(other).map(|o| Expandable::Object(Box::new(o))).map_err(D::Error::custom),
        }
    }
}

/// A parameter that can be set, or cleared by sending the empty string
/// (the spec's `anyOf [T, {enum: [""]}]`).
#[derive(Clone, Debug, PartialEq)]
pub enum Clearable<T> {
    Set(T),
    Clear,
}

impl<T> From<T> for Clearable<T> {
    fn from(value: T) -> Self {
        Clearable::Set(value)
    }
}

/// In JSON, `Clear` is `null`, as in the JSON bodies of requests; `null`
/// and the empty string (the spec's `enum: [""]`) both read as `Clear`.
impl<T: Serialize> Serialize for Clearable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Clearable::Set(v) => v.serialize(serializer),
            Clearable::Clear => serializer.serialize_none(),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Clearable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Null => Ok(Clearable::Clear),
            serde_json::Value::String(s) if s.is_empty() => Ok(Clearable::Clear),
            other => serde_json::from_value(other).map(Clearable::Set).map_err(D::Error::custom),
        }
    }
}

/// Reads an optional field that is there, even as `null`, as `Some`: for
/// clearable fields (`#[serde(deserialize_with)]`), whose `null` is "clear",
/// where serde's own `Option` would read it as absent.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Writes one variant of a discriminated union: the variant's value, with
/// the tag `property: tag` added when the value does not carry it itself.
pub fn serialize_tagged<T: Serialize, S: Serializer>(value: &T, property: &str, tag: &str, serializer: S) -> Result<S::Ok, S::Error> {
    let mut json = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
    if let serde_json::Value::Object(map) = &mut json {
        map.entry(property.to_owned()).or_insert_with(|| serde_json::Value::String(tag.to_owned()));
    }
    json.serialize(serializer)
}

/// The tag of a discriminated union's value: the text of its `property`
/// (a string, or the JSON text of a number or boolean).
pub fn tag_of(value: &serde_json::Value, property: &str) -> Option<String> {
    match value.get(property)? {
        serde_json::Value::String(s) => Some(s.clone()),
        other @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => Some(other.to_string()),
        _ => None,
    }
}

/// Reads a discriminated union's variant from the whole value (tag included).
pub fn variant_of<T: DeserializeOwned, E: serde::de::Error>(value: serde_json::Value) -> Result<Box<T>, E> {
    serde_json::from_value(value).map(Box::new).map_err(E::custom)
}

/// Writes the value of an enum of numbers or booleans from its text (an
/// unknown value that is not JSON is written as a string).
pub fn serialize_enum_text<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_))) => value.serialize(serializer),
        _ => serializer.serialize_str(text),
    }
}

/// Reads the value of an enum of numbers or booleans as its JSON text.
pub fn deserialize_enum_text<'de, D: Deserializer<'de>>(deserializer: D, expected: &str) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(n) if expected != "boolean" => Ok(n.to_string()),
        serde_json::Value::Bool(b) if expected == "boolean" => Ok(b.to_string()),
        other => Err(D::Error::custom(format!("invalid value {other}, expected {expected}"))),
    }
}

/// The `object` tag of a [`List`]: always `"list"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ListObject {
    #[default]
    #[serde(rename = "list")]
    List,
}

/// A page of a list: `{"object": "list", "data": [...], "has_more": .., "url": ..}`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct List<T> {
    pub object: ListObject,
    pub data: Vec<T>,
    /// Whether another page follows this one.
    pub has_more: bool,
    /// The URL this list can be fetched from.
    pub url: String,
}

impl<T> List<T> {
    /// A page with these items.
    pub fn new(data: Vec<T>, has_more: bool, url: impl Into<String>) -> Self {
        List { object: ListObject::List, data, has_more, url: url.into() }
    }
}

/// A map parameter that can be updated key by key or cleared as a whole (the
/// spec's `anyOf [object, {enum: [""]}]` on a map, such as `metadata`). On the
/// wire `key[k]=v` sets a key, `key[k]=` unsets one and `key=` clears them all.
#[derive(Clone, Debug, PartialEq)]
pub enum ClearableMap<T> {
    /// Remove every key.
    Clear,
    /// Set (`Clearable::Set`) or unset (`Clearable::Clear`) these keys; others stay.
    Update(std::collections::BTreeMap<String, Clearable<T>>),
}

impl<T> Default for ClearableMap<T> {
    fn default() -> Self {
        ClearableMap::Update(std::collections::BTreeMap::new())
    }
}

impl<T> ClearableMap<T> {
    /// An update that changes nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value` (after a `Clear`, starts a fresh update).
    pub fn set(self, key: impl Into<String>, value: impl Into<T>) -> Self {
        self.with(key.into(), Clearable::Set(value.into()))
    }

    /// Unsets `key`.
    pub fn unset(self, key: impl Into<String>) -> Self {
        self.with(key.into(), Clearable::Clear)
    }

    fn with(self, key: String, value: Clearable<T>) -> Self {
        let mut entries = match self {
            ClearableMap::Update(entries) => entries,
            ClearableMap::Clear => std::collections::BTreeMap::new(),
        };
        entries.insert(key, value);
        ClearableMap::Update(entries)
    }
}

impl<T: crate::form::FormEncode> ClearableMap<T> {
    /// Applies this update to `map`, as a server does: `Clear` empties it; an
    /// update inserts the keys it sets and removes the keys it unsets. A set
    /// key whose value is blank is unset, because on the wire it is (`key[k]=`).
    pub fn apply_to(self, map: &mut std::collections::BTreeMap<String, T>) {
        match self {
            ClearableMap::Clear => map.clear(),
            ClearableMap::Update(entries) => {
                for (key, value) in entries {
                    match value {
                        Clearable::Set(v) if !crate::form::is_blank(&v) => {
                            map.insert(key, v);
                        }
                        Clearable::Set(_) | Clearable::Clear => {
                            map.remove(&key);
                        }
                    }
                }
            }
        }
    }
}

impl<T> From<std::collections::BTreeMap<String, T>> for ClearableMap<T> {
    fn from(map: std::collections::BTreeMap<String, T>) -> Self {
        ClearableMap::Update(map.into_iter().map(|(k, v)| (k, Clearable::Set(v))).collect())
    }
}

impl<T, K: Into<String>, V: Into<T>, const N: usize> From<[(K, V); N]> for ClearableMap<T> {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<T, K: Into<String>, V: Into<T>> FromIterator<(K, V)> for ClearableMap<T> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        ClearableMap::Update(pairs.into_iter().map(|(k, v)| (k.into(), Clearable::Set(v.into()))).collect())
    }
}

/// In JSON, `Clear` is `null` and an update is an object whose unset keys
/// are `null`, as in the JSON bodies of requests; the empty string (the
/// spec's `enum: [""]`) reads as `null` does.
impl<T: Serialize> Serialize for ClearableMap<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ClearableMap::Clear => serializer.serialize_none(),
            ClearableMap::Update(entries) => entries.serialize(serializer),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for ClearableMap<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Null => Ok(ClearableMap::Clear),
            serde_json::Value::String(s) if s.is_empty() => Ok(ClearableMap::Clear),
            other => serde_json::from_value(other).map(ClearableMap::Update).map_err(D::Error::custom),
        }
    }
}

/// HTTP methods of routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// Where an operation's parameters travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// All in the query string.
    Query,
    /// Query parameters in the query string, the rest in an
    /// `application/x-www-form-urlencoded` body.
    Form,
    /// Query parameters in the query string, the rest in a JSON body (an
    /// object of the body fields, or one JSON value of any type).
    Json,
    /// Query parameters in the query string, the body as text (`text/*`).
    Text,
    /// Query parameters in the query string, the body as bytes
    /// (`application/octet-stream`, and every media type not known here).
    Binary,
    /// Query parameters in the query string, the rest in a
    /// `multipart/form-data` body.
    Multipart,
}

impl Encoding {
    /// The media type of each encoding: the default of `Params::CONTENT_TYPES`.
    pub const fn content_types(self) -> &'static [&'static str] {
        match self {
            Encoding::Query => &[],
            Encoding::Form => &["application/x-www-form-urlencoded"],
            Encoding::Json => &["application/json"],
            Encoding::Text => &["text/plain"],
            Encoding::Binary => &["application/octet-stream"],
            Encoding::Multipart => &["multipart/form-data"],
        }
    }

    /// Whether bodies of this encoding are text (UTF-8).
    pub const fn is_text(self) -> bool {
        !matches!(self, Encoding::Binary | Encoding::Multipart)
    }
}

/// One operation as client and server both see it: the single source of its
/// method, path and encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    pub method: Method,
    /// The path template, `/v1/promotion_codes/{promotion_code}`.
    pub path: &'static str,
    /// The path parameters, in the order of the route method's arguments.
    pub path_params: &'static [&'static str],
    pub operation_id: &'static str,
    /// The params type (and operation) name, `CreatePromotionCode`.
    pub operation: &'static str,
    /// The resource trait, `PromotionCodes`.
    pub resource: &'static str,
    /// The method of the resource trait, `create`.
    pub method_name: &'static str,
    pub encoding: Encoding,
}

impl Route {
    /// The path with its parameters filled in (percent-encoded), in `path_params` order.
    pub fn fill(&self, args: &[&str]) -> String {
        let mut path = self.path.to_owned();
        for (name, value) in self.path_params.iter().zip(args) {
            let mut encoded = String::new();
            for &byte in value.as_bytes() {
                if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
                    encoded.push(char::from(byte));
                } else {
                    encoded.push_str(&format!("%{byte:02X}"));
                }
            }
            path = path.replace(&format!("{{{name}}}"), &encoded);
        }
        path
    }
}

impl Route {
    /// The path with its parameters filled in, already encoded (by
    /// `client::path_text` or `style::path`), in `path_params` order.
    pub fn fill_encoded(&self, args: &[&str]) -> String {
        let mut path = self.path.to_owned();
        for (name, value) in self.path_params.iter().zip(args) {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        path
    }

    /// The path parameters of `path` as they are on the wire (still
    /// percent-encoded), when it matches this route's template.
    pub fn match_path_raw(&self, path: &str) -> Option<Vec<String>> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let mut template = self.path.split('/');
        let mut given = path.split('/');
        let mut found = Vec::new();
        loop {
            match (template.next(), given.next()) {
                (None, None) => return Some(found),
                (Some(t), Some(g)) if t.starts_with('{') && t.ends_with('}') => {
                    if g.is_empty() {
                        return None;
                    }
                    found.push(g.to_owned());
                }
                (Some(t), Some(g)) if t == g => {}
                _ => return None,
            }
        }
    }

    /// The path parameters of `path` (percent-decoded, in `path_params`
    /// order) when it matches this route's template, else `None`.
    pub fn match_path(&self, path: &str) -> Option<Vec<String>> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let mut template = self.path.split('/');
        let mut given = path.split('/');
        let mut found = Vec::new();
        loop {
            match (template.next(), given.next()) {
                (None, None) => return Some(found),
                (Some(t), Some(g)) if t.starts_with('{') && t.ends_with('}') => {
                    if g.is_empty() {
                        return None;
                    }
                    found.push(crate::form::decode_path_segment(g)?);
                }
                (Some(t), Some(g)) if t == g => {}
                _ => return None,
            }
        }
    }
}

/// The parameters of one operation (everything but its path parameters).
pub trait Params: Sized {
    /// The operation's route.
    const ROUTE: Route;

    /// The query parameters as a query string (without `?`).
    fn to_query(&self) -> String;

    /// The body fields as the request body: for `Encoding::Form` an
    /// `application/x-www-form-urlencoded` body; for `Encoding::Json` one JSON
    /// object (unset optional fields left out, "clear" as `null`), or the
    /// empty string, meaning no body, when no field is set and the body is
    /// optional (`{}` when it is required); for `Encoding::Query` empty.
    fn to_body(&self) -> String;

    /// Reads the parameters from a query string and a body (either may be
    /// empty), as `to_query` and `to_body` write them: a form body, or for
    /// `Encoding::Json` a JSON object (an empty body is `{}`). Form values are
    /// coerced to their types; JSON values must have them. Unknown names are
    /// rejected, like missing required ones.
    fn from_wire(query: &str, body: &str) -> Result<Self, crate::form::ValidationError>;

    /// The header parameters, and the cookie parameters as one `Cookie`
    /// header (none for most operations).
    fn to_headers(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Reads the parameters as a server receives them: `from_wire`, and the
    /// header and cookie parameters from `headers` (names in any case).
    fn from_request(query: &str, headers: &[(String, String)], body: &str) -> Result<Self, crate::form::ValidationError> {
        let _ = headers;
        Self::from_wire(query, body)
    }

    /// Checks every rule of the spec (lengths, patterns, enums, ranges …).
    fn validate(&self) -> Result<(), crate::form::ValidationError>;

    /// The media types the operation accepts, the one the client sends
    /// first (a server answers a body of any other `Content-Type` with 415).
    /// Empty for an operation without a body.
    const CONTENT_TYPES: &'static [&'static str] = Self::ROUTE.encoding.content_types();

    /// The request body as sent: `to_body` with the first of
    /// [`Params::CONTENT_TYPES`]. A form route always sends its body (empty
    /// or not); any other sends none when `to_body` is empty.
    fn payload(&self) -> Option<crate::payload::Payload> {
        let body = self.to_body();
        let content_type = Self::CONTENT_TYPES.first().copied().unwrap_or("application/x-www-form-urlencoded");
        match Self::ROUTE.encoding {
            Encoding::Form => Some(crate::payload::Payload::new(content_type, body)),
            _ if body.is_empty() => None,
            _ => Some(crate::payload::Payload::new(content_type, body)),
        }
    }

    /// Reads the parameters from a query string and a raw body with its
    /// `Content-Type` (already checked against [`Params::CONTENT_TYPES`]) and
    /// the request's headers: by default the body as UTF-8 text, read by
    /// [`Params::from_request`].
    fn from_payload(query: &str, headers: &[(String, String)], content_type: Option<&str>, body: &[u8]) -> Result<Self, crate::form::ValidationError> {
        let _ = content_type;
        let body = std::str::from_utf8(body).map_err(|_| crate::form::ValidationError {
            param: String::new(),
            rule: crate::form::Rule::Malformed,
            message: "Invalid request: the body is not valid UTF-8.".to_owned(),
        })?;
        Self::from_request(query, headers, body)
    }
}

/// A response body with the response headers the spec declares for it
/// (`headers`, a struct of the operation's `routes::<Op>Headers`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WithHeaders<T, H> {
    pub body: T,
    pub headers: H,
}
