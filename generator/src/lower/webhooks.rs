//! Lowering of OpenAPI 3.1 `webhooks`: requests the API sends to its users,
//! which a user's server receives. Each webhook (a path item under
//! `webhooks/<name>`, usually one `post`) becomes an [`ir::Webhook`] whose
//! JSON payload is lowered like any request body schema, so its types are
//! models (`{Name}Webhook` for an inline payload). `openapiv3` reads 3.0
//! documents and does not know `webhooks`, so the path items are read from
//! the raw document here.
//!
//! A webhook whose payload is not JSON is refused with the pointer of its
//! media type (the receiving router decodes JSON only).

use heck::ToSnakeCase;
use openapiv3::{PathItem, ReferenceOr, RequestBody};
use serde_json::Value;

use super::Lowerer;
use super::names::{Namer, type_name};
use crate::error::{Error, Result};
use crate::ir::{Method, Webhook};
use crate::pointer::Pointer;

impl Lowerer<'_> {
    /// Every webhook of the document, in document order.
    pub(super) fn lower_webhooks(&mut self) -> Result<Vec<Webhook>> {
        let Some(Value::Object(hooks)) = self.spec.raw.get("webhooks") else {
            return Ok(Vec::new());
        };
        let hooks = hooks.clone();
        let mut methods = Namer::default();
        let mut out = Vec::new();
        for (name, item) in &hooks {
            let at = Pointer::root().push("webhooks").push(name);
            let item: PathItem =
                serde_json::from_value(item.clone()).map_err(|e| Error::Invalid {
                    at: self.spec.at(&at),
                    message: format!("not a path item: {e}"),
                })?;
            let operations = [
                (Method::Get, &item.get),
                (Method::Put, &item.put),
                (Method::Post, &item.post),
                (Method::Delete, &item.delete),
                (Method::Options, &item.options),
                (Method::Head, &item.head),
                (Method::Patch, &item.patch),
                (Method::Trace, &item.trace),
            ];
            for (method, op) in operations {
                let Some(op) = op else { continue };
                let op_at = at.push(method.as_str().to_lowercase());
                let base = op.operation_id.clone().unwrap_or_else(|| name.clone());
                let rust = methods.claim(&base.to_snake_case());
                let (payload, required) = match &op.request_body {
                    None => (None, false),
                    Some(body) => {
                        let (body, body_at) =
                            self.resolve_body(body, &op_at.push("requestBody"))?;
                        let Some((media, content)) =
                            body.content.iter().find(|(media, _)| is_json(media))
                        else {
                            let media = body.content.keys().next().cloned().unwrap_or_default();
                            return Err(Error::Unsupported {
                                at: self.spec.at(&body_at.push("content").push(&media)),
                                message: format!(
                                    "a webhook payload of media type '{media}': only JSON payloads are received"
                                ),
                            });
                        };
                        let schema_at = body_at.push("content").push(media).push("schema");
                        let shape = match &content.schema {
                            Some(schema) => {
                                let hint = format!("{}Webhook", type_name(name));
                                Some(self.lower_schema(schema.into(), &schema_at, &hint)?)
                            }
                            None => None,
                        };
                        (shape.map(|s| s.ty), body.required)
                    }
                };
                out.push(Webhook {
                    name: name.clone(),
                    rust,
                    method,
                    summary: op.summary.clone(),
                    docs: op.description.clone(),
                    payload,
                    required,
                    pointer: op_at,
                });
            }
        }
        Ok(out)
    }

    /// The request body, following a `$ref` to `#/components/requestBodies`.
    fn resolve_body(
        &self,
        body: &ReferenceOr<RequestBody>,
        at: &Pointer,
    ) -> Result<(RequestBody, Pointer)> {
        match body {
            ReferenceOr::Item(body) => Ok((body.clone(), at.clone())),
            ReferenceOr::Reference { reference } => {
                let target = Pointer::from_ref(reference).ok_or_else(|| Error::DanglingRef {
                    at: self.spec.at(&at.push("$ref")),
                    target: reference.clone(),
                })?;
                let value = self
                    .spec
                    .raw
                    .pointer(target.json_pointer())
                    .cloned()
                    .ok_or_else(|| Error::DanglingRef {
                        at: self.spec.at(&at.push("$ref")),
                        target: reference.clone(),
                    })?;
                let body = serde_json::from_value(value).map_err(|e| Error::Invalid {
                    at: self.spec.at(&target),
                    message: format!("not a request body: {e}"),
                })?;
                Ok((body, target))
            }
        }
    }
}

/// `application/json` and the `+json` media types.
fn is_json(media: &str) -> bool {
    let media = media.split(';').next().unwrap_or("").trim();
    media == "application/json" || media.ends_with("+json")
}
