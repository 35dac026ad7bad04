//! `oneOf` / `anyOf`. In order of precedence:
//!
//! - Stripe's patterns: `x-expansionResources` (an id or the object:
//!   `Expandable`), an alternative `{type: string, enum: [""]}` ("clear it":
//!   `Clearable`).
//! - Alternatives that are only `{nullable: true}` make the use nullable.
//! - One alternative left: that alternative.
//! - A `discriminator` over `$ref` alternatives: a tagged union
//!   ([`crate::ir::Tagged`]) dispatching on the property's value (the
//!   `mapping`, else the component name), keeping unknown tags as JSON.
//! - `anyOf` with two or more object alternatives that one value may match
//!   together (no required property with a single, different value in each
//!   tells them apart), in a model: raw JSON (`serde_json::Value`), so
//!   nothing is lost whichever alternatives match; read it into the one you
//!   need with `serde_json::from_value`. Inside request parameters the
//!   caller builds the value, so nothing can be lost: a typed union.
//! - Otherwise an untagged union whose variants are tried most specific
//!   first: objects with more required properties before those with fewer,
//!   integers before numbers, anything before maps and before raw JSON; spec
//!   order otherwise. Variants are named after their `$ref`, or their shape
//!   (`String`, `Integer`, `Array`, `Map`, `Object`); an inline object among
//!   several objects by its first required property that no other
//!   alternative requires.

use openapiv3::{ReferenceOr, Schema, SchemaData, SchemaKind, Type};

