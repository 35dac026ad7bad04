//! Lowering of responses: every declared status (codes, `2XX` ranges and
//! `default`) with its media type, body type and headers ([`Response`]), and
//! the two summaries the emitters use: the success type (the JSON body of the
//! first 2xx) and the error type (`default`, else the first 4xx/5xx).
//!
//! Types are lowered once per response: the first success is named
//! `<Op>Response`, the chosen error `<Op>Error`, any other `<Op>Response<status>`.

use openapiv3::{Header, MediaType, ParameterSchemaOrContent, ReferenceOr, StatusCode};

use super::Lowerer;
use super::names::{Namer, field_name, type_name};
use super::schema::SchemaRef;
use crate::error::{Error, Result};
use crate::ir::{Field, MediaKind, Response, Status, TypeRef};
use crate::load::Spec;
use crate::pointer::Pointer;

/// What [`Lowerer::lower_responses`] gives: the success type, the error type
/// and every response.
pub(super) type Responses = (Option<TypeRef>, Option<TypeRef>, Vec<Response>);

impl<'a> Lowerer<'a> {
    pub(super) fn lower_responses(
        &mut self,
        op: &'a openapiv3::Operation,
        at: &Pointer,
        op_name: &str,
    ) -> Result<Responses> {
        let r_at = at.push("responses");
        let mut all: Vec<(Status, Pointer, &'a ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .map(|(code, r)| (status_of(code), r_at.push(code), r))
            .collect();
        if let Some(r) = &op.responses.default {
            all.push((Status::Default, r_at.push("default"), r));
        }
        all.sort_by_key(|(status, _, _)| *status);
        let success = all.iter().position(|(s, _, _)| s.is_success());
        let failure = all
            .iter()
            .position(|(s, _, _)| *s == Status::Default)
            .or_else(|| {
                all.iter().position(|(s, _, _)| {
                    matches!(s, Status::Code(c) if *c >= 400)
                        || matches!(s, Status::Range(r) if *r >= 4)
                })
            });
        // The success, then the error, then the rest: the order names are claimed in.
        let first: Vec<usize> = success.into_iter().chain(failure).collect();
        let order = first
            .iter()
            .copied()
            .chain((0..all.len()).filter(|i| !first.contains(i)));
        let mut lowered: Vec<Option<Response>> = vec![None; all.len()];
        for i in order {
            let (status, p, r) = &all[i];
            let hint = if Some(i) == success {
                format!("{op_name}Response")
            } else if Some(i) == failure {
                format!("{op_name}Error")
            } else {
                format!("{op_name}Response{}", type_name(&status.label()))
            };
            lowered[i] = Some(self.lower_response(*status, r, p, &hint)?);
        }
        let responses: Vec<Response> = lowered.into_iter().flatten().collect();
        let json_ty = |i: Option<usize>| {
            let r = &responses[i?];
            match r.kind {
                Some(MediaKind::Json) => r.ty.clone(),
                _ => None,
            }
        };
        Ok((json_ty(success), json_ty(failure), responses))
    }

    fn lower_response(
        &mut self,
        status: Status,
        response: &'a ReferenceOr<openapiv3::Response>,
        at: &Pointer,
        hint: &str,
    ) -> Result<Response> {
        let spec: &'a Spec = self.spec;
        let (at, response) = match response {
            ReferenceOr::Item(r) => (at.clone(), r),
            ReferenceOr::Reference { reference } => {
                let found = reference
                    .strip_prefix("#/components/responses/")
                    .and_then(|key| spec.api.components.as_ref()?.responses.get(key));
                match found {
                    Some(ReferenceOr::Item(r)) => {
                        (Pointer::from_ref(reference).unwrap_or_default(), r)
                    }
                    _ => {
                        return Err(Error::Unsupported {
                            at: self.spec.at(&at.push("$ref")),
                            message: format!(
                                "response $ref '{reference}' must name a response under #/components/responses"
                            ),
                        });
                    }
                }
            }
        };
        // The JSON media type when there is one, else the first.
        let media: Option<(&String, &MediaType)> = response
            .content
            .iter()
            .find(|(ct, _)| MediaKind::of(ct) == MediaKind::Json)
            .or_else(|| response.content.first());
        let (content_type, kind, ty) = match media {
            None => (None, None, None),
            Some((ct, m)) => {
                let kind = MediaKind::of(ct);
                let ty = match (kind, &m.schema) {
                    (MediaKind::Json, Some(schema)) => {
                        let shape = self.lower_schema(
                            SchemaRef::from(schema),
                            &at.push("content").push(ct).push("schema"),
                            hint,
                        )?;
                        Some(if shape.nullable {
                            TypeRef::Option(Box::new(shape.ty))
                        } else {
                            shape.ty
                        })
                    }
                    (MediaKind::Json, None) => Some(TypeRef::Json),
                    (MediaKind::Text, _) => Some(TypeRef::String),
                    (MediaKind::Binary | MediaKind::Multipart | MediaKind::Form, _) => {
                        Some(TypeRef::Binary)
                    }
                };
                (Some(ct.clone()), Some(kind), ty)
            }
        };
        let mut names = Namer::default();
        let mut headers = Vec::new();
        for (name, header) in &response.headers {
            let h_at = at.push("headers").push(name);
            let (h_at, header) = resolve_header(spec, header, &h_at)?;
            // `Content-Type` is described by `content`; the spec says to ignore it here.
            if name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            headers.push(self.lower_header(name, header, &h_at, hint, &mut names)?);
        }
        Ok(Response {
            status,
            content_type,
            kind,
            ty,
            headers,
            docs: Some(response.description.clone()).filter(|d| !d.is_empty()),
            pointer: at,
        })
    }

    fn lower_header(
        &mut self,
        name: &str,
        header: &'a Header,
        at: &Pointer,
        hint: &str,
        names: &mut Namer,
    ) -> Result<Field> {
        let schema = match &header.format {
            ParameterSchemaOrContent::Schema(s) => s,
            ParameterSchemaOrContent::Content(_) => {
                return Err(Error::Unsupported {
                    at: self.spec.at(&at.push("content")),
                    message: format!(
                        "response header '{name}' described by `content` instead of `schema`"
                    ),
                });
            }
        };
        let shape = self.lower_schema(
            schema.into(),
            &at.push("schema"),
            &format!("{hint}{}", type_name(name)),
        )?;
        Ok(Field {
            wire: name.to_owned(),
            rust: names.claim(&field_name(name)),
            ty: shape.ty,
            required: header.required,
            nullable: false,
            boxed: false,
            docs: header.description.clone().or(shape.docs),
            constraints: shape.constraints,
            default: shape.default,
            deprecated: header.deprecated.unwrap_or(false) || shape.deprecated,
            read_only: false,
            write_only: false,
            style: None,
            pointer: at.clone(),
        })
    }
}

fn resolve_header<'p>(
    spec: &'p Spec,
    header: &'p ReferenceOr<Header>,
    at: &Pointer,
) -> Result<(Pointer, &'p Header)> {
    match header {
        ReferenceOr::Item(h) => Ok((at.clone(), h)),
        ReferenceOr::Reference { reference } => {
            let found = reference
                .strip_prefix("#/components/headers/")
                .and_then(|key| spec.api.components.as_ref()?.headers.get(key));
            match found {
                Some(ReferenceOr::Item(h)) => {
                    Ok((Pointer::from_ref(reference).unwrap_or_default(), h))
                }
                _ => Err(Error::Unsupported {
                    at: spec.at(&at.push("$ref")),
                    message: format!(
                        "header $ref '{reference}' must name a header under #/components/headers"
                    ),
                }),
            }
        }
    }
}

fn status_of(code: &StatusCode) -> Status {
    match code {
        StatusCode::Code(c) => Status::Code(*c),
        StatusCode::Range(r) => Status::Range(*r),
    }
}
