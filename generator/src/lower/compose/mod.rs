//! `allOf`, keywords beside composition, and discriminator hierarchies.
//!
//! - `allOf` is merged in [`all_of`] (see its docs for what each combination
//!   of members becomes).
//! - `properties`/`required`/`additionalProperties` beside `allOf` are one
//!   more member. Beside `oneOf`/`anyOf`, a `type: object` alone changes
//!   nothing; properties make a struct of those properties with the union
//!   flattened into it (`#[serde(flatten)]`), so a value must satisfy both.
//!   `allOf` together with `oneOf`/`anyOf` in one schema is an error.
//! - A component with a `discriminator` (and no oneOf/anyOf) that other
//!   components extend through `allOf` is the base of a hierarchy: its name
//!   is a tagged union over its subtypes (each its merged struct), plus the
//!   base's own struct, named `{Base}Base`, when the `mapping` lists the base
//!   itself.

mod all_of;
mod constraints;

use std::collections::BTreeMap;

use openapiv3::{AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaData, SchemaKind};

use super::Lowerer;
use super::class::Class;
use super::schema::{ObjectParts, SchemaRef, Shape, Slot};
use super::union::mapping_key;
use crate::error::{Error, Result};
use crate::ir::TypeRef;
use crate::pointer::Pointer;

/// A base component of a discriminator hierarchy.
#[derive(Clone, Debug)]
pub struct Hierarchy {
    pub property: String,
    /// (tag values, component key), in `mapping` order, then the unmapped
    /// subtypes by key.
    pub variants: Vec<(Vec<String>, String)>,
    /// The mapping lists the base itself.
    pub includes_base: bool,
}

