//! A coarse view of what JSON a schema accepts ([`Class`]), read from the
//! spec without lowering anything: union variants are ordered by it, and
//! allOf members that define one property are compared with it.

use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};

use super::Lowerer;
use super::schema::SchemaRef;

/// What JSON a schema accepts, coarsely: enough to order union variants and
/// to compare the definitions of one property in several allOf members.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Class {
    Bool,
    Integer,
    Number,
    String,
    Array,
    /// An object with properties: its required ones, and those required
    /// with a single allowed value (`object: enum [card]`), as (name, value).
    Object {
        required: Vec<String>,
        consts: Vec<(String, String)>,
        /// Every property it defines.
        properties: Vec<String>,
    },
    /// An object without properties: a map.
    Map,
    /// `{}`: anything.
    Any,
    /// A union or something else this coarse view does not tell.
    Other,
}

impl Class {
    pub(super) fn word(&self) -> &'static str {
        match self {
            Class::Bool => "boolean",
            Class::Integer => "integer",
            Class::Number => "number",
            Class::String => "string",
            Class::Array => "array",
            Class::Object { .. } => "object",
            Class::Map => "map",
            Class::Any => "any value",
            Class::Other => "union",
        }
    }

    /// Whether a value of `self` should be tried before one of `other`.
    pub(super) fn precedes(&self, other: &Class) -> bool {
        match (self, other) {
            (Class::Integer, Class::Number) => true,
            (Class::Object { required: a, .. }, Class::Object { required: b, .. }) => {
                a.len() > b.len()
            }
            (Class::Object { .. } | Class::Other, Class::Map) => true,
            (Class::Any, _) => false,
            (_, Class::Any) => true,
            _ => false,
        }
    }

    /// Whether one value can never match both: a required property has a
    /// single, different value in each, or each requires a property the
    /// other does not define.
    pub(super) fn exclusive(&self, other: &Class) -> bool {
        match (self, other) {
            (
                Class::Object {
                    required: ra,
                    consts: ca,
                    properties: pa,
                },
                Class::Object {
                    required: rb,
                    consts: cb,
                    properties: pb,
                },
            ) => {
                ca.iter()
                    .any(|(k, v)| cb.iter().any(|(k2, v2)| k == k2 && v != v2))
                    || (ra.iter().any(|r| !pb.contains(r)) && rb.iter().any(|r| !pa.contains(r)))
            }
            _ => true,
        }
    }
}

impl Lowerer<'_> {
    /// The coarse [`Class`] of a schema, through `$ref`s and `allOf`.
    pub(super) fn class_of(&self, schema: SchemaRef<'_>, depth: usize) -> Class {
        let Some(schema) = self.resolve(schema).filter(|_| depth < 16) else {
            return Class::Other;
        };
        let object =
            |required: &[String], props: &indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>| {
                let consts = required
                    .iter()
                    .filter_map(|r| match props.get(r)? {
                        ReferenceOr::Item(s) => match &s.schema_kind {
                            SchemaKind::Type(Type::String(t)) if t.enumeration.len() == 1 => {
                                Some((r.clone(), t.enumeration[0].clone()?))
                            }
                            _ => None,
                        },
                        ReferenceOr::Reference { .. } => None,
                    })
                    .collect();
                Class::Object {
                    required: required.to_vec(),
                    consts,
                    properties: props.keys().cloned().collect(),
                }
            };
        let merge = |members: &[ReferenceOr<Schema>], mut acc: Class| {
            for m in members {
                match (self.class_of(m.into(), depth + 1), &mut acc) {
                    (
                        Class::Object {
                            required,
                            consts,
                            properties,
                        },
                        Class::Object {
                            required: r,
                            consts: c,
                            properties: p,
                        },
                    ) => {
                        r.extend(required);
                        c.extend(consts);
                        p.extend(properties);
                    }
                    (object @ Class::Object { .. }, acc @ (Class::Any | Class::Map)) => {
                        *acc = object;
                    }
                    (Class::Any, _) => {}
                    (other, acc @ Class::Any) => *acc = other,
                    _ => {}
                }
            }
            acc
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::Boolean(_)) => Class::Bool,
            SchemaKind::Type(Type::Integer(_)) => Class::Integer,
            SchemaKind::Type(Type::Number(_)) => Class::Number,
            SchemaKind::Type(Type::String(_)) => Class::String,
            SchemaKind::Type(Type::Array(_)) => Class::Array,
            SchemaKind::Type(Type::Object(o)) if o.properties.is_empty() => Class::Map,
            SchemaKind::Type(Type::Object(o)) => object(&o.required, &o.properties),
            SchemaKind::AllOf { all_of } => merge(all_of, Class::Any),
            SchemaKind::Any(any) if !any.one_of.is_empty() || !any.any_of.is_empty() => {
                Class::Other
            }
            SchemaKind::Any(any) => {
                let own = if !any.properties.is_empty() {
                    object(&any.required, &any.properties)
                } else {
                    match any.typ.as_deref() {
                        Some("object") => Class::Map,
                        Some("string") => Class::String,
                        Some("integer") => Class::Integer,
                        Some("number") => Class::Number,
                        Some("boolean") => Class::Bool,
                        Some("array") => Class::Array,
                        _ if any.items.is_some() => Class::Array,
                        _ if any.additional_properties.is_some() => Class::Map,
                        _ if !any.enumeration.is_empty() => Class::Other,
                        _ => Class::Any,
                    }
                };
                merge(&any.all_of, own)
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                Class::Other
            }
        }
    }
}
