//! Lowering of paths and operations: the parameters (through `params`),
//! form/JSON request bodies with their `encoding`, and the success and
//! error response types. Also the rule that names operations.

use heck::ToUpperCamelCase;
use openapiv3::{
    MediaType, Parameter, QueryStyle, ReferenceOr, RequestBody, Response, Schema, SchemaKind,
    StatusCode, Type,
};

use super::Lowerer;
use super::names::{Namer, field_name, type_name};
use super::schema::SchemaRef;
use crate::error::{Error, Result};
use crate::ir::{Body, Field, Method, Operation, ParamStyle, TypeRef};
use crate::load::Spec;
use crate::pointer::Pointer;

impl<'a> Lowerer<'a> {
    pub(super) fn lower_operations(&mut self) -> Result<Vec<Operation>> {
        let spec: &'a Spec = self.spec;
        let mut paths: Vec<(&String, &ReferenceOr<openapiv3::PathItem>)> =
            spec.api.paths.paths.iter().collect();
        paths.sort_by(|a, b| a.0.cmp(b.0));
        let mut operations = Vec::new();
        for (path, item) in paths {
            let at = Pointer::root().push("paths").push(path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(Error::Unsupported {
                        at: self.spec.at(&at.push("$ref")),
                        message: "path items given by $ref".to_owned(),
                    });
                }
            };
            let methods = [
                (Method::Get, &item.get),
                (Method::Put, &item.put),
                (Method::Post, &item.post),
                (Method::Delete, &item.delete),
                (Method::Options, &item.options),
                (Method::Head, &item.head),
                (Method::Patch, &item.patch),
                (Method::Trace, &item.trace),
            ];
            for (method, op) in methods {
                if let Some(op) = op {
                    let at = at.push(method.as_str().to_lowercase());
                    operations.push(self.lower_operation(
                        method,
                        path,
                        &item.parameters,
                        op,
                        &at,
                    )?);
                }
            }
        }
        Ok(operations)
    }

    fn lower_operation(
        &mut self,
        method: Method,
        path: &str,
        shared_params: &'a [ReferenceOr<Parameter>],
        op: &'a openapiv3::Operation,
        at: &Pointer,
    ) -> Result<Operation> {
        let id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| format!("{} {path}", method.as_str()));
        let name = self.namer.claim(&operation_name(method, path, &id));
        let params = self.lower_params(path, shared_params, &op.parameters, at, &name)?;
        let body = match &op.request_body {
            Some(body) => self.lower_body(body, &at.push("requestBody"), &name)?,
            None => None,
        };
        let (response, error) = self.lower_responses(op, at, &name)?;
        Ok(Operation {
            id,
            name,
            method,
            path: path.to_owned(),
            pointer: at.clone(),
            resource: resource_of(&op.tags, path),
            feature: feature_of(&op.tags, path),
            summary: op.summary.clone(),
            docs: op.description.clone(),
            deprecated: op.deprecated,
            path_params: params.path,
            query_params: params.query,
            header_params: params.header,
            cookie_params: params.cookie,
            allow_reserved: params.allow_reserved,
            body,
            response,
            error,
        })
    }
}

impl<'a> Lowerer<'a> {
    fn lower_body(
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
        const PREFERRED: [&str; 3] = [
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "application/json",
        ];
        let Some((content_type, media)) = PREFERRED
            .iter()
            .find_map(|ct| body.content.get_key_value(*ct))
            .or_else(|| body.content.first())
        else {
            return Ok(None);
        };
        let m_at = at.push("content").push(content_type);
        let Some(schema) = &media.schema else {
            return Ok(None);
        };
        let s_at = m_at.push("schema");
        let (s_at, schema) = resolve_object_schema(spec, schema, &s_at)?;
        let Some((properties, required, deny_unknown)) = object_parts(schema) else {
            return Err(Error::Unsupported {
                at: self.spec.at(&s_at),
                message: "a request body that is not an object: bodies are lowered to one parameter per property".to_owned(),
            });
        };
        let mut field_names = Namer::default();
        let mut fields = Vec::with_capacity(properties.len());
        for (wire, prop) in properties {
            let p_at = s_at.push("properties").push(wire);
            let shape =
                self.lower_schema(prop.into(), &p_at, &format!("{op_name}{}", type_name(wire)))?;
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
                read_only: shape.read_only,
                write_only: shape.write_only,
                style: Some(encoding_style(media, wire)),
                pointer: p_at,
            });
        }
        if fields.is_empty() && !body.required {
            return Ok(None);
        }
        Ok(Some(Body {
            content_type: content_type.clone(),
            required: body.required,
            fields,
            deny_unknown,
            pointer: at,
        }))
    }
}

