//! `allOf`: a value must satisfy every member, so the members are merged.
//!
//! Each member (through `$ref`s and nested `allOf`s) is an object (properties,
//! `type: object`, `additionalProperties`), a union (`oneOf`/`anyOf`, inline
//! or by `$ref`, or beside an object's properties), a value (a primitive, an
//! array, an enum), or only constrains or describes (`{description}`,
//! `{nullable: true}`, `{required: [a]}`, `{minLength: 1}`).
//!
//! - Objects are one struct: the union of their properties and of their
//!   `required`. A property several members define must agree: the same
//!   schema, or the same kind of JSON value (the later member, a subtype
//!   refining its base, wins; `{}` or a description-only schema defers to
//!   the other), else it is an error naming both places.
//!   `additionalProperties: false` of a member is ignored (it would reject
//!   the other members' properties); a member's `additionalProperties`
//!   schema keeps extra keys.
//! - Unions beside objects are flattened into that struct
//!   (`#[serde(flatten)]`, as for properties beside `oneOf`), one field per
//!   union; a union none of whose alternatives is an object cannot be
//!   satisfied beside objects and is an error. A `oneOf`/`anyOf` whose
//!   alternatives only list `required` (or other keywords that add no
//!   property: "`name` or `company` is required") adds no type: the
//!   properties stay optional and the rule is left to the server.
//! - Without objects: one union is that union; one value is that value, and
//!   several values of one JSON type (integer and number agree) are the
//!   first one (an enum is preferred) with every member's constraints
//!   (`minLength`, `maximum` …; the tighter bound wins, the first `pattern`
//!   is kept). Values of different types are an error naming both
//!   pointers; so are two arrays (their items would have to be merged) and
//!   a union beside a value.
//! - A value beside objects is an error naming both pointers: nothing is
//!   both. Members that only constrain or describe add their constraints,
//!   `nullable` and description to whatever the others make.

use openapiv3::{AnySchema, ReferenceOr, Schema, SchemaData, SchemaKind, Type};

use super::super::Lowerer;
use super::super::class::Class;
use super::super::schema::{ObjectParts, SchemaRef, Shape, Slot, slot_hint, wrap_nullable};
use super::constraints::{constraints_of, merge_constraints};
use crate::error::{Error, Result};
use crate::ir::{Flattened, TypeDef, TypeKind, TypeRef};
use crate::pointer::Pointer;

/// A union member (or a union beside an object member's properties).
enum Union<'s> {
    /// A whole member: a `$ref` to a union or an inline `oneOf`/`anyOf`.
    Member(SchemaRef<'s>),
    /// The alternatives beside an object member's properties.
    Alternatives {
        alternatives: &'s [ReferenceOr<Schema>],
        keyword: &'static str,
        data: &'s SchemaData,
    },
}

/// What the members of one `allOf` say, gathered through `$ref`s and nested
/// `allOf`s.
#[derive(Default)]
struct Members<'s> {
    /// Where the first object member is.
    object: Option<Pointer>,
    unions: Vec<(Union<'s>, Pointer)>,
    /// Primitives, arrays, enums: (what it is, the member, where it is).
    values: Vec<(Class, SchemaRef<'s>, &'s Schema, Pointer)>,
    /// Members that only constrain or describe.
    constraints: Vec<&'s Schema>,
}

