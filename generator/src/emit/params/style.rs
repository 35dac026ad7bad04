//! Parameters that travel by an OpenAPI style through the runtime's `style`
//! module: query parameters other than Stripe's dialect (`form` primitives
//! and `deepObject`, which keep the `form` module's bracket encoding), header
//! and cookie parameters, and path parameters other than `simple`
//! primitives. Writes their `style::Wire` descriptions, `to_headers`, and
//! `from_request` (the server's reading of query, headers and body).

use super::decode::{Decoder, wire_list};
use crate::emit::text::{Code, line, string_literal};
use crate::emit::types::Presence;
use crate::ir::{Api, Field, Operation, ParamStyle, TypeKind, TypeRef};

/// The shape of a value of `ty`, as `style::Shape` text.
fn shape(api: &Api, ty: &TypeRef, depth: usize) -> String {
    match ty {
        TypeRef::Option(t) | TypeRef::Clearable(t) if depth < 8 => shape(api, t, depth + 1),
        TypeRef::Vec(_) => "crate::style::Shape::Array".to_owned(),
        TypeRef::Map(_) => {
            "crate::style::Shape::Object { keys: ::std::option::Option::None }".to_owned()
        }
        TypeRef::Named(name) if depth < 8 => match api.types.get(name).map(|d| &d.kind) {
            Some(TypeKind::Alias(t)) => shape(api, t, depth + 1),
            Some(TypeKind::Struct(s)) if s.additional.is_none() => format!(
                "crate::style::Shape::Object {{ keys: ::std::option::Option::Some(&[{}]) }}",
                wire_list(&s.fields)
            ),
            Some(TypeKind::Struct(_)) => {
                "crate::style::Shape::Object { keys: ::std::option::Option::None }".to_owned()
            }
            _ => "crate::style::Shape::Primitive".to_owned(),
        },
        _ => "crate::style::Shape::Primitive".to_owned(),
    }
}

fn is_primitive(api: &Api, ty: &TypeRef) -> bool {
    shape(api, ty, 0) == "crate::style::Shape::Primitive"
}

/// Whether a query parameter keeps the `form` module's encoding (Stripe's
/// dialect: a `form` exploded primitive without `allowReserved`, or `deepObject`).
pub(super) fn is_plain_query(api: &Api, op: &Operation, field: &Field) -> bool {
    if op.allow_reserved.contains(&field.wire) {
        return false;
    }
    match field.style {
        None | Some(ParamStyle::DeepObject) => true,
        Some(ParamStyle::Form { explode: true }) => is_primitive(api, &field.ty),
        Some(_) => false,
    }
}

/// Whether a path parameter is a `simple` primitive (read and written as
/// its text, through serde).
pub fn is_plain_path(api: &Api, field: &Field) -> bool {
    matches!(field.style, None | Some(ParamStyle::Simple { .. })) && is_primitive(api, &field.ty)
}

/// The `style::Wire` of a parameter, as an expression.
pub fn wire_text(api: &Api, op: &Operation, field: &Field) -> String {
    let (style, explode) = match field.style {
        Some(ParamStyle::Form { explode }) => ("Form", explode),
        Some(ParamStyle::SpaceDelimited { explode }) => ("SpaceDelimited", explode),
        Some(ParamStyle::PipeDelimited { explode }) => ("PipeDelimited", explode),
        Some(ParamStyle::DeepObject) => ("DeepObject", true),
        Some(ParamStyle::Simple { explode }) => ("Simple", explode),
        Some(ParamStyle::Label { explode }) => ("Label", explode),
        Some(ParamStyle::Matrix { explode }) => ("Matrix", explode),
        None => ("Form", true),
    };
    let reserved = op.allow_reserved.contains(&field.wire);
    format!(
        "crate::style::Wire {{ name: {}, style: crate::style::Style::{style}, explode: {explode}, allow_reserved: {reserved}, shape: {} }}",
        string_literal(&field.wire),
        shape(api, &field.ty, 0)
    )
}

/// Whether the params type reads anything beyond a query string and a body
/// (headers, cookies) or reads its query by style: it then has `from_request`.
pub(super) fn needs_request(
    api: &Api,
    op: &Operation,
    query: &[Field],
    header: &[Field],
    cookie: &[Field],
) -> bool {
    !header.is_empty() || !cookie.is_empty() || query.iter().any(|f| !is_plain_query(api, op, f))
}

/// Writes `value`'s optional-ness around `write(value_expr)`.
fn with_value(code: &mut Code, field: &Field, write: impl FnOnce(&mut Code, &str)) {
    let f = &field.rust;
    if Presence::of(field) == Presence::Optional {
        code.open_fmt(format_args!(
            "if let ::std::option::Option::Some(value) = &self.{f}"
        ));
        write(code, "value");
        code.close();
    } else {
        write(code, &format!("&self.{f}"));
    }
}

/// The statement writing a styled query parameter into `out`.
pub(super) fn encode_query_field(code: &mut Code, api: &Api, op: &Operation, field: &Field) {
    let wire = wire_text(api, op, field);
    with_value(code, field, |code, value| {
        line!(code, "crate::style::query({value}, &{wire}, out);");
    });
}

