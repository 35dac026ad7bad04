//! Lowering of request bodies. Every media type the spec lists is kept in the
//! IR ([`BodyMedia`]); the params type sends the preferred one
//! ([`MediaKind::preference`]: JSON, form, multipart, text, bytes). An object
//! schema of a JSON, form or multipart body becomes one field per property
//! (form and multipart properties keep their `encoding` style; multipart
//! properties of `format: binary` are files, [`TypeRef::Binary`] or a `Vec`
//! of them, and those whose `encoding.contentType` is JSON are JSON parts,
//! both recorded in [`BodyMedia`]); any other body is one field named
//! `body`: a JSON value of any schema (array, scalar, enum, union, or a map:
//! an object with only `additionalProperties`),
//! a `String` for `text/*`, a [`TypeRef::Binary`] for everything else
//! (`application/octet-stream`, images, and media types this generator does
//! not know, such as `application/xml`, sent as raw bytes).

use openapiv3::{MediaType, QueryStyle, ReferenceOr, RequestBody, Schema, SchemaKind, Type};

use super::Lowerer;
use super::names::{Namer, field_name, type_name};
use crate::error::{Error, Result};
use crate::ir::{Body, BodyMedia, Constraints, Field, MediaKind, ParamStyle, TypeKind, TypeRef};
use crate::load::Spec;
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    pub(super) fn lower_body(
        &mut self,
        body: &'a ReferenceOr<RequestBody>,
        at: &Pointer,
        op_name: &str,
    ) -> Result<Option<Body>> {
        let spec: &'a Spec = self.spec;
        let (at, body) = match body {
            ReferenceOr::Item(b) => (at.clone(), b),
            ReferenceOr::Reference { reference } => {
                let found = reference
                    .strip_prefix("#/components/requestBodies/")
                    .and_then(|key| spec.api.components.as_ref()?.request_bodies.get(key));
                match found {
                    Some(ReferenceOr::Item(b)) => {
                        (Pointer::from_ref(reference).unwrap_or_default(), b)
                    }
                    _ => {
                        return Err(Error::Unsupported {
                            at: self.spec.at(&at.push("$ref")),
                            message: format!(
                                "request body $ref '{reference}' must name a body under #/components/requestBodies"
                            ),
                        });
                    }
                }
            }
        };
        // The preferred media type; the first listed among equals.
        let Some((content_type, media)) = body
            .content
            .iter()
            .enumerate()
            .min_by_key(|(i, (ct, _))| (MediaKind::of(ct).preference(), *i))
            .map(|(_, entry)| entry)
        else {
            return Ok(None);
        };
        let kind = MediaKind::of(content_type);
        let m_at = at.push("content").push(content_type);
        let object = match (&media.schema, kind) {
            (Some(schema), MediaKind::Json | MediaKind::Form | MediaKind::Multipart) => {
                let s_at = m_at.push("schema");
                match resolve_schema(spec, schema, &s_at) {
                    // A JSON map (`additionalProperties` alone) is one value.
                    Some((_, s)) if kind == MediaKind::Json && is_map(s) => None,
                    Some((s_at, s)) => object_parts(s).map(|parts| (s_at, parts)),
                    None => None,
                }
            }
            _ => None,
        };
        let mut fields = Vec::new();
        let mut deny_unknown = false;
        let mut chosen_ty = None;
        let mut files = Vec::new();
        let mut json_parts = Vec::new();
        let whole;
        if let Some((s_at, (properties, required, deny))) = object {
            whole = false;
            deny_unknown = deny;
            if let Some(ReferenceOr::Reference { reference }) = &media.schema {
                chosen_ty = self.ref_type(reference);
                // The body is sent as fields, but its examples are the component's.
                if let Some(ty) = &chosen_ty {
                    self.uses.record(&m_at.push("schema"), ty, false);
                }
            }
            let mut field_names = Namer::default();
            for (wire, prop) in properties {
                let p_at = s_at.push("properties").push(wire);
                // Multipart files (`format: binary`) are `FilePart`s.
                let file = (kind == MediaKind::Multipart)
                    .then(|| binary_shape(spec, prop))
                    .flatten();
                let part_type = part_content_type(media, wire);
                let (ty, shape) = match file {
                    Some(many) => {
                        files.push((wire.clone(), part_type));
                        let ty = if many {
                            TypeRef::Vec(Box::new(TypeRef::Binary))
                        } else {
                            TypeRef::Binary
                        };
                        (ty, None)
                    }
                    None => {
                        if kind == MediaKind::Multipart
                            && part_type
                                .as_deref()
                                .is_some_and(|t| MediaKind::of(t) == MediaKind::Json)
                        {
                            json_parts.push(wire.clone());
                        }
                        let shape = self.lower_schema(
                            prop.into(),
                            &p_at,
                            &format!("{op_name}{}", type_name(wire)),
                        )?;
                        (shape.ty.clone(), Some(shape))
                    }
                };
                // A readOnly property is the server's to set: no request sends it.
                if shape.as_ref().is_some_and(|s| s.read_only) {
                    continue;
                }
                // A part is sent or not: multipart has no `null`.
                let typed_part = kind == MediaKind::Multipart
                    && (file.is_some() || json_parts.last() == Some(wire));
                let docs = shape.as_ref().and_then(|s| s.docs.clone());
                fields.push(Field {
                    wire: wire.clone(),
                    rust: field_names.claim(&field_name(wire)),
                    ty,
                    required: required.contains(wire),
                    nullable: !typed_part && shape.as_ref().is_some_and(|s| s.nullable),
                    boxed: false,
                    docs,
                    constraints: shape
                        .as_ref()
                        .map(|s| s.constraints.clone())
                        .unwrap_or_default(),
                    default: shape.as_ref().and_then(|s| s.default.clone()),
                    deprecated: shape.as_ref().is_some_and(|s| s.deprecated),
                    read_only: false,
                    write_only: shape.as_ref().is_some_and(|s| s.write_only),
                    style: Some(encoding_style(media, wire)),
                    pointer: p_at,
                });
            }
            if fields.is_empty() && !body.required {
                return Ok(None);
            }
        } else if let Some((merged, merged_files)) =
            self.merged_form_fields(kind, media, &m_at, op_name)?
        {
            // A form or multipart body whose schema merges objects (`allOf`):
            // the merged struct's properties are its fields.
            whole = false;
            fields = merged;
            files = merged_files;
        } else {
            whole = true;
            let (ty, shape) = match (kind, &media.schema) {
                // No schema: nothing to send (as an empty object).
                (MediaKind::Form | MediaKind::Multipart, None) => return Ok(None),
                (MediaKind::Form | MediaKind::Multipart, Some(_)) => {
                    return Err(Error::Unsupported {
                        at: self.spec.at(&m_at.push("schema")),
                        message: format!(
                            "a `{content_type}` body that is not an object: form and multipart bodies are lowered to one field per property"
                        ),
                    });
                }
                (MediaKind::Json, Some(schema)) => {
                    let shape = self.lower_schema(
                        schema.into(),
                        &m_at.push("schema"),
                        &format!("{op_name}Body"),
                    )?;
                    (shape.ty.clone(), Some(shape))
                }
                (MediaKind::Json, None) => (TypeRef::Json, None),
                (MediaKind::Text, _) => (TypeRef::String, None),
                (MediaKind::Binary, _) => (TypeRef::Binary, None),
            };
            chosen_ty = Some(ty.clone());
            fields.push(Field {
                wire: "body".to_owned(),
                rust: "body".to_owned(),
                ty,
                required: body.required,
                nullable: shape.as_ref().is_some_and(|s| s.nullable),
                boxed: false,
                docs: body
                    .description
                    .clone()
                    .or_else(|| shape.as_ref().and_then(|s| s.docs.clone())),
                constraints: shape
                    .as_ref()
                    .map(|s| s.constraints.clone())
                    .unwrap_or_else(Constraints::default),
                default: shape.as_ref().and_then(|s| s.default.clone()),
                deprecated: shape.as_ref().is_some_and(|s| s.deprecated),
                read_only: false,
                write_only: false,
                style: None,
                pointer: m_at.clone(),
            });
        }
        let media_list = body
            .content
            .iter()
            .map(|(ct, m)| {
                let chosen = ct == content_type;
                let ty = if chosen {
                    chosen_ty.clone()
                } else {
                    match (&m.schema, MediaKind::of(ct)) {
                        (_, MediaKind::Text) => Some(TypeRef::String),
                        (_, MediaKind::Binary) => Some(TypeRef::Binary),
                        (Some(ReferenceOr::Reference { reference }), _) => self.ref_type(reference),
                        _ => None,
                    }
                };
                BodyMedia {
                    content_type: ct.clone(),
                    kind: MediaKind::of(ct),
                    ty,
                    files: if chosen { files.clone() } else { Vec::new() },
                    json_parts: if chosen {
                        json_parts.clone()
                    } else {
                        Vec::new()
                    },
                    pointer: at.push("content").push(ct),
                }
            })
            .collect();
        Ok(Some(Body {
            content_type: content_type.clone(),
            kind,
            media: media_list,
            whole,
            required: body.required,
            fields,
            deny_unknown,
            pointer: at,
        }))
    }

    /// The fields of a form or multipart body whose schema is not an object
    /// as written but lowers to one (an `allOf` of objects): the merged
    /// struct's properties (readOnly ones left out), each with its encoding,
    /// and the multipart file parts among them.
    #[allow(clippy::type_complexity)]
    fn merged_form_fields(
        &mut self,
        kind: MediaKind,
        media: &MediaType,
        m_at: &Pointer,
        op_name: &str,
    ) -> Result<Option<(Vec<Field>, Vec<(String, Option<String>)>)>> {
        let (MediaKind::Form | MediaKind::Multipart, Some(schema)) = (kind, &media.schema) else {
            return Ok(None);
        };
        let shape = self.lower_schema(
            schema.into(),
            &m_at.push("schema"),
            &format!("{op_name}Body"),
        )?;
        let TypeRef::Named(name) = &shape.ty else {
            return Ok(None);
        };
        let Some(TypeKind::Struct(s)) = self.types.get(name).map(|d| &d.kind) else {
            return Ok(None);
        };
        if !s.flattened.is_empty() || s.additional.is_some() {
            return Ok(None);
        }
        let mut files = Vec::new();
        let fields = s
            .fields
            .iter()
            .filter(|f| !f.read_only)
            .map(|f| {
                let is_file = matches!(&f.ty, TypeRef::Binary)
                    || matches!(&f.ty, TypeRef::Vec(t) if **t == TypeRef::Binary);
                if kind == MediaKind::Multipart && is_file {
                    files.push((f.wire.clone(), part_content_type(media, &f.wire)));
                }
                Field {
                    style: Some(encoding_style(media, &f.wire)),
                    boxed: false,
                    ..f.clone()
                }
            })
            .collect();
        Ok(Some((fields, files)))
    }

    /// The type of a `$ref` to a component schema, if it names one.
    fn ref_type(&self, reference: &str) -> Option<TypeRef> {
        let key = reference.strip_prefix("#/components/schemas/")?;
        self.components.get(key).cloned().map(TypeRef::Named)
    }
}

