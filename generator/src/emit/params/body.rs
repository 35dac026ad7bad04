//! The wire encoding of request bodies that are not a form or a JSON object
//! of fields (those are `encode` and `decode`): a body that is one value (a
//! JSON value of any schema, a text, bytes) held by the field `body`, and
//! `multipart/form-data` bodies, whose plain fields are written as form
//! pairs (one part per pair, as Stripe's clients send them) and whose files
//! (`payload::FilePart`) and JSON parts (`encoding` with a JSON
//! `contentType`) are parts of their own. Also what every params type says
//! about its body: the `runtime::Encoding`, the media types a server accepts
//! (`Params::CONTENT_TYPES`) and, for text, bytes and multipart, the
//! `payload` / `from_payload` methods that carry bytes.

use super::Groups;
use super::decode::{FORM, decode_field, from_wire_preamble, wire_list};
use super::encode::{to_query_fn, write_pairs};
use super::style::{needs_request, request_preamble, request_reads, to_headers_fn};
use crate::emit::text::{Code, line, string_literal};
use crate::emit::types::Presence;
use crate::ir::{Api, Body, Field, MediaKind, Operation, TypeRef};

/// How an operation's parameters travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BodyWire {
    /// No body: everything in the query.
    Query,
    /// A form body of fields.
    Form,
    /// A JSON object of fields.
    JsonObject,
    /// One JSON value, the field `body`.
    JsonWhole,
    /// A text body, the `String` field `body`.
    Text,
    /// A binary body, the `FilePart` field `body`.
    Binary,
    /// A `multipart/form-data` body of fields.
    Multipart,
}

impl BodyWire {
    pub(super) fn of(op: &Operation) -> BodyWire {
        let Some(body) = &op.body else {
            return BodyWire::Query;
        };
        match (body.kind, body.whole) {
            (MediaKind::Json, false) => BodyWire::JsonObject,
            (MediaKind::Json, true) => BodyWire::JsonWhole,
            (MediaKind::Form, _) => BodyWire::Form,
            (MediaKind::Multipart, _) => BodyWire::Multipart,
            (MediaKind::Text, _) => BodyWire::Text,
            (MediaKind::Binary, _) => BodyWire::Binary,
        }
    }

    /// The `runtime::Encoding` path.
    pub(super) fn encoding_path(self) -> &'static str {
        match self {
            BodyWire::Query => "crate::runtime::Encoding::Query",
            BodyWire::Form => "crate::runtime::Encoding::Form",
            BodyWire::JsonObject | BodyWire::JsonWhole => "crate::runtime::Encoding::Json",
            BodyWire::Text => "crate::runtime::Encoding::Text",
            BodyWire::Binary => "crate::runtime::Encoding::Binary",
            BodyWire::Multipart => "crate::runtime::Encoding::Multipart",
        }
    }

    /// `Encoding::content_types` of the runtime: the default of `CONTENT_TYPES`.
    fn default_types(self) -> &'static [&'static str] {
        match self {
            BodyWire::Query => &[],
            BodyWire::Form => &["application/x-www-form-urlencoded"],
            BodyWire::JsonObject | BodyWire::JsonWhole => &["application/json"],
            BodyWire::Text => &["text/plain"],
            BodyWire::Binary => &["application/octet-stream"],
            BodyWire::Multipart => &["multipart/form-data"],
        }
    }
}

/// The media types a server accepts for an operation: the one the params
/// type sends, then the others of the same kind in spec order (a server
/// reads one kind of body per operation; other kinds are answered with 415).
pub(super) fn accepted_types(body: &Body) -> Vec<&str> {
    let mut out = vec![body.content_type.as_str()];
    out.extend(
        body.media
            .iter()
            .filter(|m| m.kind == body.kind && m.content_type != body.content_type)
            .map(|m| m.content_type.as_str()),
    );
    out
}

/// `const CONTENT_TYPES` in `impl Params`, when it differs from the encoding's default.
pub(super) fn content_types_const(code: &mut Code, op: &Operation) {
    let Some(body) = &op.body else { return };
    let accepted = accepted_types(body);
    if accepted == BodyWire::of(op).default_types() {
        return;
    }
    let list: Vec<String> = accepted.iter().map(|t| string_literal(t)).collect();
    line!(
        code,
        "const CONTENT_TYPES: &'static [&'static str] = &[{}];",
        list.join(", ")
    );
}