/// `to_headers`: the header parameters by their names, and the cookie
/// parameters as one `Cookie` header.
pub(super) fn to_headers_fn(
    code: &mut Code,
    api: &Api,
    op: &Operation,
    header: &[Field],
    cookie: &[Field],
) {
    code.doc("The header parameters, and the cookie parameters as one `Cookie` header, as a client sends them.");
    code.open("pub fn to_headers(&self) -> ::std::vec::Vec<(::std::string::String, ::std::string::String)>");
    code.line("#[allow(unused_mut)]");
    code.line("let mut headers = ::std::vec::Vec::new();");
    for field in header {
        let wire = wire_text(api, op, field);
        let name = string_literal(&field.wire);
        let f = &field.rust;
        let text = if Presence::of(field) == Presence::Optional {
            format!("self.{f}.as_ref().and_then(|value| crate::style::header(value, &{wire}))")
        } else {
            format!("crate::style::header(&self.{f}, &{wire})")
        };
        code.open_fmt(format_args!(
            "if let ::std::option::Option::Some(text) = {text}"
        ));
        line!(code, "headers.push(({name}.to_owned(), text));");
        code.close();
    }
    if !cookie.is_empty() {
        code.line(
            "let mut cookies: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();",
        );
        for field in cookie {
            let wire = wire_text(api, op, field);
            with_value(code, field, |code, value| {
                line!(
                    code,
                    "cookies.extend(crate::style::cookie({value}, &{wire}));"
                );
            });
        }
        code.open("if !cookies.is_empty()");
        code.line("headers.push((\"Cookie\".to_owned(), cookies.join(\"; \")));");
        code.close();
    }
    code.line("headers");
    code.close();
}

/// The `form` / `json` helper that reads a field with its presence.
fn presence_helper(field: &Field) -> &'static str {
    match Presence::of(field) {
        Presence::Always => "required",
        Presence::Optional => "optional",
        Presence::RequiredNullable => "required_nullable",
        Presence::OptionalNullable => "optional_nullable",
    }
}

fn wires(api: &Api, op: &Operation, fields: &[&Field]) -> String {
    let wires: Vec<String> = fields.iter().map(|f| wire_text(api, op, f)).collect();
    wires.join(", ")
}

/// `from_wire` (no headers) and `from_request`: the query (plain and styled
/// parameters), the header and cookie parameters, and the body.
#[allow(clippy::too_many_arguments)]
pub(super) fn from_request_fn(
    code: &mut Code,
    api: &Api,
    op: &Operation,
    query: &[Field],
    header: &[Field],
    cookie: &[Field],
    body: &[Field],
    body_wire: &Decoder,
) {
    line!(
        code,
        "/// Reads the parameters from a query string and {} (either may be",
        body_wire.body
    );
    code.doc("empty), without headers (see `from_request`).");
    code.open("pub fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    code.line("Self::from_request(query, &[], body)");
    code.close();
    code.doc("Reads the parameters as a server receives them: from the query string, the");
    code.doc("request's headers (names in any case; cookies from `Cookie`) and the body.");
    code.open("pub fn from_request(query: &str, headers: &[(::std::string::String, ::std::string::String)], body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    request_preamble(code, api, op, query, header, cookie);
    for line in body_wire.read_body {
        code.line(line);
    }
    line!(
        code,
        "{}::deny_unknown(body, &[{}], \"\")?;",
        body_wire.module,
        wire_list(body)
    );
    code.open("::std::result::Result::Ok(Self");
    request_reads(code, api, op, query, header, cookie);
    for field in body {
        read(code, body_wire.module, field, "body");
    }
    code.close_with(")");
    code.close();
}

/// The first lines of `from_request` (and of a multipart `from_parts` that
/// reads headers): the query split into styled and plain parameters (no
/// other names), and the header and cookie parameters taken from `headers`.
pub(super) fn request_preamble(
    code: &mut Code,
    api: &Api,
    op: &Operation,
    query: &[Field],
    header: &[Field],
    cookie: &[Field],
) {
    let (plain, styled): (Vec<&Field>, Vec<&Field>) =
        query.iter().partition(|f| is_plain_query(api, op, f));
    if styled.is_empty() {
        code.line("let query = crate::form::parse(query)?;");
    } else {
        line!(
            code,
            "let split = crate::style::split(query, '&', &[{}], &[{}])?;",
            wires(api, op, &styled),
            wire_list(plain.iter().copied())
        );
        code.line("let styled = split.styled;");
        code.line("let query = crate::form::parse(&split.rest)?;");
    }
    code.line("let query = crate::form::object(&query, \"\")?;");
    line!(
        code,
        "crate::form::deny_unknown(query, &[{}], \"\")?;",
        wire_list(plain.iter().copied())
    );
    let header_refs: Vec<&Field> = header.iter().collect();
    let cookie_refs: Vec<&Field> = cookie.iter().collect();
    if header.is_empty() {
        code.line("let _ = headers;");
    } else {
        line!(
            code,
            "let header_params = crate::style::headers(headers, &[{}])?;",
            wires(api, op, &header_refs)
        );
    }
    if !cookie.is_empty() {
        line!(
            code,
            "let cookie_params = crate::style::cookies(headers, &[{}])?;",
            wires(api, op, &cookie_refs)
        );
    }
}

/// The initializers of the query, header and cookie fields, read from what
/// `request_preamble` bound.
pub(super) fn request_reads(
    code: &mut Code,
    api: &Api,
    op: &Operation,
    query: &[Field],
    header: &[Field],
    cookie: &[Field],
) {
    for field in query {
        let source = if is_plain_query(api, op, field) {
            "query"
        } else {
            "&styled"
        };
        read(code, "crate::form", field, source);
    }
    for field in header {
        read(code, "crate::form", field, "&header_params");
    }
    for field in cookie {
        read(code, "crate::form", field, "&cookie_params");
    }
}

fn read(code: &mut Code, module: &str, field: &Field, entries: &str) {
    line!(
        code,
        "{}: {module}::{}({entries}, {}, \"\")?,",
        field.rust,
        presence_helper(field),
        string_literal(&field.wire)
    );
}
