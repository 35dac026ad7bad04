//! Lowering of JSON schemas to IR types: the entry points, primitives,
//! arrays, objects (struct, map, list envelope) and the schemas `openapiv3`
//! could not type. Decides the names of inline types (`{Parent}{Property}`).
//! The rest lives beside it: `compose` (allOf merging, keywords beside
//! composition, discriminator hierarchies), `union` (oneOf/anyOf), `enums`
//! (enums of any value type).

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaData, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::Lowerer;
use super::names::{Namer, field_name, type_name};
use crate::error::{Error, Result};
use crate::ir::{Constraints, EnumValue, Field, Struct, TypeDef, TypeKind, TypeRef};
use crate::pointer::Pointer;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// A lowered schema use: the type plus what the schema says about this use.
#[derive(Clone, Debug, Default)]
pub struct Shape {
    pub ty: TypeRef,
    pub nullable: bool,
    pub docs: Option<String>,
    pub constraints: Constraints,
    pub default: Option<Value>,
    pub deprecated: bool,
    /// `readOnly: true` on the schema of this use.
    pub read_only: bool,
    /// `writeOnly: true` on the schema of this use.
    pub write_only: bool,
    /// For an alternative of an anyOf/oneOf: the union variant name it asks for.
    pub variant: Option<String>,
}