/// The `payload` and `from_payload` of `impl Params` for bodies of bytes.
pub(super) fn payload_fns(code: &mut Code, api: &Api, op: &Operation) {
    match BodyWire::of(op) {
        BodyWire::Text | BodyWire::Binary | BodyWire::Multipart => {}
        _ => return,
    }
    let request = needs_request(
        api,
        op,
        &op.query_params,
        &op.header_params,
        &op.cookie_params,
    );
    code.open("fn payload(&self) -> ::std::option::Option<crate::payload::Payload>");
    code.line("self.payload()");
    code.close();
    code.open("fn from_payload(query: &str, headers: &[(::std::string::String, ::std::string::String)], content_type: ::std::option::Option<&str>, body: &[u8]) -> ::std::result::Result<Self, crate::form::ValidationError>");
    if BodyWire::of(op) == BodyWire::Multipart && !request {
        code.line("let _ = headers;");
        code.line("Self::from_payload(query, content_type, body)");
    } else {
        code.line("Self::from_payload(query, headers, content_type, body)");
    }
    code.close();
}

/// `to_body` of a whole JSON body: the JSON text of `body` (the empty
/// string when it is not set: no body is sent). It is read back by the
/// `decode::JSON_WHOLE` decoder.
pub(super) fn whole_json_to_body_fn(code: &mut Code, body: &Field) {
    let f = &body.rust;
    code.doc("The body as JSON text (the empty string when it is not set: no body is sent).");
    code.open("pub fn to_body(&self) -> ::std::string::String");
    match Presence::of(body) {
        Presence::Always | Presence::RequiredNullable => {
            line!(code, "crate::json::text(&self.{f})")
        }
        Presence::Optional => line!(
            code,
            "self.{f}.as_ref().map(crate::json::text).unwrap_or_default()"
        ),
        Presence::OptionalNullable => line!(
            code,
            "if self.{f}.is_absent() {{ ::std::string::String::new() }} else {{ crate::json::text(&self.{f}) }}"
        ),
    }
    code.close();
}

/// The wire methods of a params type whose body is a text or bytes (`body`).
/// (`from_wire` / `from_request` are the generic ones, with the
/// `decode::RAW` decoder; `request` says whether there is a `from_request`.)
pub(super) fn whole_body_fns(
    code: &mut Code,
    api: &Api,
    op: &Operation,
    query: &[Field],
    body: &Field,
    request: bool,
) {
    let wire = BodyWire::of(op);
    let content_type = op.body.as_ref().map_or("", |b| b.content_type.as_str());
    to_query_fn(code, api, op, query);
    let presence = Presence::of(body);
    let f = &body.rust;
    match wire {
        BodyWire::Text => {
            code.doc("The body text (see `payload` for what is sent).");
            code.open("pub fn to_body(&self) -> ::std::string::String");
            match presence {
                Presence::Optional | Presence::OptionalNullable => {
                    line!(code, "self.{f}.clone().unwrap_or_default()")
                }
                _ => line!(code, "self.{f}.clone()"),
            }
            code.close();
        }
        _ => {
            code.doc("A binary body is not text: `payload` gives its bytes.");
            code.open("pub fn to_body(&self) -> ::std::string::String");
            code.line("::std::string::String::new()");
            code.close();
        }
    }
    let optional = matches!(presence, Presence::Optional | Presence::OptionalNullable);
    let literal = string_literal(content_type);
    let fallback = if content_type.contains('*') || content_type.contains(',') {
        string_literal("application/octet-stream")
    } else {
        literal.clone()
    };
    code.doc("The body as sent: its media type and bytes (`None`: no body).");
    code.open("pub fn payload(&self) -> ::std::option::Option<crate::payload::Payload>");
    let make = if wire == BodyWire::Text {
        format!("crate::payload::Payload::new({fallback}, value.as_bytes())")
    } else {
        format!(
            "crate::payload::Payload::new(value.content_type.clone().unwrap_or_else(|| {fallback}.to_owned()), value.bytes.clone())"
        )
    };
    if optional {
        line!(code, "self.{f}.as_ref().map(|value| {make})");
    } else {
        line!(code, "let value = &self.{f};");
        line!(code, "::std::option::Option::Some({make})");
    }
    code.close();
    code.doc("Reads the parameters from a query string, the request's headers and a raw body with its media type.");
    code.open("pub fn from_payload(query: &str, headers: &[(::std::string::String, ::std::string::String)], content_type: ::std::option::Option<&str>, body: &[u8]) -> ::std::result::Result<Self, crate::form::ValidationError>");
    let read = if request {
        "Self::from_request(query, headers, TEXT)"
    } else {
        "{ let _ = headers; Self::from_wire(query, TEXT) }"
    };
    if wire == BodyWire::Text {
        code.line("let _ = content_type;");
        code.line("let body = ::std::str::from_utf8(body).map_err(|_| crate::form::ValidationError::new(\"body\", crate::form::Rule::Type(\"UTF-8 string\")))?;");
        code.line(&read.replace("TEXT", "body"));
    } else {
        line!(code, "let params = {};", read.replace("TEXT", "\"\""));
        code.line("let mut params = params?;");
        code.line("let file = crate::payload::FilePart { name: ::std::option::Option::None, content_type: content_type.map(::std::borrow::ToOwned::to_owned), bytes: body.to_vec() };");
        if optional {
            line!(code, "params.{f} = (!body.is_empty()).then_some(file);");
        } else {
            line!(code, "params.{f} = file;");
        }
        code.line("::std::result::Result::Ok(params)");
    }
    code.close();
}