fn resolve_object_schema<'s>(
    spec: &'s Spec,
    schema: &'s ReferenceOr<Schema>,
    at: &Pointer,
) -> Result<(Pointer, &'s Schema)> {
    match schema {
        ReferenceOr::Item(s) => Ok((at.clone(), s)),
        ReferenceOr::Reference { reference } => {
            let found = reference
                .strip_prefix("#/components/schemas/")
                .and_then(|key| spec.api.components.as_ref()?.schemas.get(key));
            match found {
                Some(ReferenceOr::Item(s)) => {
                    Ok((Pointer::from_ref(reference).unwrap_or_default(), s))
                }
                _ => Err(Error::Unsupported {
                    at: spec.at(&at.push("$ref")),
                    message: format!(
                        "request body schema $ref '{reference}' must name an object schema under #/components/schemas"
                    ),
                }),
            }
        }
    }
}

impl<'a> Lowerer<'a> {
    fn lower_responses(
        &mut self,
        op: &'a openapiv3::Operation,
        at: &Pointer,
        op_name: &str,
    ) -> Result<(Option<TypeRef>, Option<TypeRef>)> {
        let r_at = at.push("responses");
        let mut codes: Vec<(&StatusCode, &ReferenceOr<Response>)> =
            op.responses.responses.iter().collect();
        codes.sort_by_key(|(code, _)| status_key(code));
        let success = codes
            .iter()
            .find(|(code, _)| (200..300).contains(&status_key(code)));
        let failure = op
            .responses
            .default
            .as_ref()
            .map(|r| (r_at.push("default"), r))
            .or_else(|| {
                codes
                    .iter()
                    .find(|(code, _)| status_key(code) >= 400)
                    .map(|(c, r)| (r_at.push(c), *r))
            });
        let response = match success {
            Some((code, r)) => {
                self.lower_response(r, &r_at.push(code), &format!("{op_name}Response"))?
            }
            None => None,
        };
        let error = match failure {
            Some((e_at, r)) => self.lower_response(r, &e_at, &format!("{op_name}Error"))?,
            None => None,
        };
        Ok((response, error))
    }