impl<'a> Lowerer<'a> {
    /// `allOf` with `extra` parts (sibling properties) as one more member.
    pub(in crate::lower) fn lower_all_of<'s>(
        &mut self,
        members: &'s [ReferenceOr<Schema>],
        extra: ObjectParts<'s>,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape>
    where
        'a: 's,
    {
        let has_extra = !extra.properties.is_empty() || extra.additional.is_some();
        let mut parts = extra;
        let mut found = Members::default();
        if has_extra {
            found.object = Some(at.clone());
        }
        let base = at.push("allOf");
        for (i, member) in members.iter().enumerate() {
            self.collect(member.into(), &base.push(i), &mut parts, &mut found, 0)?;
        }
        let mut shape = match &found.object {
            Some(object) => self.merged_object(parts, &found, object, at, slot)?,
            None => self.merged_value(parts, &found, at, slot)?,
        };
        for schema in &found.constraints {
            let data = &schema.schema_data;
            shape.nullable |= data.nullable;
            if shape.docs.is_none() {
                shape.docs = data.description.clone().filter(|d| !d.trim().is_empty());
            }
            merge_constraints(&mut shape.constraints, &constraints_of(schema));
        }
        Ok(shape)
    }

    /// Objects (with any unions flattened in); values beside them are errors.
    fn merged_object(
        &mut self,
        parts: ObjectParts<'_>,
        found: &Members<'_>,
        object: &Pointer,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        if let Some((class, _, _, value_at)) = found.values.first() {
            return Err(Error::Unsupported {
                at: self.spec.at(value_at),
                message: format!(
                    "an `allOf` member that is {} beside the object at {}: no value is both",
                    a_word(class),
                    self.place(object)
                ),
            });
        }
        for (union, union_at) in &found.unions {
            if !self.union_has_object(union) {
                return Err(Error::Unsupported {
                    at: self.spec.at(union_at),
                    message: format!(
                        "an `allOf` member that is a union of non-objects beside the object at {}: no value is both",
                        self.place(object)
                    ),
                });
            }
        }
        let data = SchemaData::default();
        if parts.properties.is_empty() && parts.additional.is_none() {
            // `type: object` only restates what the union says.
            match found.unions.as_slice() {
                [] => return self.lower_object(parts, &data, at, slot),
                [(union, union_at)] => return self.lower_union(union, union_at, slot_hint(slot)),
                [_, (_, second), ..] => {
                    return Err(Error::Unsupported {
                        at: self.spec.at(second),
                        message: "several `oneOf`/`anyOf` members in one `allOf` with no properties beside them: give the object a property, or combine the unions".to_owned(),
                    });
                }
            }
        }
        let shape = self.lower_object(parts, &data, at, slot)?;
        let TypeRef::Named(name) = &shape.ty else {
            return Ok(shape);
        };
        let name = name.clone();
        for (union, union_at) in &found.unions {
            let hint = format!("{name}Variant");
            let lowered = self.lower_union(union, union_at, &hint)?;
            let keyword = self.union_keyword(union);
            self.flatten_into(&name, wrap_nullable(lowered.ty, lowered.nullable), keyword);
        }
        Ok(shape)
    }

