//! Enums of any value type. Every enum is open (an `Unknown` variant keeps
//! values the spec does not list). The values decide the kind, not `type`:
//! all strings make a string enum, all integers an integer enum, numbers a
//! number enum, booleans a boolean enum (except under `type: boolean`,
//! which stays a `bool`: see `schema`), so a string `enum` without a `type`
//! (or with a `type` it contradicts) is still a string enum. A `null` among
//! the values is not a variant: it makes the uses of the enum nullable.
//! Values of mixed JSON types (`[1, "a"]`) are kept as raw JSON
//! (`serde_json::Value`), which holds any of them.

use serde_json::Value;

use super::Lowerer;
use super::names::{Namer, variant_name};
use super::schema::{Shape, Slot};
use crate::ir::{Enum, EnumValue, EnumVariant, TypeDef, TypeKind, TypeRef};
use crate::pointer::Pointer;
use openapiv3::SchemaData;

impl Lowerer<'_> {
    /// A named enum `name` of `values` (their text, see [`EnumVariant::wire`]).
    pub(super) fn lower_enum(
        &mut self,
        name: &str,
        value: EnumValue,
        values: &[&str],
        data: &SchemaData,
        at: &Pointer,
    ) {
        let mut variants = Namer::with_reserved(&["Unknown"]);
        let variants = values
            .iter()
            .map(|v| EnumVariant {
                wire: (*v).to_owned(),
                rust: variants.claim(&enum_variant_name(v)),
            })
            .collect();
        self.insert(TypeDef {
            name: name.to_owned(),
            component: None,
            pointer: at.clone(),
            docs: data.description.clone().filter(|d| !d.trim().is_empty()),
            kind: TypeKind::Enum(Enum { value, variants }),
        });
    }

    /// An enum of typed values (`None` is `null`) whose kind the schema's
    /// `type` gave.
    pub(super) fn lower_enum_values(
        &mut self,
        value: EnumValue,
        values: impl Iterator<Item = Option<Value>>,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Shape {
        let values: Vec<Value> = values.map(|v| v.unwrap_or(Value::Null)).collect();
        self.lower_values(Some(value), &values, data, at, slot)
    }

    /// An enum whose kind its values decide (no `type`, or a `type` they
    /// do not fit).
    pub(super) fn lower_any_enum(
        &mut self,
        values: &[Value],
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Shape {
        self.lower_values(None, values, data, at, slot)
    }

    fn lower_values(
        &mut self,
        declared: Option<EnumValue>,
        values: &[Value],
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Shape {
        let nullable = values.iter().any(Value::is_null);
        let present: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        let kinds: Vec<EnumValue> = present.iter().filter_map(|v| kind_of(v)).collect();
        let kind = match kinds.first() {
            Some(first) if kinds.len() == present.len() => {
                if kinds.iter().all(|k| k == first) {
                    Some(*first)
                } else if kinds
                    .iter()
                    .all(|k| matches!(k, EnumValue::Integer | EnumValue::Number))
                {
                    Some(EnumValue::Number)
                } else {
                    None
                }
            }
            // Only `null`: the declared type, or any JSON.
            None if present.is_empty() => declared,
            _ => None,
        };
        let Some(kind) = kind else {
            return Shape {
                ty: TypeRef::Json,
                nullable,
                ..Shape::default()
            };
        };
        if present.is_empty() {
            let ty = match kind {
                EnumValue::String => TypeRef::String,
                EnumValue::Integer => TypeRef::Integer,
                EnumValue::Number => TypeRef::Number,
                EnumValue::Bool => TypeRef::Bool,
            };
            return Shape {
                ty,
                nullable,
                ..Shape::default()
            };
        }
        let mut texts: Vec<String> = Vec::new();
        for v in &present {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        let name = self.claim(slot);
        self.lower_enum(&name, kind, &texts, data, at);
        let mut shape = Shape {
            ty: TypeRef::Named(name),
            nullable,
            ..Shape::default()
        };
        if kind == EnumValue::String {
            shape.constraints.enum_values = texts.iter().map(|t| (*t).to_owned()).collect();
        }
        shape
    }
}

fn kind_of(value: &Value) -> Option<EnumValue> {
    match value {
        Value::String(_) => Some(EnumValue::String),
        Value::Bool(_) => Some(EnumValue::Bool),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(EnumValue::Integer),
        Value::Number(_) => Some(EnumValue::Number),
        _ => None,
    }
}

/// A variant name for an enum value's text: string values as
/// [`variant_name`], numbers spelled out (`-1` -> `Minus1`, `2.5` -> `V2p5`).
fn enum_variant_name(text: &str) -> String {
    match text.strip_prefix('-') {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
            format!("Minus{}", variant_name(rest).trim_start_matches('V'))
        }
        // `2.5` -> `V2p5`; a string value such as `17.75x9_trifold` gets the
        // same treatment of its dots, then the usual case rules.
        _ if text.starts_with(|c: char| c.is_ascii_digit()) && text.contains('.') => {
            variant_name(&text.replace('.', "p"))
        }
        _ => variant_name(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_values_get_readable_variants() {
        assert_eq!(enum_variant_name("1"), "V1");
        assert_eq!(enum_variant_name("-1"), "Minus1");
        assert_eq!(enum_variant_name("2.5"), "V2p5");
        assert_eq!(enum_variant_name("true"), "True");
        assert_eq!(enum_variant_name("critical"), "Critical");
    }
}