/// The schema a body's `schema` is, following one `$ref` to a component.
fn resolve_schema<'s>(
    spec: &'s Spec,
    schema: &'s ReferenceOr<Schema>,
    at: &Pointer,
) -> Option<(Pointer, &'s Schema)> {
    match schema {
        ReferenceOr::Item(s) => Some((at.clone(), s)),
        ReferenceOr::Reference { reference } => {
            let key = reference.strip_prefix("#/components/schemas/")?;
            match spec.api.components.as_ref()?.schemas.get(key)? {
                ReferenceOr::Item(s) => Some((Pointer::from_ref(reference).unwrap_or_default(), s)),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

type ObjectParts<'s> = (
    &'s indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>,
    &'s [String],
    bool,
);

fn object_parts(schema: &Schema) -> Option<ObjectParts<'_>> {
    use openapiv3::AdditionalProperties as A;
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some((
            &o.properties,
            &o.required,
            matches!(o.additional_properties, Some(A::Any(false))),
        )),
        SchemaKind::Any(a) if !a.properties.is_empty() || a.typ.as_deref() == Some("object") => {
            Some((
                &a.properties,
                &a.required,
                matches!(a.additional_properties, Some(A::Any(false))),
            ))
        }
        _ => None,
    }
}

/// An object schema without properties whose `additionalProperties` allows
/// keys: a map.
fn is_map(schema: &Schema) -> bool {
    use openapiv3::AdditionalProperties as A;
    let (properties, additional) = match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => (&o.properties, &o.additional_properties),
        SchemaKind::Any(a) => (&a.properties, &a.additional_properties),
        _ => return false,
    };
    properties.is_empty() && matches!(additional, Some(A::Schema(_)) | Some(A::Any(true)))
}