/// A multipart field sent as a part of its own: a file, files, or JSON.
enum Typed<'f> {
    File(&'f Field, Option<&'f str>),
    Files(&'f Field, Option<&'f str>),
    Json(&'f Field),
}

impl Typed<'_> {
    fn field(&self) -> &Field {
        match self {
            Typed::File(f, _) | Typed::Files(f, _) | Typed::Json(f) => f,
        }
    }
}

fn typed_fields<'f>(body: &'f Body, fields: &'f [Field]) -> (Vec<&'f Field>, Vec<Typed<'f>>) {
    let media = body
        .media
        .iter()
        .find(|m| m.content_type == body.content_type);
    let part_type = |wire: &str| {
        media
            .and_then(|m| m.files.iter().find(|(w, _)| w == wire))
            .and_then(|(_, t)| t.as_deref())
            .filter(|t| !t.contains('*') && !t.contains(','))
    };
    let json = |wire: &str| media.is_some_and(|m| m.json_parts.iter().any(|w| w == wire));
    let mut plain = Vec::new();
    let mut typed = Vec::new();
    for field in fields {
        match &field.ty {
            TypeRef::Binary => typed.push(Typed::File(field, part_type(&field.wire))),
            TypeRef::Vec(item) if **item == TypeRef::Binary => {
                typed.push(Typed::Files(field, part_type(&field.wire)))
            }
            _ if json(&field.wire) => typed.push(Typed::Json(field)),
            _ => plain.push(field),
        }
    }
    (plain, typed)
}