    /// No objects: one union, or values of one JSON type merged.
    fn merged_value(
        &mut self,
        parts: ObjectParts<'_>,
        found: &Members<'_>,
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Shape> {
        match (found.unions.as_slice(), found.values.as_slice()) {
            ([], []) => self.lower_object(parts, &SchemaData::default(), at, slot),
            ([(union, union_at)], []) => self.lower_union(union, union_at, slot_hint(slot)),
            ([(_, first), (_, second), ..], _) => Err(Error::Unsupported {
                at: self.spec.at(second),
                message: format!(
                    "an `allOf` of several unions (the first at {}): combine them into one `oneOf`/`anyOf`",
                    self.place(first)
                ),
            }),
            ([(_, union_at)], [(class, _, _, value_at), ..]) => Err(Error::Unsupported {
                at: self.spec.at(value_at),
                message: format!(
                    "an `allOf` member that is {} beside the union at {}: use the union's alternative alone",
                    a_word(class),
                    self.place(union_at)
                ),
            }),
            ([], values) => {
                let (first_class, _, _, first_at) = &values[0];
                for (class, _, _, value_at) in &values[1..] {
                    let agree = class == first_class
                        || matches!(
                            (first_class, class),
                            (Class::Integer, Class::Number) | (Class::Number, Class::Integer)
                        );
                    let arrays = *class == Class::Array;
                    if !agree || arrays || *class == Class::Other {
                        return Err(Error::Unsupported {
                            at: self.spec.at(value_at),
                            message: if agree {
                                format!(
                                    "an `allOf` of two {}s (the other at {}): only primitives of one type can be merged",
                                    if arrays {
                                        "array"
                                    } else {
                                        "enums or other value"
                                    },
                                    self.place(first_at)
                                )
                            } else {
                                format!(
                                    "an `allOf` member that is {} beside {} at {}: no value is both",
                                    a_word(class),
                                    a_word(first_class),
                                    self.place(first_at)
                                )
                            },
                        });
                    }
                }
                // The base: an enum if one member is, else an integer over a
                // number, else the first.
                let enums: Vec<usize> = (0..values.len())
                    .filter(|i| has_enum(values[*i].2))
                    .collect();
                if let [_, second, ..] = enums.as_slice() {
                    return Err(Error::Unsupported {
                        at: self.spec.at(&values[*second].3),
                        message: format!(
                            "an `allOf` of two enums (the other at {}): list the allowed values once",
                            self.place(&values[enums[0]].3)
                        ),
                    });
                }
                let base = enums.first().copied().unwrap_or_else(|| {
                    values
                        .iter()
                        .position(|v| v.0 == Class::Integer)
                        .unwrap_or(0)
                });
                let (_, schema, _, base_at) = &values[base];
                let mut shape = self.lower_schema(*schema, base_at, slot_hint(slot))?;
                for (i, (_, _, resolved, _)) in values.iter().enumerate() {
                    if i != base {
                        shape.nullable |= resolved.schema_data.nullable;
                        merge_constraints(&mut shape.constraints, &constraints_of(resolved));
                    }
                }
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
        }
    }

    fn lower_union(&mut self, union: &Union<'_>, at: &Pointer, hint: &str) -> Result<Shape> {
        match union {
            Union::Member(schema) => self.lower_schema(*schema, at, hint),
            Union::Alternatives {
                alternatives,
                keyword,
                data,
            } => self.lower_alternatives(alternatives, keyword, data, at, Slot::Hint(hint)),
        }
    }

    fn union_keyword(&self, union: &Union<'_>) -> &'static str {
        match union {
            Union::Alternatives { keyword, .. } => keyword,
            Union::Member(schema) => match self.resolve(*schema).and_then(alternatives_of) {
                Some((keyword, _)) => keyword,
                None => "oneOf",
            },
        }
    }

    /// Whether some alternative of `union` can be an object.
    fn union_has_object(&self, union: &Union<'_>) -> bool {
        let alternatives = match union {
            Union::Alternatives { alternatives, .. } => *alternatives,
            Union::Member(schema) => match self.resolve(*schema).and_then(alternatives_of) {
                Some((_, alternatives)) => alternatives,
                None => return true,
            },
        };
        alternatives.iter().any(|a| {
            matches!(
                self.class_of(a.into(), 0),
                Class::Object { .. } | Class::Map | Class::Any | Class::Other
            )
        })
    }

    /// Adds the flattened union `ty` to the struct `name`.
    pub(in crate::lower) fn flatten_into(&mut self, name: &str, ty: TypeRef, keyword: &str) {
        if let Some(TypeDef {
            kind: TypeKind::Struct(s),
            ..
        }) = self.types.get_mut(name)
        {
            let rust = (1..)
                .map(|n| {
                    if n == 1 {
                        "variant".to_owned()
                    } else {
                        format!("variant_{n}")
                    }
                })
                .find(|c| {
                    s.fields.iter().all(|f| &f.rust != c)
                        && s.flattened.iter().all(|f| &f.rust != c)
                })
                .expect("an unbounded range always yields a free name");
            s.flattened.push(Flattened {
                rust,
                ty,
                docs: Some(format!(
                    "Which of the `{keyword}` alternatives the value is."
                )),
            });
        }
    }

    /// Sorts what `schema` (an allOf member at `at`) says into `parts` and `found`.
    fn collect<'s>(
        &mut self,
        original: SchemaRef<'s>,
        at: &Pointer,
        parts: &mut ObjectParts<'s>,
        found: &mut Members<'s>,
        depth: usize,
    ) -> Result<()>
    where
        'a: 's,
    {
        if depth > 32 {
            return Err(Error::Unsupported {
                at: self.spec.at(at),
                message: "`allOf` members that include themselves".to_owned(),
            });
        }
        let (schema, target) = match original {
            SchemaRef::Ref(reference) if !super::super::schema::is_component_ref(reference) => {
                match self.resolve_deep(reference, 0) {
                    Some(found) => found,
                    None => return Err(self.unresolved(at)),
                }
            }
            SchemaRef::Ref(reference) => {
                let key = self.ref_key(reference, at)?;
                let Some((schema, key)) = self.component_schema(&key) else {
                    return Err(self.unresolved(at));
                };
                let target = Pointer::root()
                    .push("components")
                    .push("schemas")
                    .push(&key);
                (schema, target)
            }
            SchemaRef::Inline(schema) => (schema, at.clone()),
        };
        let schema: &'s Schema = schema;
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                self.add_parts(
                    ObjectParts::of(
                        &o.properties,
                        &o.required,
                        o.additional_properties.as_ref(),
                        &target,
                    ),
                    parts,
                )?;
                found.object.get_or_insert_with(|| at.clone());
            }
            SchemaKind::Type(_) => {
                let class = self.class_of(SchemaRef::Inline(schema), 0);
                found.values.push((class, original, schema, at.clone()));
            }
            SchemaKind::AllOf { all_of } => {
                self.collect_members(all_of, &target, parts, found, depth)?;
            }
            SchemaKind::OneOf { one_of: alts } | SchemaKind::AnyOf { any_of: alts } => {
                if !self.only_constrain(alts) {
                    found.unions.push((Union::Member(original), at.clone()));
                }
            }
            SchemaKind::Any(any) => {
                self.collect_any(any, original, schema, &target, at, parts, found, depth)?
            }
            SchemaKind::Not { .. } => {
                found
                    .values
                    .push((Class::Other, original, schema, at.clone()));
            }
        }
        Ok(())
    }

