//! Emits `errors.rs`: `ApiError`, an error response (HTTP status and the
//! spec's error object, the type most operations give for `default` / 4xx).
//! When that object is shaped like Stripe's (`{error: {type, code, param,
//! message …}}`), `ApiError` also maps error types and codes to statuses and
//! converts a `form::ValidationError` into an `invalid_request_error` naming
//! the parameter and its code.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{Presence, Scope, ident, type_tokens_in};
use crate::ir::{Api, Field, Struct, TypeKind, TypeRef};

/// The error type most operations share.
pub(super) fn common_error(api: &Api) -> Option<&TypeRef> {
    let mut count: BTreeMap<&TypeRef, usize> = BTreeMap::new();
    for op in &api.operations {
        if let Some(e) = &op.error {
            *count.entry(e).or_default() += 1;
        }
    }
    let best = count.values().copied().max()?;
    // The first in operation order among the most common.
    api.operations
        .iter()
        .filter_map(|op| op.error.as_ref())
        .find(|e| count[e] == best)
}

fn structure<'a>(api: &'a Api, ty: &TypeRef) -> Option<(&'a str, &'a Struct)> {
    let TypeRef::Named(name) = ty else {
        return None;
    };
    let def = api.types.get(name)?;
    match &def.kind {
        TypeKind::Struct(s) => Some((def.name.as_str(), s)),
        TypeKind::Alias(target) => structure(api, target),
        _ => None,
    }
}

fn optional(f: &Field) -> bool {
    matches!(
        Presence::of(f),
        Presence::Optional | Presence::OptionalNullable
    )
}

/// Stripe's shape: the body struct, the field that wraps the details (if any),
/// the details struct, and its `type` field's kind (enum name or plain string).
struct Shape<'a> {
    body: &'a str,
    body_struct: &'a Struct,
    wrapper: Option<&'a Field>,
    details: &'a str,
    details_struct: &'a Struct,
    type_field: &'a Field,
}

fn stripe_shape<'a>(api: &'a Api, ty: &TypeRef) -> Option<Shape<'a>> {
    let (body, body_struct) = structure(api, ty)?;
    let wrapper = body_struct
        .fields
        .iter()
        .find(|f| f.wire == "error" && Presence::of(f) == Presence::Always && !f.boxed);
    let (wrapper, details, details_struct) = match wrapper {
        Some(w)
            if body_struct
                .fields
                .iter()
                .all(|f| f.wire == "error" || optional(f)) =>
        {
            let (details, s) = structure(api, &w.ty)?;
            if !matches!(w.ty, TypeRef::Named(ref n) if n == details) {
                return None;
            }
            (Some(w), details, s)
        }
        _ => (None, body, body_struct),
    };
    let field = |wire: &str| details_struct.fields.iter().find(|f| f.wire == wire);
    let type_field = field("type")?;
    let type_ok = Presence::of(type_field) == Presence::Always
        && match &type_field.ty {
            TypeRef::String => true,
            TypeRef::Named(n) => {
                matches!(api.types.get(n).map(|d| &d.kind), Some(TypeKind::Enum(_)))
            }
            _ => false,
        };
    let text_ok = ["message", "param", "code"].iter().all(|w| {
        field(w).is_some_and(|f| Presence::of(f) == Presence::Optional && f.ty == TypeRef::String)
    });
    let rest_ok = details_struct
        .fields
        .iter()
        .all(|f| ["type", "message", "param", "code"].contains(&f.wire.as_str()) || optional(f));
    (type_ok && text_ok && rest_ok).then_some(Shape {
        body,
        body_struct,
        wrapper,
        details,
        details_struct,
        type_field,
    })
}

/// The items of the `errors` module.
pub fn errors(api: &Api, scope: &Scope) -> TokenStream {
    let error = common_error(api);
    let body_ty = match error {
        Some(ty) => type_tokens_in(ty, scope),
        None => quote!(::serde_json::Value),
    };
    let common = quote! {
        /// An error response: its HTTP status and the error object the spec gives
        /// for it (boxed, so that `Result<T, ApiError>` stays small).
        #[derive(Clone, Debug, PartialEq)]
        pub struct ApiError {
            pub status: u16,
            pub body: ::std::boxed::Box<#body_ty>,
        }
    };
    match error.and_then(|e| stripe_shape(api, e)) {
        Some(shape) => stripe_error(scope, common, &shape),
        None => quote! {
            #common

            impl ApiError {
                pub fn from_parts(status: u16, body: #body_ty) -> Self {
                    ApiError { status, body: ::std::boxed::Box::new(body) }
                }
            }

            impl ::std::fmt::Display for ApiError {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    ::std::write!(f, "the API answered with HTTP status {}", self.status)
                }
            }

            impl ::std::error::Error for ApiError {}
        },
    }
}

