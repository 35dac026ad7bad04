//! Lowering of paths and operations: the parameters (through `params`);
//! request bodies (`body.rs`), responses (`response.rs`) and security
//! requirements (`security.rs`) are lowered by their own modules. Also the
//! rule that names operations.

use heck::ToUpperCamelCase;
use openapiv3::{Parameter, ReferenceOr};

use super::Lowerer;
use super::names::{field_name, type_name};
use crate::error::{Error, Result};
use crate::ir::{Method, Operation};
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
        let (response, error, responses) = self.lower_responses(op, at, &name)?;
        let security = self.lower_security(&self.security_schemes, &op.security, at)?;
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
            responses,
            security,
        })
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