    /// [`Self::collect`] for a schema of several keywords (`target` is where
    /// it is, `at` the member that reaches it).
    #[allow(clippy::too_many_arguments)]
    fn collect_any<'s>(
        &mut self,
        any: &'s AnySchema,
        original: SchemaRef<'s>,
        schema: &'s Schema,
        target: &Pointer,
        at: &Pointer,
        parts: &mut ObjectParts<'s>,
        found: &mut Members<'s>,
        depth: usize,
    ) -> Result<()>
    where
        'a: 's,
    {
        let object = !any.properties.is_empty()
            || any.typ.as_deref() == Some("object")
            || any.additional_properties.is_some();
        let (keyword, alternatives) = if any.one_of.is_empty() {
            ("anyOf", &any.any_of)
        } else {
            ("oneOf", &any.one_of)
        };
        if !any.one_of.is_empty() && !any.any_of.is_empty() {
            return Err(Error::Unsupported {
                at: self.spec.at(target),
                message: "a schema with both oneOf and anyOf: combine them into one".to_owned(),
            });
        }
        if object {
            self.add_parts(
                ObjectParts::of(
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    target,
                ),
                parts,
            )?;
            found.object.get_or_insert_with(|| at.clone());
            if !alternatives.is_empty() && !self.only_constrain(alternatives) {
                let union = Union::Alternatives {
                    alternatives,
                    keyword,
                    data: &schema.schema_data,
                };
                found.unions.push((union, target.clone()));
            }
        } else if !alternatives.is_empty() {
            if !self.only_constrain(alternatives) {
                found.unions.push((Union::Member(original), at.clone()));
            }
        } else if any.typ.is_some() || any.items.is_some() || !any.enumeration.is_empty() {
            let class = self.class_of(SchemaRef::Inline(schema), 0);
            found.values.push((class, original, schema, at.clone()));
        } else if any.all_of.is_empty() {
            found.constraints.push(schema);
        } else {
            // `required` beside a nested allOf applies to the merged object.
            self.add_parts(
                ObjectParts::of(&any.properties, &any.required, None, target),
                parts,
            )?;
            found.constraints.push(schema);
        }
        if object || !any.all_of.is_empty() && alternatives.is_empty() {
            self.collect_members(&any.all_of, target, parts, found, depth)?;
        }
        Ok(())
    }

    fn collect_members<'s>(
        &mut self,
        members: &'s [ReferenceOr<Schema>],
        at: &Pointer,
        parts: &mut ObjectParts<'s>,
        found: &mut Members<'s>,
        depth: usize,
    ) -> Result<()>
    where
        'a: 's,
    {
        for (i, member) in members.iter().enumerate() {
            let member_at = at.push("allOf").push(i);
            self.collect(member.into(), &member_at, parts, found, depth + 1)?;
        }
        Ok(())
    }

    /// Where `at` is, for a message about another place: the pointer, with
    /// its file when that is not the spec's own.
    fn place(&self, at: &Pointer) -> String {
        let location = self.spec.at(at);
        if location.file == self.spec.file {
            location.pointer
        } else {
            location.to_string()
        }
    }

    fn unresolved(&self, at: &Pointer) -> Error {
        Error::Unsupported {
            at: self.spec.at(at),
            message: "an `allOf` member whose `$ref` does not lead to a schema".to_owned(),
        }
    }

    /// Whether every alternative only constrains (`{required: [a]}`): the
    /// union adds no type.
    pub(super) fn only_constrain(&self, alternatives: &[ReferenceOr<Schema>]) -> bool {
        alternatives.iter().all(|a| {
            self.resolve(a.into())
                .is_some_and(|s| match &s.schema_kind {
                    SchemaKind::Any(any) => {
                        any.typ.is_none()
                            && any.properties.is_empty()
                            && any.items.is_none()
                            && any.enumeration.is_empty()
                            && any.additional_properties.is_none()
                            && any.one_of.is_empty()
                            && any.any_of.is_empty()
                            && any.all_of.is_empty()
                            && any.not.is_none()
                    }
                    _ => false,
                })
        })
    }
}