    fn lower_response(
        &mut self,
        response: &'a ReferenceOr<Response>,
        at: &Pointer,
        hint: &str,
    ) -> Result<Option<TypeRef>> {
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
        let json = response
            .content
            .iter()
            .find(|(ct, _)| ct.starts_with("application/json") || ct.ends_with("+json"));
        let Some((
            ct,
            MediaType {
                schema: Some(schema),
                ..
            },
        )) = json
        else {
            return Ok(None);
        };
        let shape = self.lower_schema(
            SchemaRef::from(schema),
            &at.push("content").push(ct).push("schema"),
            hint,
        )?;
        Ok(Some(if shape.nullable {
            TypeRef::Option(Box::new(shape.ty))
        } else {
            shape.ty
        }))
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

fn encoding_style(media: &MediaType, property: &str) -> ParamStyle {
    match media.encoding.get(property) {
        Some(e) if matches!(e.style, Some(QueryStyle::DeepObject)) => ParamStyle::DeepObject,
        Some(e) => ParamStyle::Form { explode: e.explode },
        None => ParamStyle::Form { explode: true },
    }
}

fn status_key(code: &StatusCode) -> u16 {
    match code {
        StatusCode::Code(c) => *c,
        StatusCode::Range(r) => r * 100,
    }
}

/// The resource an operation serves: its first tag, else the static path
/// segments after a version segment (`/v1/promotion_codes/{id}` -> `promotion_codes`).
fn resource_of(tags: &[String], path: &str) -> String {
    if let Some(tag) = tags.first() {
        return tag.clone();
    }
    let statics: Vec<&str> = path_segments(path)
        .into_iter()
        .filter(|s| !s.starts_with('{'))
        .collect();
    if statics.is_empty() {
        "root".to_owned()
    } else {
        statics.join("_")
    }
}

/// The cargo feature of an operation: its first tag, else its first static
/// path segment after the version, in snake_case (`promotion_codes`).
fn feature_of(tags: &[String], path: &str) -> String {
    let raw = match tags.first() {
        Some(tag) => tag.clone(),
        None => path_segments(path)
            .into_iter()
            .find(|s| !s.starts_with('{'))
            .unwrap_or("root")
            .to_owned(),
    };
    let name = field_name(&raw).trim_end_matches('_').to_owned();
    // Feature names the generated crate uses for other things.
    if ["default", "full", "proptest", "server", "client"].contains(&name.as_str()) {
        format!("{name}_resource")
    } else {
        name
    }
}

/// Path segments without empty ones and without a leading version (`v1`).
fn path_segments(path: &str) -> Vec<&str> {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let is_version =
        |s: &str| s.len() >= 2 && s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit());
    if segments.first().is_some_and(|s| is_version(s)) {
        segments.remove(0);
    }
    segments
}

/// Names an operation. Collection and item paths (`/v1/things`,
/// `/v1/things/{id}`, `/v1/parents/{p}/things`) get CRUD names:
/// `ListThings`, `CreateThing`, `RetrieveThing`, `UpdateThing`, `DeleteThing`.
/// Anything else is named after its `operationId`.
pub fn operation_name(method: Method, path: &str, operation_id: &str) -> String {
    let segments = path_segments(path);
    let alternating = !segments.is_empty()
        && segments
            .iter()
            .enumerate()
            .all(|(i, s)| (i % 2 == 1) == (s.starts_with('{') && s.ends_with('}')));
    let fallback = || type_name(operation_id);
    if !alternating {
        return fallback();
    }
    let statics: Vec<&str> = segments.iter().copied().step_by(2).collect();
    let (parents, last) = statics.split_at(statics.len() - 1);
    let last = last[0];
    let item = segments.len().is_multiple_of(2);
    let parents: String = parents
        .iter()
        .map(|p| singular(p).to_upper_camel_case())
        .collect();
    let plural = last.to_upper_camel_case();
    let one = singular(last).to_upper_camel_case();
    if !is_plural(last) {
        return fallback();
    }
    match (method, item) {
        (Method::Get, false) => format!("List{parents}{plural}"),
        (Method::Post, false) => format!("Create{parents}{one}"),
        (Method::Get, true) => format!("Retrieve{parents}{one}"),
        (Method::Post, true) => format!("Update{parents}{one}"),
        (Method::Delete, true) => format!("Delete{parents}{one}"),
        _ => fallback(),
    }
}

fn is_plural(word: &str) -> bool {
    word.ends_with('s') && !word.ends_with("ss")
}

/// A simple English singular: `promotion_codes` -> `promotion_code`,
/// `countries` -> `country`, `boxes` -> `box`.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = ["sses", "xes", "ches", "shes"]
        .iter()
        .find_map(|s| word.strip_suffix(s).map(|st| (st, s)))
    {
        format!("{}{}", stem.0, &stem.1[..stem.1.len() - 2])
    } else if is_plural(word) {
        word[..word.len() - 1].to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crud_paths_get_crud_names() {
        let name = |m, p| operation_name(m, p, "FallbackId");
        assert_eq!(
            name(Method::Get, "/v1/promotion_codes"),
            "ListPromotionCodes"
        );
        assert_eq!(
            name(Method::Post, "/v1/promotion_codes"),
            "CreatePromotionCode"
        );
        assert_eq!(
            name(Method::Get, "/v1/promotion_codes/{promotion_code}"),
            "RetrievePromotionCode"
        );
        assert_eq!(
            name(Method::Post, "/v1/promotion_codes/{promotion_code}"),
            "UpdatePromotionCode"
        );
        assert_eq!(name(Method::Delete, "/v1/coupons/{coupon}"), "DeleteCoupon");
        assert_eq!(
            name(Method::Get, "/v1/customers/{customer}/tax_ids"),
            "ListCustomerTaxIds"
        );
        assert_eq!(name(Method::Post, "/v1/countries"), "CreateCountry");
        assert_eq!(name(Method::Get, "/v1/balance"), "FallbackId");
        assert_eq!(name(Method::Get, "/v1/customers/search"), "FallbackId");
        assert_eq!(
            name(Method::Post, "/v1/invoices/{invoice}/pay"),
            "FallbackId"
        );
    }

    #[test]
    fn resources_come_from_tags_then_paths() {
        assert_eq!(
            resource_of(&["Coupons".to_owned()], "/v1/coupons"),
            "Coupons"
        );
        assert_eq!(
            resource_of(&[], "/v1/promotion_codes/{promotion_code}"),
            "promotion_codes"
        );
        assert_eq!(
            resource_of(&[], "/v1/customers/{customer}/sources"),
            "customers_sources"
        );
    }
}