use super::Lowerer;
use super::class::Class;
use super::names::{Namer, type_name};
use super::schema::{SchemaRef, Shape, Slot, slot_hint, wrap_nullable};
use crate::error::Result;
use crate::ir::{
    Constraints, Tagged, TaggedVariant, TypeDef, TypeKind, TypeRef, Union, UnionVariant,
};
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    /// `anyOf`/`oneOf`: expandable, clearable, a single alternative, or a union.
    pub(super) fn lower_alternatives(
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
        // `{nullable: true}` alone says "or null".
        let before = rest.len();
        rest.retain(|(_, a)| !is_only_nullable(a));
        nullable |= rest.len() < before;
        if data.extensions.contains_key("x-expansionResources") {
            // The id string(s) go; what remains are the expanded objects.
            rest.retain(|(_, a)| !is_plain_string(a));
            let targets = self.lower_each(&rest, &base, slot)?;
            let inner = match targets.as_slice() {
                [(_, only)] => only.ty.clone(),
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
        if let Some(discriminator) = &data.discriminator
            && rest.len() > 1
            && let Some(refs) = rest
                .iter()
                .map(|(_, a)| match a {
                    ReferenceOr::Reference { reference } => Some(reference.as_str()),
                    ReferenceOr::Item(_) => None,
                })
                .collect::<Option<Vec<&str>>>()
        {
            let ty = self.tagged_of(&refs, discriminator, &base, at, slot)?;
            return Ok(Shape {
                ty: wrap_clearable(ty, clearable),
                nullable,
                ..Shape::default()
            });
        }
        if keyword == "anyOf" && rest.len() > 1 && !in_request(at) && self.may_match_together(&rest)
        {
            return Ok(Shape {
                ty: wrap_clearable(TypeRef::Json, clearable),
                nullable,
                ..Shape::default()
            });
        }
        let mut shapes = self.lower_each(&rest, &base, slot)?;
        // A clearable value keeps the rules of what it clears (`maxLength` of map values …).
        let mut constraints = Constraints::default();
        let ty = match shapes.len() {
            0 => TypeRef::String,
            1 => {
                let (_, only) = shapes.remove(0);
                nullable |= only.nullable;
                if !clearable {
                    return Ok(Shape { nullable, ..only });
                }
                constraints = only.constraints;
                only.ty
            }
            _ => self.union_of(shapes, at, slot)?,
        };
        let ty = wrap_clearable(ty, clearable);
        Ok(Shape {
            ty,
            nullable,
            constraints,
            ..Shape::default()
        })
    }

    /// Lowers each alternative, in the order a union tries them (see the
    /// module docs), naming inline ones by their shape; each with its
    /// position in the spec.
    fn lower_each(
        &mut self,
        alternatives: &[(usize, &ReferenceOr<Schema>)],
        base: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Vec<(usize, Shape)>> {
        let parent = slot_hint(slot).to_owned();
        let classes: Vec<Class> = alternatives
            .iter()
            .map(|(_, a)| self.class_of(SchemaRef::from(*a), 0))
            .collect();
        let objects = classes
            .iter()
            .filter(|c| matches!(c, Class::Object { .. }))
            .count();
        let mut order: Vec<usize> = (0..alternatives.len()).collect();
        // Insertion sort on a partial order: stable, and only moves what must go first.
        for i in 1..order.len() {
            let mut j = i;
            while j > 0 && classes[order[j]].precedes(&classes[order[j - 1]]) {
                order.swap(j, j - 1);
                j -= 1;
            }
        }
        // Words are claimed in spec order, so inline names do not depend on the sorting.
        let mut hints = Namer::default();
        let words: Vec<String> = alternatives
            .iter()
            .enumerate()
            .map(|(k, (_, alternative))| {
                let word = match (&classes[k], alternative) {
                    (Class::Object { required, .. }, ReferenceOr::Item(_)) if objects > 1 => {
                        distinguishing(required, k, &classes)
                            .map(type_name)
                            .unwrap_or_else(|| "Object".to_owned())
                    }
                    _ => kind_word(alternative),
                };
                hints.claim(&word)
            })
            .collect();
        order
            .into_iter()
            .map(|k| {
                let (i, alternative) = alternatives[k];
                let word = &words[k];
                let mut shape = self.lower_schema(
                    alternative.into(),
                    &base.push(i),
                    &format!("{parent}{word}"),
                )?;
                // An inline alternative is named by its kind (`Object`), a reference by its type.
                if matches!(alternative, ReferenceOr::Item(_)) {
                    shape.variant = Some(word.clone());
                }
                Ok((k, shape))
            })
            .collect()
    }

    /// An untagged union of `shapes` (in the order given, each with its
    /// position in the spec), or an existing identical one.
    fn union_of(
        &mut self,
        shapes: Vec<(usize, Shape)>,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<TypeRef> {
        let mut in_spec_order: Vec<&(usize, Shape)> = shapes.iter().collect();
        in_spec_order.sort_by_key(|(k, _)| *k);
        let all_named: Option<Vec<&str>> = in_spec_order
            .iter()
            .map(|(_, s)| match &s.ty {
                // Inline alternatives (which ask for a variant name) are not components.
                TypeRef::Named(n) if !s.nullable && s.variant.is_none() => Some(n.as_str()),
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
        let shared_name = shared_name.map(|n| n.to_owned());
        let variants: Vec<UnionVariant> = shapes
            .into_iter()
            .map(|(_, s)| {
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

    /// A tagged union over the components `refs` (found under `base`),
    /// dispatching on `discriminator`.
    fn tagged_of(
        &mut self,
        refs: &[&str],
        discriminator: &openapiv3::Discriminator,
        base: &Pointer,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<TypeRef> {
        let mut variants = Vec::with_capacity(refs.len());
        for (i, reference) in refs.iter().enumerate() {
            let key = self.ref_key(reference, &base.push(i))?;
            let tags = self.tags_of(&key, discriminator);
            variants.push((tags, key));
        }
        let name = self.claim(slot);
        self.insert_tagged(&name, &discriminator.property_name, variants, at, None);
        Ok(TypeRef::Named(name))
    }

    /// The tag values that select component `key`: the `mapping` entries
    /// naming it, else its component name.
    pub(super) fn tags_of(
        &self,
        key: &str,
        discriminator: &openapiv3::Discriminator,
    ) -> Vec<String> {
        let tags: Vec<String> = discriminator
            .mapping
            .iter()
            .filter(|(_, target)| mapping_key(target) == key)
            .map(|(tag, _)| tag.clone())
            .collect();
        if tags.is_empty() {
            vec![key.to_owned()]
        } else {
            tags
        }
    }

    /// Inserts the tagged union `name`: one variant per (tags, component key).
    pub(super) fn insert_tagged(
        &mut self,
        name: &str,
        property: &str,
        variants: Vec<(Vec<String>, String)>,
        at: &Pointer,
        docs: Option<String>,
    ) {
        let mut rust = Namer::with_reserved(&["Unknown"]);
        let variants = variants
            .into_iter()
            .map(|(tags, key)| {
                let ty_name = self.components.get(&key).cloned().unwrap_or(key);
                TaggedVariant {
                    tags,
                    rust: rust.claim(&ty_name),
                    ty: TypeRef::Named(ty_name),
                    boxed: true,
                }
            })
            .collect();
        self.insert(TypeDef {
            name: name.to_owned(),
            component: None,
            pointer: at.clone(),
            docs,
            kind: TypeKind::Tagged(Tagged {
                property: property.to_owned(),
                variants,
            }),
        });
    }

    /// Whether two or more alternatives are objects that one value could match together.
    fn may_match_together(&self, alternatives: &[(usize, &ReferenceOr<Schema>)]) -> bool {
        let objects: Vec<Class> = alternatives
            .iter()
            .map(|(_, a)| self.class_of(SchemaRef::from(*a), 0))
            .filter(|c| matches!(c, Class::Object { .. }))
            .collect();
        objects
            .iter()
            .enumerate()
            .any(|(i, a)| objects[i + 1..].iter().any(|b| !a.exclusive(b)))
    }
}

/// The component key a discriminator `mapping` value names (a `$ref` or a bare name).
pub(super) fn mapping_key(target: &str) -> &str {
    target
        .strip_prefix("#/components/schemas/")
        .unwrap_or(target)
}

/// The first property that alternative `k` requires and no other object alternative does.
fn distinguishing<'c>(required: &'c [String], k: usize, classes: &[Class]) -> Option<&'c str> {
    required
        .iter()
        .find(|r| {
            classes.iter().enumerate().all(|(i, c)| {
                i == k || !matches!(c, Class::Object { required, .. } if required.contains(r))
            })
        })
        .map(String::as_str)
}

/// Whether `at` is inside an operation's parameters or request body, whose
/// values the caller builds (so a union there loses nothing when sent).
fn in_request(at: &Pointer) -> bool {
    let tokens: Vec<String> = at.tokens().take(4).collect();
    tokens.len() == 4
        && tokens[0] == "paths"
        && (tokens[3] == "parameters" || tokens[3] == "requestBody")
}

fn wrap_clearable(ty: TypeRef, clearable: bool) -> TypeRef {
    if clearable {
        TypeRef::Clearable(Box::new(ty))
    } else {
        ty
    }
}

/// `{nullable: true}` and nothing else that constrains.
fn is_only_nullable(schema: &ReferenceOr<Schema>) -> bool {
    matches!(schema, ReferenceOr::Item(Schema { schema_data, schema_kind: SchemaKind::Any(any) })
        if schema_data.nullable && *any == openapiv3::AnySchema::default())
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
            SchemaKind::Type(Type::Object(o)) if o.properties.is_empty() => "Map",
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