/// The alternatives of a union schema, with their keyword.
fn alternatives_of(schema: &Schema) -> Option<(&'static str, &[ReferenceOr<Schema>])> {
    match &schema.schema_kind {
        SchemaKind::OneOf { one_of } => Some(("oneOf", one_of)),
        SchemaKind::AnyOf { any_of } => Some(("anyOf", any_of)),
        SchemaKind::Any(any) if !any.one_of.is_empty() => Some(("oneOf", &any.one_of)),
        SchemaKind::Any(any) if !any.any_of.is_empty() => Some(("anyOf", &any.any_of)),
        _ => None,
    }
}

fn has_enum(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => !s.enumeration.is_empty(),
        SchemaKind::Type(Type::Integer(i)) => !i.enumeration.is_empty(),
        SchemaKind::Type(Type::Number(n)) => !n.enumeration.is_empty(),
        SchemaKind::Any(any) => !any.enumeration.is_empty(),
        _ => false,
    }
}

fn a_word(class: &Class) -> String {
    let word = match class {
        Class::Other => "an enum or other value",
        other => other.word(),
    };
    if word.starts_with(['a', 'i', 'o']) && !word.starts_with("an ") {
        format!("an {word}")
    } else if word.starts_with("an ") {
        word.to_owned()
    } else {
        format!("a {word}")
    }
}