impl<'a> Lowerer<'a> {
    /// The bases of discriminator hierarchies among the components, by key.
    pub(super) fn hierarchies(&self) -> BTreeMap<String, Hierarchy> {
        let Some(components) = &self.spec.api.components else {
            return BTreeMap::new();
        };
        let mut subtypes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut keys: Vec<&String> = components.schemas.keys().collect();
        keys.sort();
        for key in keys {
            let ReferenceOr::Item(schema) = &components.schemas[key] else {
                continue;
            };
            let members: &[ReferenceOr<Schema>] = match &schema.schema_kind {
                SchemaKind::AllOf { all_of } => all_of,
                SchemaKind::Any(any) => &any.all_of,
                _ => continue,
            };
            for member in members {
                if let ReferenceOr::Reference { reference } = member
                    && let Some(base) = reference.strip_prefix("#/components/schemas/")
                    && base != key.as_str()
                {
                    subtypes
                        .entry(base.to_owned())
                        .or_default()
                        .push(key.clone());
                }
            }
        }
        let mut out = BTreeMap::new();
        for (base, subs) in subtypes {
            let Some(ReferenceOr::Item(schema)) = components.schemas.get(&base) else {
                continue;
            };
            let Some(discriminator) = &schema.schema_data.discriminator else {
                continue;
            };
            if matches!(
                schema.schema_kind,
                SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. }
            ) || matches!(&schema.schema_kind, SchemaKind::Any(a) if !a.one_of.is_empty() || !a.any_of.is_empty())
            {
                continue;
            }
            let mut variants: Vec<(Vec<String>, String)> = Vec::new();
            let mut includes_base = false;
            for (tag, target) in &discriminator.mapping {
                let key = mapping_key(target).to_owned();
                if !components.schemas.contains_key(&key) {
                    continue;
                }
                includes_base |= key == base;
                match variants.iter_mut().find(|(_, k)| *k == key) {
                    Some((tags, _)) => tags.push(tag.clone()),
                    None => variants.push((vec![tag.clone()], key)),
                }
            }
            for sub in subs {
                if !variants.iter().any(|(_, k)| *k == sub) {
                    variants.push((vec![sub.clone()], sub));
                }
            }
            out.insert(
                base,
                Hierarchy {
                    property: discriminator.property_name.clone(),
                    variants,
                    includes_base,
                },
            );
        }
        out
    }

    /// Lowers the base component `key` of a hierarchy as the tagged union `name`.
    pub(super) fn lower_hierarchy(
        &mut self,
        key: &str,
        name: &str,
        schema: &'a Schema,
        hierarchy: Hierarchy,
        at: &Pointer,
    ) -> Result<Option<String>> {
        let mut variants = hierarchy.variants;
        if hierarchy.includes_base {
            // The base's own fields, as a struct beside the union.
            let own = self.lower_inline(schema, at, Slot::Hint(&format!("{name}Base")))?;
            if let TypeRef::Named(own) = own.ty {
                for (_, k) in &mut variants {
                    if k == key {
                        *k = own.clone();
                    }
                }
                // `insert_tagged` looks variants up by component key, else uses the name.
            }
        }
        let docs = schema
            .schema_data
            .description
            .clone()
            .filter(|d| !d.trim().is_empty());
        self.insert_tagged(name, &hierarchy.property, variants, at, docs.clone());
        Ok(docs)
    }

    /// Merges `new` into `parts` (see the module docs for conflicts).
    fn add_parts<'s>(&self, new: ObjectParts<'s>, parts: &mut ObjectParts<'s>) -> Result<()>
    where
        'a: 's,
    {
        for (wire, schema, at) in new.properties {
            match parts.properties.iter_mut().find(|(w, _, _)| *w == wire) {
                None => parts.properties.push((wire, schema, at)),
                Some(existing) => {
                    let old = self.class_of(existing.1, 0);
                    let class = self.class_of(schema, 0);
                    let same_kind = old == class
                        || matches!(
                            (&old, &class),
                            (
                                Class::Object { .. } | Class::Map | Class::Other,
                                Class::Object { .. } | Class::Map | Class::Other
                            )
                        )
                        || matches!(
                            (&old, &class),
                            (Class::Integer, Class::Number) | (Class::Number, Class::Integer)
                        );
                    if class == Class::Any || self.same_schema(existing.1, schema) {
                        // Keeps the first definition.
                    } else if old == Class::Any || same_kind {
                        *existing = (wire, schema, at);
                    } else {
                        return Err(Error::Unsupported {
                            at: self.spec.at(&at),
                            message: format!(
                                "property '{wire}' is {} here but {} at {} (allOf members must agree)",
                                class.word(),
                                old.word(),
                                existing.2
                            ),
                        });
                    }
                }
            }
        }
        for r in new.required {
            if !parts.required.contains(&r) {
                parts.required.push(r);
            }
        }
        match (new.additional, &parts.additional) {
            (Some((AdditionalProperties::Any(false), _)), _) | (None, _) => {}
            (Some(a), None) => parts.additional = Some(a),
            (Some(_), Some(_)) => {}
        }
        Ok(())
    }

    fn same_schema(&self, a: SchemaRef<'_>, b: SchemaRef<'_>) -> bool {
        match (a, b) {
            (SchemaRef::Ref(x), SchemaRef::Ref(y)) => x == y,
            (SchemaRef::Inline(x), SchemaRef::Inline(y)) => x == y,
            _ => false,
        }
    }

    /// A schema with `allOf`/`oneOf`/`anyOf` and other keywords beside.
    pub(super) fn lower_beside_composition(
        &mut self,
        any: &AnySchema,
        data: &SchemaData,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        let unions = !any.one_of.is_empty() || !any.any_of.is_empty();
        if !any.all_of.is_empty() && unions || !any.one_of.is_empty() && !any.any_of.is_empty() {
            return Err(Error::Unsupported {
                at: self.spec.at(at),
                message: "a schema with more than one of allOf/oneOf/anyOf: combine them into one"
                    .to_owned(),
            });
        }
        let own = ObjectParts::of(
            &any.properties,
            &any.required,
            any.additional_properties.as_ref(),
            at,
        );
        if !unions {
            return self.lower_all_of(&any.all_of, own, at, slot);
        }
        let (keyword, alternatives) = if any.one_of.is_empty() {
            ("anyOf", &any.any_of)
        } else {
            ("oneOf", &any.one_of)
        };
        if any.properties.is_empty()
            && any
                .typ
                .as_deref()
                .is_some_and(|t| t != "object" && t != "array")
            && self.only_constrain(alternatives)
        {
            // `type: string` with `anyOf: [{format: date-time}, {format: date}]`:
            // the alternatives only narrow the value's form; it is that type.
            let mut plain = any.clone();
            plain.one_of.clear();
            plain.any_of.clear();
            let schema = Schema {
                schema_data: data.clone(),
                schema_kind: SchemaKind::Any(plain),
            };
            return self.lower_inline(&schema, at, slot);
        }
        if any.properties.is_empty() {
            // `type: object` (or `additionalProperties`) only restates what
            // the alternatives say.
            return self.lower_alternatives(alternatives, keyword, data, at, slot);
        }
        // The common properties, with the union flattened beside them.
        let name = self.claim(slot);
        let union = self.lower_alternatives(
            alternatives,
            keyword,
            data,
            at,
            Slot::Hint(&format!("{name}Variant")),
        )?;
        self.lower_object(own, data, at, Slot::Fixed(&name))?;
        let ty = super::schema::wrap_nullable(union.ty, union.nullable);
        self.flatten_into(&name, ty, keyword);
        Ok(Shape {
            ty: TypeRef::Named(name),
            ..Shape::default()
        })
    }
}
