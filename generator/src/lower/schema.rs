//! Lowering of JSON schemas to IR types. Decides the shape of every type
//! (struct, open enum, untagged union, map, expandable, clearable, list
//! envelope) and the names of the inline ones (`{Parent}{Property}`).

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaData, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::Lowerer;
use super::names::{Namer, field_name, type_name, variant_name};
use crate::error::{Error, Result};
use crate::ir::{
    Constraints, Enum, EnumVariant, Field, Struct, TypeDef, TypeKind, TypeRef, Union, UnionVariant,
};
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
#[derive(Clone, Copy)]
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

impl Lowerer<'_> {
    /// Lowers a schema use found at `at`; `hint` names any inline type it needs.
    pub fn lower_schema(
        &mut self,
        schema: SchemaRef<'_>,
        at: &Pointer,
        hint: &str,
    ) -> Result<Shape> {
        match schema {
            SchemaRef::Ref(reference) => self.lower_ref(reference, at),
            SchemaRef::Inline(schema) => self.lower_inline(schema, at, Slot::Hint(hint)),
        }
    }

    fn lower_ref(&mut self, reference: &str, at: &Pointer) -> Result<Shape> {
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
        let name = self
            .components
            .get(&key)
            .cloned()
            .ok_or_else(|| Error::DanglingRef {
                at: self.spec.at(&at.push("$ref")),
                target: reference.to_owned(),
            })?;
        Ok(Shape {
            ty: TypeRef::Named(name),
            ..Shape::default()
        })
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
            SchemaKind::AllOf { all_of } => self.lower_all_of(all_of, at, slot)?,
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
        shape.default = data.default.clone().or(shape.default);
        shape.deprecated |= data.deprecated;
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

    fn claim(&mut self, slot: Slot<'_>) -> String {
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
                    self.lower_enum(&name, &values, data, at);
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
                        TypeRef::Vec(Box::new(wrap_nullable(item.ty, item.nullable)))
                    }
                    None => TypeRef::Vec(Box::new(TypeRef::Json)),
                }
            }
            Type::Object(o) => {
                return self.lower_object(
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

    fn lower_enum(&mut self, name: &str, values: &[&str], data: &SchemaData, at: &Pointer) {
        let mut variants = Namer::with_reserved(&["Unknown"]);
        let variants = values
            .iter()
            .map(|v| EnumVariant {
                wire: (*v).to_owned(),
                rust: variants.claim(&variant_name(v)),
            })
            .collect();
        self.insert(TypeDef {
            name: name.to_owned(),
            component: None,
            pointer: at.clone(),
            docs: data.description.clone().filter(|d| !d.trim().is_empty()),
            kind: TypeKind::Enum(Enum { variants }),
        });
    }

    fn lower_object(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        if properties.is_empty() {
            match additional {
                Some(AdditionalProperties::Schema(values)) => {
                    let hint = format!("{}Value", slot_hint(slot));
                    let value = self.lower_schema(
                        values.as_ref().into(),
                        &at.push("additionalProperties"),
                        &hint,
                    )?;
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
                Some(AdditionalProperties::Any(false)) => {}
                Some(AdditionalProperties::Any(true)) | None => {
                    return Ok(Shape {
                        ty: TypeRef::Map(Box::new(TypeRef::Json)),
                        ..Shape::default()
                    });
                }
            }
        }
        if let Some(list) = self.list_envelope(properties, required, at, slot)? {
            return Ok(Shape {
                ty: list,
                ..Shape::default()
            });
        }
        let name = self.claim(slot);
        let mut field_names = Namer::default();
        let mut fields = Vec::with_capacity(properties.len());
        for (wire, schema) in properties {
            let at = at.push("properties").push(wire);
            let hint = format!("{name}{}", type_name(wire));
            let shape = self.lower_schema(schema.into(), &at, &hint)?;
            fields.push(Field {
                wire: wire.clone(),
                rust: field_names.claim(&field_name(wire)),
                ty: shape.ty,
                required: required.contains(wire),
                nullable: shape.nullable,
                boxed: false,
                docs: shape.docs,
                constraints: shape.constraints,
                default: shape.default,
                deprecated: shape.deprecated,
                style: None,
                pointer: at,
            });
        }
        let extra = match additional {
            Some(AdditionalProperties::Schema(values)) => {
                let hint = format!("{name}Value");
                let value = self.lower_schema(
                    values.as_ref().into(),
                    &at.push("additionalProperties"),
                    &hint,
                )?;
                Some(wrap_nullable(value.ty, value.nullable))
            }
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
            }),
        });
        Ok(Shape {
            ty: TypeRef::Named(name),
            ..Shape::default()
        })
    }

    /// Stripe's list envelope: exactly `object: enum [list]`, `data: [T]`,
    /// `has_more: bool` and `url: string`, all required.
    fn list_envelope(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Option<TypeRef>> {
        let keys: Vec<&str> = {
            let mut k: Vec<&str> = properties.keys().map(String::as_str).collect();
            k.sort_unstable();
            k
        };
        if keys != ["data", "has_more", "object", "url"] || required.len() != 4 {
            return Ok(None);
        }
        let inline = |key: &str| match properties.get(key) {
            Some(ReferenceOr::Item(s)) => Some(&s.schema_kind),
            _ => None,
        };
        let is_list = matches!(inline("object"), Some(SchemaKind::Type(Type::String(s)))
            if s.enumeration == [Some("list".to_owned())]);
        let has_more = matches!(inline("has_more"), Some(SchemaKind::Type(Type::Boolean(_))));
        let url = matches!(inline("url"), Some(SchemaKind::Type(Type::String(_))));
        let Some(SchemaKind::Type(Type::Array(data))) = inline("data") else {
            return Ok(None);
        };
        let Some(items) = data.items.as_ref().filter(|_| is_list && has_more && url) else {
            return Ok(None);
        };
        let hint = format!("{}Item", slot_hint(slot));
        let item = self.lower_schema(
            items.into(),
            &at.push("properties").push("data").push("items"),
            &hint,
        )?;
        Ok(Some(TypeRef::List(Box::new(item.ty))))
    }

    /// `anyOf`/`oneOf`: expandable, clearable, a single alternative, or a union.
    fn lower_alternatives(
        &mut self,
        alternatives: &[ReferenceOr<Schema>],
        keyword: &str,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        let base = at.push(keyword);
        let mut nullable = false;
        // `{type: string, enum: [""]}` is Stripe's way to say "clear this".
        let clearable = alternatives.iter().any(is_empty_string_enum);
        let mut rest: Vec<(usize, &ReferenceOr<Schema>)> = alternatives
            .iter()
            .enumerate()
            .filter(|(_, a)| !is_empty_string_enum(a))
            .collect();
        if data.extensions.contains_key("x-expansionResources") {
            // The id string(s) go; what remains are the expanded objects.
            rest.retain(|(_, a)| !is_plain_string(a));
            let targets = self.lower_each(&rest, &base, slot)?;
            let inner = match targets.as_slice() {
                [only] => only.ty.clone(),
                _ => self.union_of(targets, at, slot)?,
            };
            let ty = TypeRef::Expandable(Box::new(inner));
            return Ok(Shape {
                ty: if clearable {
                    TypeRef::Clearable(Box::new(ty))
                } else {
                    ty
                },
                ..Shape::default()
            });
        }
        let mut shapes = self.lower_each(&rest, &base, slot)?;
        // A clearable value keeps the rules of what it clears (`maxLength` of map values …).
        let mut constraints = Constraints::default();
        let ty = match shapes.len() {
            0 => TypeRef::String,
            1 => {
                let only = shapes.remove(0);
                nullable |= only.nullable;
                if !clearable {
                    return Ok(Shape { nullable, ..only });
                }
                constraints = only.constraints;
                only.ty
            }
            _ => self.union_of(shapes, at, slot)?,
        };
        let ty = if clearable {
            TypeRef::Clearable(Box::new(ty))
        } else {
            ty
        };
        Ok(Shape {
            ty,
            nullable,
            constraints,
            ..Shape::default()
        })
    }

    fn lower_each(
        &mut self,
        alternatives: &[(usize, &ReferenceOr<Schema>)],
        base: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Vec<Shape>> {
        let parent = slot_hint(slot).to_owned();
        let mut hints = Namer::default();
        alternatives
            .iter()
            .map(|(i, alternative)| {
                let word = hints.claim(&kind_word(alternative));
                let mut shape = self.lower_schema(
                    (*alternative).into(),
                    &base.push(i),
                    &format!("{parent}{word}"),
                )?;
                // An inline alternative is named by its kind (`Object`), a reference by its type.
                if matches!(alternative, ReferenceOr::Item(_)) {
                    shape.variant = Some(word);
                }
                Ok(shape)
            })
            .collect()
    }

    /// An untagged union of `shapes`, or an existing identical one.
    fn union_of(&mut self, shapes: Vec<Shape>, at: &Pointer, slot: Slot<'_>) -> Result<TypeRef> {
        let all_named: Option<Vec<&str>> = shapes
            .iter()
            .map(|s| match &s.ty {
                TypeRef::Named(n) if !s.nullable => Some(n.as_str()),
                _ => None,
            })
            .collect();
        // Unions of components are named after them, so one union serves every
        // place that lists the same alternatives.
        let shared_name = match (&all_named, slot) {
            (Some(names), Slot::Hint(_)) if names.len() <= 3 => Some(names.join("Or")),
            _ => None,
        };
        let mut variant_names = Namer::with_reserved(&[]);
        let variants: Vec<UnionVariant> = shapes
            .into_iter()
            .map(|s| {
                let ty = wrap_nullable(s.ty, s.nullable);
                let rust = variant_names.claim(&s.variant.unwrap_or_else(|| variant_word(&ty)));
                UnionVariant {
                    rust,
                    boxed: matches!(ty, TypeRef::Named(_)),
                    ty,
                }
            })
            .collect();
        if let Some(shared) = shared_name {
            if let Some(existing) = self.types.get(&shared) {
                if matches!(&existing.kind, TypeKind::Union(u) if u.variants == variants) {
                    return Ok(TypeRef::Named(shared));
                }
            } else if !self.namer.is_taken(&shared) {
                let name = self.namer.claim(&shared);
                self.insert_union(&name, variants, at);
                return Ok(TypeRef::Named(name));
            }
        }
        let name = self.claim(slot);
        self.insert_union(&name, variants, at);
        Ok(TypeRef::Named(name))
    }

    fn insert_union(&mut self, name: &str, variants: Vec<UnionVariant>, at: &Pointer) {
        self.insert(TypeDef {
            name: name.to_owned(),
            component: None,
            pointer: at.clone(),
            docs: None,
            kind: TypeKind::Union(Union { variants }),
        });
    }

    fn lower_all_of(
        &mut self,
        all_of: &[ReferenceOr<Schema>],
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        match all_of {
            [only] => self.lower_schema(only.into(), &at.push("allOf").push(0), slot_hint(slot)),
            _ => Err(Error::Unsupported {
                at: self.spec.at(&at.push("allOf")),
                message: format!(
                    "`allOf` with {} members: only a single-member allOf is supported",
                    all_of.len()
                ),
            }),
        }
    }

    /// Schemas that `openapiv3` could not put in one typed bucket.
    fn lower_any(
        &mut self,
        any: &openapiv3::AnySchema,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        if !any.any_of.is_empty()
            || !any.one_of.is_empty()
            || !any.all_of.is_empty()
            || any.not.is_some()
        {
            return Err(Error::Unsupported {
                at: self.spec.at(at),
                message: "a schema that mixes `type`/`properties` with anyOf/oneOf/allOf/not"
                    .to_owned(),
            });
        }
        if !any.properties.is_empty() || any.typ.as_deref() == Some("object") {
            return self.lower_object(
                &any.properties,
                &any.required,
                any.additional_properties.as_ref(),
                data,
                at,
                slot,
            );
        }
        match any.typ.as_deref() {
            None if any.items.is_none() && any.enumeration.is_empty() => Ok(Shape::default()),
            None | Some("string" | "integer" | "number" | "boolean" | "array") => Err(Error::Unsupported {
                at: self.spec.at(at),
                message: "a schema whose keywords do not fit its `type` (for example `enum` values of another type)".to_owned(),
            }),
            Some(other) => Err(Error::Unsupported {
                at: self.spec.at(&at.push("type")),
                message: format!("unknown schema type '{other}'"),
            }),
        }
    }
}

fn slot_hint<'n>(slot: Slot<'n>) -> &'n str {
    match slot {
        Slot::Fixed(n) | Slot::Hint(n) => n,
    }
}