fn literal_rest(s: &Struct, skip: &[&str]) -> Vec<TokenStream> {
    let mut out: Vec<TokenStream> = s
        .fields
        .iter()
        .filter(|f| !skip.contains(&f.wire.as_str()))
        .map(|f| {
            let name = ident(&f.rust);
            quote!(#name: ::std::default::Default::default(),)
        })
        .collect();
    if s.additional.is_some() {
        let name = (1..)
            .map(|n| {
                if n == 1 {
                    "extra".to_owned()
                } else {
                    format!("extra_{n}")
                }
            })
            .find(|c| s.fields.iter().all(|f| &f.rust != c))
            .expect("a free name");
        let name = ident(&name);
        out.push(quote!(#name: ::std::default::Default::default(),));
    }
    out
}

fn stripe_error(scope: &Scope, common: TokenStream, shape: &Shape<'_>) -> TokenStream {
    let body = scope.path(shape.body);
    let details = scope.path(shape.details);
    let field = |wire: &str| {
        let f = shape
            .details_struct
            .fields
            .iter()
            .find(|f| f.wire == wire)
            .expect("checked by stripe_shape");
        ident(&f.rust)
    };
    let (type_, message, param, code) = (
        field("type"),
        field("message"),
        field("param"),
        field("code"),
    );
    let type_value = match &shape.type_field.ty {
        TypeRef::Named(n) => {
            let n = scope.path(n);
            quote!(#n::from(type_))
        }
        _ => quote!(type_.to_owned()),
    };
    let details_rest = literal_rest(shape.details_struct, &["type", "message", "param", "code"]);
    let (details_ref, details_mut, body_literal) = match shape.wrapper {
        Some(w) => {
            let w_name = ident(&w.rust);
            let rest = literal_rest(shape.body_struct, &["error"]);
            (
                quote!(&self.body.#w_name),
                quote!(self.body.#w_name),
                quote!(#body { #w_name: details, #(#rest)* }),
            )
        }
        None => (quote!(&self.body), quote!(self.body), quote!(details)),
    };
    quote! {
        #common

        impl ApiError {
            /// An error of `type_` (`invalid_request_error`, `api_error` …) with a
            /// message; the status follows from the type.
            pub fn new(type_: &str, message: impl ::std::convert::Into<::std::string::String>) -> Self {
                let details = #details {
                    #type_: #type_value,
                    #message: ::std::option::Option::Some(message.into()),
                    #param: ::std::option::Option::None,
                    #code: ::std::option::Option::None,
                    #(#details_rest)*
                };
                ApiError {
                    status: Self::status_for(type_, ::std::option::Option::None),
                    body: ::std::boxed::Box::new(#body_literal),
                }
            }

            /// An error received with its status.
            pub fn from_parts(status: u16, body: #body) -> Self {
                ApiError { status, body: ::std::boxed::Box::new(body) }
            }

            /// An error object, with the status its type and code call for.
            pub fn from_body(body: #body) -> Self {
                let mut error = ApiError { status: 500, body: ::std::boxed::Box::new(body) };
                error.status = Self::status_for(error.details().#type_.as_str(), error.details().#code.as_deref());
                error
            }

            /// Sets the error code (`resource_missing` …); the status follows it.
            pub fn with_code(mut self, code: impl ::std::convert::Into<::std::string::String>) -> Self {
                let code = code.into();
                self.status = Self::status_for(self.details().#type_.as_str(), ::std::option::Option::Some(&code));
                #details_mut.#code = ::std::option::Option::Some(code);
                self
            }

            /// Names the parameter the error is about.
            pub fn with_param(mut self, param: impl ::std::convert::Into<::std::string::String>) -> Self {
                #details_mut.#param = ::std::option::Option::Some(param.into());
                self
            }

            /// Overrides the HTTP status chosen from the type and code (Stripe
            /// answers 400, not 404, for a missing object named by a parameter).
            pub fn with_status(mut self, status: u16) -> Self {
                self.status = status;
                self
            }

            /// The error object (`type`, `code`, `param`, `message` …).
            pub fn details(&self) -> &#details {
                #details_ref
            }

            /// The HTTP status Stripe answers with for an error type and code.
            pub fn status_for(type_: &str, code: ::std::option::Option<&str>) -> u16 {
                match (type_, code) {
                    (_, ::std::option::Option::Some("resource_missing")) => 404,
                    (_, ::std::option::Option::Some("idempotency_key_in_use")) => 409,
                    (_, ::std::option::Option::Some("rate_limit" | "lock_timeout")) => 429,
                    ("invalid_request_error" | "idempotency_error", _) => 400,
                    ("authentication_error", _) => 401,
                    ("card_error", _) => 402,
                    ("permission_error", _) => 403,
                    ("rate_limit_error", _) => 429,
                    _ => 500,
                }
            }
        }

        impl ::std::convert::From<crate::form::ValidationError> for ApiError {
            fn from(error: crate::form::ValidationError) -> Self {
                let code = error.code();
                let api_error = ApiError::new("invalid_request_error", error.message).with_code(code);
                // A body that is not JSON at all names no parameter.
                if error.param.is_empty() {
                    api_error
                } else {
                    api_error.with_param(error.param)
                }
            }
        }

        impl ::std::fmt::Display for ApiError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                let details = self.details();
                ::std::write!(f, "{} ({})", details.#type_.as_str(), self.status)?;
                if let ::std::option::Option::Some(message) = &details.#message {
                    ::std::write!(f, ": {message}")?;
                }
                ::std::result::Result::Ok(())
            }
        }

        impl ::std::error::Error for ApiError {}
    }
}