/// The wire methods of a params type with a `multipart/form-data` body.
/// Beside header, cookie or styled query parameters (`needs_request`) it
/// also has `to_headers` and `from_request`, and `from_parts` and
/// `from_payload` take the request's headers.
pub(super) fn multipart_fns(
    code: &mut Code,
    api: &Api,
    op: &Operation,
    body: &Body,
    groups: &Groups,
) {
    let Groups {
        query,
        header,
        cookie,
        body: fields,
    } = groups;
    let request = needs_request(api, op, query, header, cookie);
    let (plain, typed) = typed_fields(body, fields);
    let plain_owned: Vec<Field> = plain.iter().map(|f| (*f).clone()).collect();
    to_query_fn(code, api, op, query);
    if request {
        to_headers_fn(code, api, op, header, cookie);
    }
    code.doc("The plain fields (not files nor JSON parts) as form pairs: each pair is one part of the multipart body.");
    code.open("pub fn to_body(&self) -> ::std::string::String");
    write_pairs(code, &plain_owned);
    code.close();
    // With headers, `from_parts` and `from_payload` take them after the query.
    let headers = if request {
        "headers: &[(::std::string::String, ::std::string::String)], "
    } else {
        ""
    };
    let pass = if request { "headers, " } else { "" };
    if request {
        code.doc("Reads the parameters from a query string and the plain fields as a form, without headers (see `from_request`).");
        code.open("pub fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
        code.line("Self::from_request(query, &[], body)");
        code.close();
        code.doc("Reads the parameters from a query string, the request's headers (names in any case; cookies from `Cookie`) and the plain fields as a form (files and JSON parts absent), as `from_parts` does.");
        code.open("pub fn from_request(query: &str, headers: &[(::std::string::String, ::std::string::String)], body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
        code.line("Self::from_parts(query, headers, body, ::std::vec::Vec::new())");
        code.close();
    } else {
        code.doc("Reads the parameters from a query string and the plain fields as a form (files and JSON parts absent), as `from_parts` does.");
        code.open("pub fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
        code.line("Self::from_parts(query, body, ::std::vec::Vec::new())");
        code.close();
    }
    if request {
        code.doc("Reads the parameters from a query string, the request's headers, the plain parts as a form and the other parts (files, JSON).");
    } else {
        code.doc("Reads the parameters from a query string, the plain parts as a form and the other parts (files, JSON).");
    }
    let mut_ = if typed.is_empty() { "" } else { "mut " };
    code.open_fmt(format_args!("pub fn from_parts(query: &str, {headers}form: &str, {mut_}parts: ::std::vec::Vec<crate::payload::Part>) -> ::std::result::Result<Self, crate::form::ValidationError>"));
    if request {
        request_preamble(code, api, op, query, header, cookie);
    } else {
        from_wire_preamble(code, query);
    }
    code.line("let body = crate::form::parse(form)?;");
    code.line("let body = crate::form::object(&body, \"\")?;");
    line!(
        code,
        "crate::form::deny_unknown(body, &[{}], \"\")?;",
        wire_list(plain.iter().copied())
    );
    for (i, t) in typed.iter().enumerate() {
        let wire = string_literal(&t.field().wire);
        match t {
            Typed::File(..) => line!(
                code,
                "let part_{i} = crate::payload::take_file(&mut parts, {wire});"
            ),
            Typed::Files(..) => line!(
                code,
                "let part_{i} = crate::payload::take_files(&mut parts, {wire});"
            ),
            Typed::Json(..) => line!(
                code,
                "let part_{i} = crate::payload::take_json(&mut parts, {wire})?;"
            ),
        }
    }
    code.open("if let ::std::option::Option::Some(part) = parts.first()");
    code.line("return ::std::result::Result::Err(crate::form::ValidationError::new(part.name.clone(), crate::form::Rule::Unknown));");
    code.close();
    code.open("::std::result::Result::Ok(Self");
    if request {
        request_reads(code, api, op, query, header, cookie);
    } else {
        for field in query {
            decode_field(code, &FORM, field, "query", "\"\"");
        }
    }
    for field in &plain {
        decode_field(code, &FORM, field, "body", "\"\"");
    }
    for (i, t) in typed.iter().enumerate() {
        let field = t.field();
        let f = &field.rust;
        let missing = format!(
            "crate::form::ValidationError::new({}, crate::form::Rule::Missing)",
            string_literal(&field.wire)
        );
        let optional = Presence::of(field) != Presence::Always;
        match (t, optional) {
            (Typed::Files(..), false) => line!(
                code,
                "{f}: if part_{i}.is_empty() {{ return ::std::result::Result::Err({missing}); }} else {{ part_{i} }},"
            ),
            (Typed::Files(..), true) => {
                line!(code, "{f}: (!part_{i}.is_empty()).then_some(part_{i}),")
            }
            (Typed::File(..) | Typed::Json(..), false) => {
                line!(code, "{f}: part_{i}.ok_or_else(|| {missing})?,")
            }
            (Typed::File(..) | Typed::Json(..), true) => line!(code, "{f}: part_{i},"),
        }
    }
    code.close_with(")");
    code.close();
    code.doc("The body as sent: a `multipart/form-data` body of the plain fields' form pairs, then the files and JSON parts.");
    code.open("pub fn payload(&self) -> ::std::option::Option<crate::payload::Payload>");
    code.line("let mut writer = crate::payload::MultipartWriter::new();");
    code.line("writer.form_pairs(&self.to_body());");
    for t in &typed {
        let field = t.field();
        let f = &field.rust;
        let wire = string_literal(&field.wire);
        let optional = Presence::of(field) != Presence::Always;
        let value = if optional { "value" } else { "&self.FIELD" };
        let value = value.replace("FIELD", f);
        let write = match t {
            Typed::File(_, ct) => format!("writer.file({wire}, {value}, {});", option_literal(*ct)),
            Typed::Files(_, ct) => format!(
                "for file in {value} {{ writer.file({wire}, file, {}); }}",
                option_literal(*ct)
            ),
            Typed::Json(_) => format!("writer.json({wire}, {value});"),
        };
        if optional {
            code.open_fmt(format_args!(
                "if let ::std::option::Option::Some(value) = &self.{f}"
            ));
            code.line(&write);
            code.close();
        } else {
            code.line(&write);
        }
    }
    code.line("::std::option::Option::Some(writer.finish())");
    code.close();
    let typed_wires = wire_list(typed.iter().map(Typed::field));
    if request {
        code.doc("Reads the parameters from a query string, the request's headers and a `multipart/form-data` body.");
    } else {
        code.doc("Reads the parameters from a query string and a `multipart/form-data` body.");
    }
    code.open_fmt(format_args!("pub fn from_payload(query: &str, {headers}content_type: ::std::option::Option<&str>, body: &[u8]) -> ::std::result::Result<Self, crate::form::ValidationError>"));
    code.line(
        "let parts = crate::payload::parse_multipart(content_type.unwrap_or_default(), body)?;",
    );
    line!(
        code,
        "let (form, parts) = crate::payload::split_parts(parts, &[{typed_wires}]);"
    );
    line!(code, "Self::from_parts(query, {pass}&form, parts)");
    code.close();
}

fn option_literal(value: Option<&str>) -> String {
    match value {
        Some(v) => format!("::std::option::Option::Some({})", string_literal(v)),
        None => "::std::option::Option::None".to_owned(),
    }
}
