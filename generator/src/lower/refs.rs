//! `$ref`s to schemas that are not components themselves: a node inside a
//! component (`#/components/schemas/Tag/allOf/0`,
//! `.../properties/name`, `.../items`) or a parameter's schema
//! (`#/components/parameters/limit/schema`), or the schema of a response,
//! request body or header component
//! (`#/components/responses/Conflict/content/application~1json/schema`). Such a node is lowered once, at
//! its own pointer, and named after its path (`TagAllOf0`); every `$ref` to
//! it shares that type.

use openapiv3::{
    AdditionalProperties, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, Type,
};

use super::Lowerer;
use super::names::type_name;
use super::schema::{Shape, Slot};
use crate::error::{Error, Result};
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    /// Lowers a `$ref` to a schema node that is not a component (see the module docs).
    pub(super) fn lower_deep_ref(&mut self, reference: &str, at: &Pointer) -> Result<Shape> {
        if let Some(shape) = self.deep_refs.get(reference) {
            return Ok(shape.clone());
        }
        let Some((schema, pointer)) = self.resolve_deep(reference, 0) else {
            return Err(Error::Unsupported {
                at: self.spec.at(&at.push("$ref")),
                message: format!(
                    "schema $ref '{reference}' does not name a schema (a component, a node inside one, or the schema of a parameter, response, request body or header component)"
                ),
            });
        };
        let hint: String = pointer.tokens().skip(2).map(|t| type_name(&t)).collect();
        let shape = self.lower_inline(schema, &pointer, Slot::Hint(&hint))?;
        self.deep_refs.insert(reference.to_owned(), shape.clone());
        Ok(shape)
    }

    /// The schema a local `$ref` points at, and the pointer of that node.
    pub(super) fn resolve_deep(
        &self,
        reference: &str,
        depth: usize,
    ) -> Option<(&'a Schema, Pointer)> {
        if depth > 16 {
            return None;
        }
        let tokens: Vec<String> = reference
            .strip_prefix("#/")?
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect();
        let components = self.spec.api.components.as_ref()?;
        let (mut schema, rest, mut pointer): (&'a Schema, &[String], Pointer) = match tokens
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["components", "schemas", key, ..] => {
                let (schema, key) = self.component_schema(key)?;
                let at = Pointer::root()
                    .push("components")
                    .push("schemas")
                    .push(&key);
                (schema, &tokens[3..], at)
            }
            ["components", "parameters", key, "schema", ..] => {
                let ReferenceOr::Item(parameter) = components.parameters.get(*key)? else {
                    return None;
                };
                let ParameterSchemaOrContent::Schema(schema) =
                    &parameter.parameter_data_ref().format
                else {
                    return None;
                };
                let at = Pointer::root()
                    .push("components")
                    .push("parameters")
                    .push(key)
                    .push("schema");
                match schema {
                    ReferenceOr::Item(s) => (s, &tokens[4..], at),
                    ReferenceOr::Reference { reference } => {
                        let (s, at) = self.resolve_deep(reference, depth + 1)?;
                        (s, &tokens[4..], at)
                    }
                }
            }
            // The schema of a response, request body or header component.
            [
                "components",
                kind @ ("responses" | "requestBodies"),
                key,
                "content",
                media,
                "schema",
                ..,
            ] => {
                let content = match *kind {
                    "responses" => match components.responses.get(*key)? {
                        ReferenceOr::Item(r) => &r.content,
                        ReferenceOr::Reference { .. } => return None,
                    },
                    _ => match components.request_bodies.get(*key)? {
                        ReferenceOr::Item(b) => &b.content,
                        ReferenceOr::Reference { .. } => return None,
                    },
                };
                let schema = content.get(*media)?.schema.as_ref()?;
                let at = Pointer::root()
                    .push("components")
                    .push(kind)
                    .push(key)
                    .push("content")
                    .push(media)
                    .push("schema");
                match schema {
                    ReferenceOr::Item(s) => (s, &tokens[6..], at),
                    ReferenceOr::Reference { reference } => {
                        let (s, at) = self.resolve_deep(reference, depth + 1)?;
                        (s, &tokens[6..], at)
                    }
                }
            }
            ["components", "headers", key, "schema", ..] => {
                let ReferenceOr::Item(header) = components.headers.get(*key)? else {
                    return None;
                };
                let ParameterSchemaOrContent::Schema(schema) = &header.format else {
                    return None;
                };
                let at = Pointer::root()
                    .push("components")
                    .push("headers")
                    .push(key)
                    .push("schema");
                match schema {
                    ReferenceOr::Item(s) => (s, &tokens[4..], at),
                    ReferenceOr::Reference { reference } => {
                        let (s, at) = self.resolve_deep(reference, depth + 1)?;
                        (s, &tokens[4..], at)
                    }
                }
            }
            _ => return None,
        };
        let mut i = 0;
        while i < rest.len() {
            let token = rest[i].as_str();
            let next = rest.get(i + 1).map(String::as_str);
            // One step down: a schema or a reference to one, and how many tokens it took.
            let (child, used): (ReferenceOr<&'a Schema>, usize) = match (token, &schema.schema_kind)
            {
                ("allOf" | "oneOf" | "anyOf", kind) => {
                    let list = match (token, kind) {
                        ("allOf", SchemaKind::AllOf { all_of }) => all_of,
                        ("oneOf", SchemaKind::OneOf { one_of }) => one_of,
                        ("anyOf", SchemaKind::AnyOf { any_of }) => any_of,
                        ("allOf", SchemaKind::Any(a)) => &a.all_of,
                        ("oneOf", SchemaKind::Any(a)) => &a.one_of,
                        ("anyOf", SchemaKind::Any(a)) => &a.any_of,
                        _ => return None,
                    };
                    (as_ref(list.get(next?.parse::<usize>().ok()?)?), 2)
                }
                ("properties", kind) => {
                    let properties = match kind {
                        SchemaKind::Type(Type::Object(o)) => &o.properties,
                        SchemaKind::Any(a) => &a.properties,
                        _ => return None,
                    };
                    (as_boxed_ref(properties.get(next?)?), 2)
                }
                ("items", kind) => {
                    let items = match kind {
                        SchemaKind::Type(Type::Array(a)) => a.items.as_ref()?,
                        SchemaKind::Any(a) => a.items.as_ref()?,
                        _ => return None,
                    };
                    (as_boxed_ref(items), 1)
                }
                ("additionalProperties", kind) => {
                    let additional = match kind {
                        SchemaKind::Type(Type::Object(o)) => o.additional_properties.as_ref()?,
                        SchemaKind::Any(a) => a.additional_properties.as_ref()?,
                        _ => return None,
                    };
                    let AdditionalProperties::Schema(s) = additional else {
                        return None;
                    };
                    (as_ref(s), 1)
                }
                _ => return None,
            };
            for t in &rest[i..i + used] {
                pointer = pointer.push(t);
            }
            i += used;
            match child {
                ReferenceOr::Item(s) => schema = s,
                ReferenceOr::Reference { reference } => {
                    let (s, at) = self.resolve_deep(&reference, depth + 1)?;
                    schema = s;
                    pointer = at;
                }
            }
        }
        Some((schema, pointer))
    }
}

fn as_ref(r: &ReferenceOr<Schema>) -> ReferenceOr<&Schema> {
    match r {
        ReferenceOr::Item(s) => ReferenceOr::Item(s),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
    }
}

fn as_boxed_ref(r: &ReferenceOr<Box<Schema>>) -> ReferenceOr<&Schema> {
    match r {
        ReferenceOr::Item(s) => ReferenceOr::Item(s),
        ReferenceOr::Reference { reference } => ReferenceOr::Reference {
            reference: reference.clone(),
        },
    }
}