/// How the type that a schema may produce is named.
#[derive(Clone, Copy, Debug)]
pub enum Slot<'n> {
    /// A component: the name is already claimed and must be used as it is.
    Fixed(&'n str),
    /// Inline: claim this name (or a suffixed one) if a named type is needed.
    Hint(&'n str),
}

/// A schema or a reference to one, borrowed from anywhere in the document.
#[derive(Clone, Copy, Debug)]
pub enum SchemaRef<'s> {
    Ref(&'s str),
    Inline(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for SchemaRef<'s> {
    fn from(r: &'s ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for SchemaRef<'s> {
    fn from(r: &'s ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(s) => SchemaRef::Inline(s),
        }
    }
}

/// The properties, `required` and `additionalProperties` of an object, from
/// one schema or merged from several (`allOf`), each with its pointer.
#[derive(Debug, Default)]
pub struct ObjectParts<'s> {
    pub properties: Vec<(String, SchemaRef<'s>, Pointer)>,
    pub required: Vec<String>,
    pub additional: Option<(&'s AdditionalProperties, Pointer)>,
}

impl<'s> ObjectParts<'s> {
    /// The parts of one object schema found at `at`.
    pub fn of(
        properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&'s AdditionalProperties>,
        at: &Pointer,
    ) -> Self {
        ObjectParts {
            properties: properties
                .iter()
                .map(|(k, v)| (k.clone(), v.into(), at.push("properties").push(k)))
                .collect(),
            required: required.to_vec(),
            additional: additional.map(|a| (a, at.push("additionalProperties"))),
        }
    }
}

impl<'a> Lowerer<'a> {
    /// Lowers a schema use found at `at`; `hint` names any inline type it needs.
    pub fn lower_schema(
        &mut self,
        schema: SchemaRef<'_>,
        at: &Pointer,
        hint: &str,
    ) -> Result<Shape> {
        let shape = match schema {
            SchemaRef::Ref(reference) => self.lower_ref(reference, at),
            SchemaRef::Inline(schema) => self.lower_inline(schema, at, Slot::Hint(hint)),
        }?;
        self.uses.record(at, &shape.ty, shape.nullable);
        Ok(shape)
    }

    fn lower_ref(&mut self, reference: &str, at: &Pointer) -> Result<Shape> {
        if !is_component_ref(reference) && reference.starts_with("#/") {
            return self.lower_deep_ref(reference, at);
        }
        let key = self.ref_key(reference, at)?;
        let name = self.components[&key].clone();
        Ok(Shape {
            ty: TypeRef::Named(name),
            // A nullable component makes every use of it nullable.
            nullable: self.nullable_components.contains(&key),
            ..Shape::default()
        })
    }

    /// The component key a schema `$ref` found at `at` names.
    pub(super) fn ref_key(&self, reference: &str, at: &Pointer) -> Result<String> {
        let Some(key) = reference
            .strip_prefix(SCHEMA_PREFIX)
            .filter(|k| !k.contains('/'))
        else {
            return Err(Error::Unsupported {
                at: self.spec.at(&at.push("$ref")),
                message: format!(
                    "schema $ref '{reference}' does not name a schema under {SCHEMA_PREFIX}"
                ),
            });
        };
        let key = key.replace("~1", "/").replace("~0", "~");
        if !self.components.contains_key(&key) {
            return Err(Error::DanglingRef {
                at: self.spec.at(&at.push("$ref")),
                target: reference.to_owned(),
            });
        }
        Ok(key)
    }

    /// The raw schema of component `key`, following `$ref`-only components.
    pub(super) fn component_schema(&self, key: &str) -> Option<(&'a Schema, String)> {
        let schemas = &self.spec.api.components.as_ref()?.schemas;
        let mut key = key.to_owned();
        for _ in 0..32 {
            match schemas.get(&key)? {
                ReferenceOr::Item(s) => return Some((s, key)),
                ReferenceOr::Reference { reference } => {
                    key = reference.strip_prefix(SCHEMA_PREFIX)?.to_owned();
                }
            }
        }
        None
    }

    /// The schema a use names (through `$ref`s), without lowering it.
    pub(super) fn resolve<'s>(&self, schema: SchemaRef<'s>) -> Option<&'s Schema>
    where
        'a: 's,
    {
        match schema {
            SchemaRef::Inline(s) => Some(s),
            SchemaRef::Ref(r) => {
                let key = r.strip_prefix(SCHEMA_PREFIX)?;
                self.component_schema(key).map(|(s, _)| s)
            }
        }
    }

    /// Lowers a schema object. With `Slot::Fixed` the result is always the
    /// named type (an alias is made when the shape is not a struct/enum/union).
    pub fn lower_inline(&mut self, schema: &Schema, at: &Pointer, slot: Slot<'_>) -> Result<Shape> {
        let data = &schema.schema_data;
        let mut shape = match &schema.schema_kind {
            SchemaKind::Type(ty) => self.lower_type(ty, data, at, slot)?,
            SchemaKind::AnyOf { any_of } => {
                self.lower_alternatives(any_of, "anyOf", data, at, slot)?
            }
            SchemaKind::OneOf { one_of } => {
                self.lower_alternatives(one_of, "oneOf", data, at, slot)?
            }
            SchemaKind::AllOf { all_of } => {
                self.lower_all_of(all_of, ObjectParts::default(), at, slot)?
            }
            SchemaKind::Not { .. } => {
                return Err(Error::Unsupported {
                    at: self.spec.at(&at.push("not")),
                    message: "`not` schemas cannot be expressed as a Rust type".to_owned(),
                });
            }
            SchemaKind::Any(any) => self.lower_any(any, data, at, slot)?,
        };
        shape.nullable |= data.nullable;
        shape.docs = data
            .description
            .clone()
            .filter(|d| !d.trim().is_empty())
            .or(shape.docs);
        // A pattern the generated crate's `regex` cannot compile (backreferences,
        // look-around) is not checked; the docs say so.
        if let Some(pattern) = shape.constraints.pattern.take() {
            if regex_syntax::Parser::new().parse(&pattern).is_ok() {
                shape.constraints.pattern = Some(pattern);
            } else {
                let note = format!(
                    "The spec's pattern `{pattern}` is not checked: Rust's `regex` cannot compile it."
                );
                shape.docs = Some(match shape.docs.take() {
                    Some(docs) => format!("{docs}\n\n{note}"),
                    None => note,
                });
            }
        }
        shape.default = data.default.clone().or(shape.default);
        shape.deprecated |= data.deprecated;
        shape.read_only |= data.read_only;
        shape.write_only |= data.write_only;
        if let Slot::Fixed(name) = slot
            && shape.ty != TypeRef::Named(name.to_owned())
        {
            self.insert(TypeDef {
                name: name.to_owned(),
                component: None,
                pointer: at.clone(),
                docs: None,
                kind: TypeKind::Alias(shape.ty.clone()),
            });
            shape.ty = TypeRef::Named(name.to_owned());
        }
        Ok(shape)
    }

    pub(super) fn claim(&mut self, slot: Slot<'_>) -> String {
        match slot {
            Slot::Fixed(name) => name.to_owned(),
            Slot::Hint(hint) => self.namer.claim(hint),
        }
    }

    fn lower_type(
        &mut self,
        ty: &Type,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        let mut c = Constraints::default();
        let ty = match ty {
            // A boolean `enum` stays a `bool` (Stripe's `deleted: enum [true]`):
            // an enum type would add nothing a `bool` does not say.
            Type::Integer(i) if !i.enumeration.is_empty() => {
                let values = i.enumeration.iter().map(|v| v.map(Value::from));
                return Ok(self.lower_enum_values(EnumValue::Integer, values, data, at, slot));
            }
            Type::Number(n) if !n.enumeration.is_empty() => {
                let values = n.enumeration.iter().map(|v| v.map(Value::from));
                return Ok(self.lower_enum_values(EnumValue::Number, values, data, at, slot));
            }
            Type::Boolean(_) => TypeRef::Bool,
            Type::Integer(i) => {
                c.format = format_name(&i.format, |f| format!("{f:?}").to_lowercase());
                c.minimum = i.minimum.map(|m| m as f64);
                c.maximum = i.maximum.map(|m| m as f64);
                c.exclusive_minimum = i.exclusive_minimum;
                c.exclusive_maximum = i.exclusive_maximum;
                if c.format.as_deref() == Some("unix-time") {
                    TypeRef::Timestamp
                } else {
                    TypeRef::Integer
                }
            }
            Type::Number(n) => {
                c.format = format_name(&n.format, |f| format!("{f:?}").to_lowercase());
                c.minimum = n.minimum;
                c.maximum = n.maximum;
                c.exclusive_minimum = n.exclusive_minimum;
                c.exclusive_maximum = n.exclusive_maximum;
                TypeRef::Number
            }
            Type::String(s) => {
                c.format = format_name(&s.format, string_format);
                c.pattern = s.pattern.clone();
                c.max_length = s.max_length.map(|n| n as u64);
                c.min_length = s.min_length.map(|n| n as u64);
                let values: Vec<&str> =
                    s.enumeration.iter().flatten().map(String::as_str).collect();
                let nullable = s.enumeration.iter().any(Option::is_none);
                if values.is_empty() || values == [""] {
                    c.enum_values = values.iter().map(|v| (*v).to_owned()).collect();
                    TypeRef::String
                } else {
                    c.enum_values = values.iter().map(|v| (*v).to_owned()).collect();
                    let name = self.claim(slot);
                    self.lower_enum(&name, EnumValue::String, &values, data, at);
                    return Ok(Shape {
                        ty: TypeRef::Named(name),
                        nullable,
                        constraints: c,
                        ..Shape::default()
                    });
                }
            }
            Type::Array(a) => {
                c.min_items = a.min_items.map(|n| n as u64);
                c.max_items = a.max_items.map(|n| n as u64);
                match &a.items {
                    Some(items) => {
                        let hint = format!("{}Item", slot_hint(slot));
                        let item = self.lower_schema(items.into(), &at.push("items"), &hint)?;
                        if !item.constraints.is_empty() {
                            c.items = Some(Box::new(item.constraints));
                        }
                        let ty = self.name_nested(item.ty, &at.push("items"), &hint);
                        TypeRef::Vec(Box::new(wrap_nullable(ty, item.nullable)))
                    }
                    None => TypeRef::Vec(Box::new(TypeRef::Json)),
                }
            }
            Type::Object(o) => {
                return self.lower_plain_object(
                    &o.properties,
                    &o.required,
                    o.additional_properties.as_ref(),
                    data,
                    at,
                    slot,
                );
            }
        };
        Ok(Shape {
            ty,
            constraints: c,
            ..Shape::default()
        })
    }

    /// An object schema on its own: Stripe's list envelope, or [`Self::lower_object`].
    pub(super) fn lower_plain_object(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        if let Some(list) = self.list_envelope(properties, required, at, slot)? {
            return Ok(Shape {
                ty: list,
                ..Shape::default()
            });
        }
        let parts = ObjectParts::of(properties, required, additional, at);
        self.lower_object(parts, data, at, slot)
    }

    /// A map or array of maps or arrays as a named alias (`{Parent}Value`),
    /// so that no field spells three levels of containers (which clippy's
    /// `type_complexity` rejects); other types as they are.
    fn name_nested(&mut self, ty: TypeRef, at: &Pointer, hint: &str) -> TypeRef {
        let nested = match &ty {
            TypeRef::Map(inner) | TypeRef::Vec(inner) => match &**inner {
                TypeRef::Option(t) => matches!(**t, TypeRef::Map(_) | TypeRef::Vec(_)),
                t => matches!(t, TypeRef::Map(_) | TypeRef::Vec(_)),
            },
            _ => false,
        };
        if !nested {
            return ty;
        }
        let name = self.namer.claim(hint);
        self.insert(TypeDef {
            name: name.clone(),
            component: None,
            pointer: at.clone(),
            docs: None,
            kind: TypeKind::Alias(ty),
        });
        TypeRef::Named(name)
    }

    /// An object: a map when it has no properties (free-form objects are maps
    /// of JSON values), else a struct, keeping `additionalProperties` in a
    /// flattened map.
    pub(super) fn lower_object(
        &mut self,
        parts: ObjectParts<'_>,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        let additional = parts.additional.as_ref().map(|(a, _)| *a);
        if parts.properties.is_empty() {
            match parts.additional {
                Some((AdditionalProperties::Schema(values), values_at)) => {
                    let hint = format!("{}Value", slot_hint(slot));
                    let mut value = self.lower_schema(values.as_ref().into(), &values_at, &hint)?;
                    value.ty = self.name_nested(value.ty, &values_at, &hint);
                    let constraints = Constraints {
                        values: (!value.constraints.is_empty())
                            .then(|| Box::new(value.constraints)),
                        ..Constraints::default()
                    };
                    return Ok(Shape {
                        ty: TypeRef::Map(Box::new(wrap_nullable(value.ty, value.nullable))),
                        constraints,
                        ..Shape::default()
                    });
                }
                Some((AdditionalProperties::Any(false), _)) => {}
                Some((AdditionalProperties::Any(true), _)) | None => {
                    return Ok(Shape {
                        ty: TypeRef::Map(Box::new(TypeRef::Json)),
                        ..Shape::default()
                    });
                }
            }
        }
        let name = self.claim(slot);
        let mut field_names = Namer::default();
        let mut fields = Vec::with_capacity(parts.properties.len());
        for (wire, schema, at) in &parts.properties {
            let hint = format!("{name}{}", type_name(wire));
            let shape = self.lower_schema(*schema, at, &hint)?;
            // A read-only property is left out of requests, a write-only one
            // out of responses: neither is required in a type used both ways.
            let one_way = shape.read_only || shape.write_only;
            fields.push(Field {
                wire: wire.clone(),
                rust: field_names.claim(&field_name(wire)),
                ty: shape.ty,
                required: parts.required.contains(wire) && !one_way,
                nullable: shape.nullable,
                boxed: false,
                docs: shape.docs,
                constraints: shape.constraints,
                default: shape.default,
                deprecated: shape.deprecated,
                read_only: shape.read_only,
                write_only: shape.write_only,
                style: None,
                pointer: at.clone(),
            });
        }
        let extra = match &parts.additional {
            Some((AdditionalProperties::Schema(values), values_at)) => {
                let hint = format!("{name}Value");
                let value = self.lower_schema(values.as_ref().into(), values_at, &hint)?;
                Some(wrap_nullable(value.ty, value.nullable))
            }
            // `additionalProperties: true` beside properties keeps the extra
            // keys as JSON values.
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            _ => None,
        };
        let expandable_fields = data
            .extensions
            .get("x-expandableFields")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        self.insert(TypeDef {
            name: name.clone(),
            component: None,
            pointer: at.clone(),
            docs: data.description.clone().filter(|d| !d.trim().is_empty()),
            kind: TypeKind::Struct(Struct {
                fields,
                additional: extra,
                deny_unknown: matches!(additional, Some(AdditionalProperties::Any(false))),
                expandable_fields,
                flattened: Vec::new(),
            }),
        });
        Ok(Shape {
            ty: TypeRef::Named(name),
            ..Shape::default()
        })
    }

    /// Schemas that `openapiv3` could not put in one typed bucket: keywords
    /// beside composition (see `compose`), enums without a `type` or whose
    /// values do not fit it, and `{}` (any JSON value).
    fn lower_any(
        &mut self,
        any: &openapiv3::AnySchema,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        if !any.any_of.is_empty() || !any.one_of.is_empty() || !any.all_of.is_empty() {
            return self.lower_beside_composition(any, data, at, slot);
        }
        // `not` beside other keywords only narrows what they allow: ignored.
        if !any.enumeration.is_empty() {
            return Ok(self.lower_any_enum(&any.enumeration, data, at, slot));
        }
        if !any.properties.is_empty()
            || any.typ.as_deref() == Some("object")
            || (any.typ.is_none() && any.additional_properties.is_some())
        {
            return self.lower_plain_object(
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                data,
                at,
                slot,
            );
        }
        match any.typ.as_deref() {
            None if any.items.is_none() => Ok(Shape::default()),
            None | Some("array") => {
                let hint = format!("{}Item", slot_hint(slot));
                let item = match &any.items {
                    Some(items) => self.lower_schema(items.into(), &at.push("items"), &hint)?,
                    None => Shape::default(),
                };
                Ok(Shape {
                    ty: TypeRef::Vec(Box::new(wrap_nullable(item.ty, item.nullable))),
                    ..Shape::default()
                })
            }
            Some("string") => Ok(Shape {
                ty: TypeRef::String,
                ..Shape::default()
            }),
            Some("integer") => Ok(Shape {
                ty: TypeRef::Integer,
                ..Shape::default()
            }),
            Some("number") => Ok(Shape {
                ty: TypeRef::Number,
                ..Shape::default()
            }),
            Some("boolean") => Ok(Shape {
                ty: TypeRef::Bool,
                ..Shape::default()
            }),
            Some(other) => Err(Error::Unsupported {
                at: self.spec.at(&at.push("type")),
                message: format!("unknown schema type '{other}'"),
            }),
        }
    }
}

pub(super) fn slot_hint<'n>(slot: Slot<'n>) -> &'n str {
    match slot {
        Slot::Fixed(n) | Slot::Hint(n) => n,
    }
}

pub(super) fn wrap_nullable(ty: TypeRef, nullable: bool) -> TypeRef {
    if nullable {
        TypeRef::Option(Box::new(ty))
    } else {
        ty
    }
}

fn format_name<F>(
    format: &VariantOrUnknownOrEmpty<F>,
    known: impl Fn(&F) -> String,
) -> Option<String> {
    match format {
        VariantOrUnknownOrEmpty::Item(f) => Some(known(f)),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn string_format(f: &StringFormat) -> String {
    match f {
        StringFormat::Date => "date",
        StringFormat::DateTime => "date-time",
        StringFormat::Password => "password",
        StringFormat::Byte => "byte",
        StringFormat::Binary => "binary",
    }
    .to_owned()
}

/// Whether a component schema admits `null` (`nullable: true`, or `null`
/// among its `enum` values).
pub fn is_nullable(schema: &Schema) -> bool {
    schema.schema_data.nullable
        || match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_none),
            SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().any(Option::is_none),
            SchemaKind::Type(Type::Number(n)) => n.enumeration.iter().any(Option::is_none),
            SchemaKind::Type(Type::Boolean(b)) => b.enumeration.iter().any(Option::is_none),
            SchemaKind::Any(a) => {
                a.enumeration.iter().any(Value::is_null) || all_of_nullable(&a.all_of)
            }
            // `allOf: [{$ref}, {nullable: true}]`: a member says null is allowed.
            SchemaKind::AllOf { all_of } => all_of_nullable(all_of),
            _ => false,
        }
}

fn all_of_nullable(members: &[ReferenceOr<Schema>]) -> bool {
    members
        .iter()
        .any(|m| matches!(m, ReferenceOr::Item(s) if s.schema_data.nullable))
}

/// Whether a `$ref` names a component schema itself (`#/components/schemas/X`).
pub fn is_component_ref(reference: &str) -> bool {
    reference
        .strip_prefix(SCHEMA_PREFIX)
        .is_some_and(|k| !k.contains('/'))
}
