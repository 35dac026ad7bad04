//! The wire encoding of parameters, as a client sends them: `to_query` and
//! `to_body` of a params type (form pairs through the runtime's
//! `form::FormWriter`, or a JSON object through `json::JsonWriter`) and the
//! `FormEncode` impls of the structs that parameters reach.

use super::style::{encode_query_field, is_plain_query};
use super::{Level, allow_deprecated};
use crate::emit::text::{Code, line, string_literal};
use crate::emit::types::Presence;
use crate::ir::{Api, Field, Operation};

/// `to_query` and `to_body`.
pub(super) fn to_wire_fns(
    code: &mut Code,
    api: &Api,
    op: &Operation,
    query: &[Field],
    body: &[Field],
) {
    to_query_fn(code, api, op, query);
    code.doc(
        "The body fields as an `application/x-www-form-urlencoded` body, as Stripe's clients send them.",
    );
    code.open("pub fn to_body(&self) -> ::std::string::String");
    write_pairs(code, body);
    code.close();
}

pub(super) fn to_query_fn(code: &mut Code, api: &Api, op: &Operation, query: &[Field]) {
    code.doc(
        "The query parameters as a query string (without `?`), as Stripe's clients send them.",
    );
    code.open("pub fn to_query(&self) -> ::std::string::String");
    if query.iter().all(|f| is_plain_query(api, op, f)) {
        write_pairs(code, query);
    } else {
        code.line("let mut writer = crate::form::FormWriter::new();");
        code.line("let out = &mut writer;");
        for field in query {
            if is_plain_query(api, op, field) {
                encode_field(code, field, &Level::Top);
            } else {
                encode_query_field(code, api, op, field);
            }
        }
        code.line("writer.finish()");
    }
    code.close();
}

/// `to_body` of a JSON operation: the set fields as one object, in field order.
pub(super) fn json_to_body_fn(code: &mut Code, body: &[Field], required: bool) {
    code.doc(
        "The body fields as a JSON object (unset optional fields left out, \"clear\" as `null`).",
    );
    if required {
        code.doc("Without any field set it is `{}`: the operation requires a body.");
    } else {
        code.doc("Without any field set it is the empty string: no body is sent.");
    }
    code.open("pub fn to_body(&self) -> ::std::string::String");
    if body.is_empty() {
        line!(code, "crate::json::JsonWriter::new().finish({required})");
        code.close();
        return;
    }
    code.line("let mut body = crate::json::JsonWriter::new();");
    for field in body {
        let f = &field.rust;
        let key = string_literal(&field.wire);
        match Presence::of(field) {
            Presence::Always | Presence::RequiredNullable => {
                line!(code, "body.field({key}, &self.{f});");
            }
            Presence::Optional => {
                code.open_fmt(format_args!(
                    "if let ::std::option::Option::Some(value) = &self.{f}"
                ));
                line!(code, "body.field({key}, value);");
                code.close();
            }
            Presence::OptionalNullable => {
                code.open_fmt(format_args!("if !self.{f}.is_absent()"));
                line!(code, "body.field({key}, &self.{f});");
                code.close();
            }
        }
    }
    line!(code, "body.finish({required})");
    code.close();
}

/// The body of `to_query` / `to_body`: the pairs written in field order.
pub(super) fn write_pairs(code: &mut Code, fields: &[Field]) {
    if fields.is_empty() {
        code.line("::std::string::String::new()");
        return;
    }
    code.line("let mut writer = crate::form::FormWriter::new();");
    code.line("let out = &mut writer;");
    for field in fields {
        encode_field(code, field, &Level::Top);
    }
    code.line("writer.finish()");
}

/// `key` percent-encoded as Stripe's clients do (brackets are added around it).
fn encode_key(key: &str) -> String {
    let mut out = String::new();
    for &byte in key.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn encode_field(code: &mut Code, field: &Field, level: &Level) {
    let f = &field.rust;
    let key = match level {
        Level::Top => string_literal(&encode_key(&field.wire)),
        Level::Nested => format!(
            "&crate::form::child_key(key, {})",
            string_literal(&field.wire)
        ),
    };
    if Presence::of(field) == Presence::Optional {
        code.open_fmt(format_args!(
            "if let ::std::option::Option::Some(value) = &self.{f}"
        ));
        line!(
            code,
            "crate::form::FormEncode::encode_form(value, {key}, out);"
        );
        code.close();
    } else {
        line!(
            code,
            "crate::form::FormEncode::encode_form(&self.{f}, {key}, out);"
        );
    }
}

pub(super) fn struct_encode_impl(
    code: &mut Code,
    name: &str,
    fields: &[&Field],
    extra: Option<&str>,
) {
    allow_deprecated(code, fields);
    code.open_fmt(format_args!("impl crate::form::FormEncode for {name}"));
    if fields.is_empty() && extra.is_none() {
        code.line("fn encode_form(&self, _key: &str, _out: &mut crate::form::FormWriter) {}");
    } else {
        code.open("fn encode_form(&self, key: &str, out: &mut crate::form::FormWriter)");
        for field in fields {
            encode_field(code, field, &Level::Nested);
        }
        if let Some(extra) = extra {
            line!(
                code,
                "crate::form::FormEncode::encode_form(&self.{extra}, key, out);"
            );
        }
        code.close();
    }
    code.close();
}