fn wrap_nullable(ty: TypeRef, nullable: bool) -> TypeRef {
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

fn is_empty_string_enum(schema: &ReferenceOr<Schema>) -> bool {
    matches!(schema, ReferenceOr::Item(Schema { schema_kind: SchemaKind::Type(Type::String(s)), .. })
        if s.enumeration == [Some(String::new())])
}

fn is_plain_string(schema: &ReferenceOr<Schema>) -> bool {
    matches!(schema, ReferenceOr::Item(Schema { schema_kind: SchemaKind::Type(Type::String(s)), .. })
        if s.enumeration.is_empty())
}

/// A word for an alternative of an anyOf, used to name its inline type.
fn kind_word(schema: &ReferenceOr<Schema>) -> String {
    match schema {
        ReferenceOr::Reference { reference } => {
            type_name(reference.rsplit('/').next().unwrap_or(reference))
        }
        ReferenceOr::Item(s) => match &s.schema_kind {
            SchemaKind::Type(Type::Object(_)) => "Object",
            SchemaKind::Type(Type::Array(_)) => "Array",
            SchemaKind::Type(Type::String(_)) => "String",
            SchemaKind::Type(Type::Integer(_)) => "Integer",
            SchemaKind::Type(Type::Number(_)) => "Number",
            SchemaKind::Type(Type::Boolean(_)) => "Bool",
            _ => "Variant",
        }
        .to_owned(),
    }
}

/// The variant name of a union alternative of type `ty`.
fn variant_word(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(n) => n.clone(),
        TypeRef::Bool => "Bool".to_owned(),
        TypeRef::Integer => "Integer".to_owned(),
        TypeRef::Number => "Number".to_owned(),
        TypeRef::String => "String".to_owned(),
        TypeRef::Timestamp => "Timestamp".to_owned(),
        TypeRef::Json => "Json".to_owned(),
        TypeRef::Binary => "Binary".to_owned(),
        TypeRef::Vec(_) => "Array".to_owned(),
        TypeRef::Map(_) => "Map".to_owned(),
        TypeRef::Option(t) => variant_word(t),
        TypeRef::Expandable(_) => "Expandable".to_owned(),
        TypeRef::Clearable(_) => "Clearable".to_owned(),
        TypeRef::List(_) => "List".to_owned(),
    }
}
