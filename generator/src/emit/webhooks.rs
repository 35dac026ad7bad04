//! `webhooks.rs` of a generated crate (feature `webhooks`), for specs with
//! OpenAPI 3.1 `webhooks`: the requests the API sends to its users'
//! servers. It holds the `Webhooks` trait, one method per webhook taking its
//! typed payload, each with a default body that acknowledges the webhook (so
//! a new webhook in the spec is not a breaking change for implementers), and,
//! with feature `server` too, `router`, an axum router that receives them:
//! `POST /{name}` (the webhook's method and key), the JSON payload decoded
//! into its type (a 400 naming the problem when it does not fit), then the
//! method; `Ok` is a 200, a `WebhookRejection` its own status.

use super::text::{Code, line, string_literal};
use super::types::{Scope, type_text_in};
use crate::ir::{Api, Method, Webhook};

/// The text of `webhooks.rs`, or `None` when the spec has no webhooks.
pub fn webhooks(api: &Api, scope: &Scope) -> Option<String> {
    if api.webhooks.is_empty() {
        return None;
    }
    let mut code = Code::new();
    code.line("//! The webhooks this API sends, received by implementing [`Webhooks`]");
    code.line("//! (and, with feature `server`, serving it with [`router`]).");
    code.blank();
    code.line("/// Why a webhook handler did not take a webhook: the HTTP status to answer");
    code.line("/// (a 2xx is never a rejection) and a message for the sender.");
    code.line("#[derive(Clone, Debug, PartialEq, Eq)]");
    code.open("pub struct WebhookRejection");
    code.line("pub status: u16,");
    code.line("pub message: ::std::string::String,");
    code.close();
    code.blank();
    code.line("/// One method per webhook of the spec. Each has a default body that");
    code.line("/// acknowledges the webhook and ignores it: implement the ones you handle.");
    code.open("pub trait Webhooks: ::std::marker::Send + ::std::marker::Sync + 'static");
    for (i, hook) in api.webhooks.iter().enumerate() {
        if i > 0 {
            code.blank();
        }
        trait_method(&mut code, hook, scope);
    }
    code.close();
    code.blank();
    router(&mut code, api, scope);
    Some(code.finish())
}

fn payload_type(hook: &Webhook, scope: &Scope) -> Option<String> {
    hook.payload.as_ref().map(|ty| {
        let ty = type_text_in(ty, scope);
        if hook.required {
            ty
        } else {
            format!("::std::option::Option<{ty}>")
        }
    })
}

fn trait_method(code: &mut Code, hook: &Webhook, scope: &Scope) {
    let title = match &hook.summary {
        Some(summary) => format!("{summary}: `{} {}`.", hook.method.as_str(), hook.name),
        None => format!("The `{}` webhook (`{}`).", hook.name, hook.method.as_str()),
    };
    code.doc(&title);
    if hook.docs.is_some() {
        code.doc("");
        code.docs(hook.docs.as_deref());
    }
    let result = "impl ::std::future::Future<Output = ::std::result::Result<(), WebhookRejection>> + ::std::marker::Send";
    match payload_type(hook, scope) {
        Some(ty) => {
            code.open_fmt(format_args!(
                "fn {}(&self, payload: {ty}) -> {result}",
                hook.rust
            ));
            code.line("let _ = payload;");
        }
        None => code.open_fmt(format_args!("fn {}(&self) -> {result}", hook.rust)),
    }
    code.line("async { ::std::result::Result::Ok(()) }");
    code.close();
}

fn routing(method: Method) -> &'static str {
    match method {
        Method::Get => "get",
        Method::Put => "put",
        Method::Delete => "delete",
        Method::Options => "options",
        Method::Head => "head",
        Method::Patch => "patch",
        Method::Trace => "trace",
        Method::Post => "post",
    }
}

fn router(code: &mut Code, api: &Api, scope: &Scope) {
    code.line("/// An axum router receiving the webhooks at `/{name}` (nest it where the");
    code.line("/// sender is told to deliver them): each payload decoded as JSON into its");
    code.line("/// type (a 400 when it does not fit), then passed to its method.");
    code.line("#[cfg(feature = \"server\")]");
    code.open("pub fn router<W: Webhooks>(hooks: W) -> axum::Router");
    code.line("let hooks = ::std::sync::Arc::new(hooks);");
    code.line("axum::Router::new()");
    code.indent_in();
    for hook in &api.webhooks {
        let path = string_literal(&format!("/{}", hook.name));
        line!(
            code,
            ".route({path}, axum::routing::{}({{",
            routing(hook.method)
        );
        code.indent_in();
        code.line("let hooks = ::std::sync::Arc::clone(&hooks);");
        match payload_type(hook, scope) {
            Some(ty) => {
                code.open("move |body: axum::body::Bytes| async move");
                let decode = if hook.required {
                    format!("decode::<{ty}>(&body)")
                } else {
                    format!(
                        "decode_optional::<{}>(&body)",
                        &ty["::std::option::Option<".len()..ty.len() - 1]
                    )
                };
                line!(code, "let payload = match {decode} {{");
                code.indent_in();
                code.line("::std::result::Result::Ok(payload) => payload,");
                code.line("::std::result::Result::Err(rejection) => return answer(::std::result::Result::Err(rejection)),");
                code.indent_out();
                code.line("};");
                line!(code, "answer(hooks.{}(payload).await)", hook.rust);
            }
            None => {
                code.open("move || async move");
                line!(code, "answer(hooks.{}().await)", hook.rust);
            }
        }
        code.close();
        code.indent_out();
        code.line("}))");
    }
    code.indent_out();
    code.close();
    code.blank();
    code.line("#[cfg(feature = \"server\")]");
    code.open("fn decode<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> ::std::result::Result<T, WebhookRejection>");
    code.open("serde_json::from_slice(body).map_err(|e| WebhookRejection");
    code.line("status: 400,");
    code.line("message: ::std::format!(\"the payload does not fit its schema: {e}\"),");
    code.close_with(")");
    code.close();
    code.blank();
    code.line("#[cfg(feature = \"server\")]");
    code.open("fn decode_optional<T: ::serde::de::DeserializeOwned>(body: &[u8]) -> ::std::result::Result<::std::option::Option<T>, WebhookRejection>");
    code.open("if body.iter().all(u8::is_ascii_whitespace)");
    code.line("return ::std::result::Result::Ok(::std::option::Option::None);");
    code.close();
    code.line("decode(body).map(::std::option::Option::Some)");
    code.close();
    code.blank();
    code.line("#[cfg(feature = \"server\")]");
    code.open("fn answer(result: ::std::result::Result<(), WebhookRejection>) -> axum::response::Response");
    code.line("use axum::response::IntoResponse;");
    code.open("match result");
    code.line("::std::result::Result::Ok(()) => axum::http::StatusCode::OK.into_response(),");
    code.open("::std::result::Result::Err(rejection) =>");
    code.line("let status = axum::http::StatusCode::from_u16(rejection.status)");
    code.indent_in();
    code.line(".ok()");
    code.line(".filter(|s| !s.is_success())");
    code.line(".unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);");
    code.indent_out();
    code.line("(status, rejection.message).into_response()");
    code.close();
    code.close();
    code.close();
}
