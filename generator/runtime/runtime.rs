//! Support types that the generated models, parameters and routes share:
//! timestamps, the absent/null/value tri-state, expandable references, clearable
//! parameters and the list envelope. Emitted verbatim by the generator.

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

impl<T: Serialize> Serialize for Clearable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Clearable::Set(v) => v.serialize(serializer),
            Clearable::Clear => serializer.serialize_str(""),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Clearable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(s) if s.is_empty() => Ok(Clearable::Clear),
            other => serde_json::from_value(other).map(Clearable::Set).map_err(D::Error::custom),
        }
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