/// Whether a multipart property is a file (`type: string, format: binary`):
/// `Some(false)` for one file, `Some(true)` for an array of files.
fn binary_shape(spec: &Spec, prop: &ReferenceOr<Box<Schema>>) -> Option<bool> {
    let schema: &Schema = match prop {
        ReferenceOr::Item(s) => s,
        ReferenceOr::Reference { reference } => {
            let key = reference.strip_prefix("#/components/schemas/")?;
            match spec.api.components.as_ref()?.schemas.get(key)? {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { .. } => return None,
            }
        }
    };
    let is_binary = |s: &Schema| match &s.schema_kind {
        SchemaKind::Type(Type::String(st)) => matches!(
            &st.format,
            openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary)
        ),
        _ => false,
    };
    if is_binary(schema) {
        return Some(false);
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(a)) => match a.items.as_ref()? {
            ReferenceOr::Item(item) if is_binary(item) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// The content type a multipart part's `encoding` gives.
fn part_content_type(media: &MediaType, property: &str) -> Option<String> {
    media
        .encoding
        .get(property)
        .and_then(|e| e.content_type.clone())
}

fn encoding_style(media: &MediaType, property: &str) -> ParamStyle {
    match media.encoding.get(property) {
        Some(e) if matches!(e.style, Some(QueryStyle::DeepObject)) => ParamStyle::DeepObject,
        Some(e) => ParamStyle::Form { explode: e.explode },
        None => ParamStyle::Form { explode: true },
    }
}
