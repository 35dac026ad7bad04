//! The wire decoding of parameters, as a server receives them: `from_wire`
//! of a params type, and the `FormDecode` / `JsonDecode` impls of the named
//! types that parameters reach. Forms and JSON share one emitter through a
//! [`Decoder`] descriptor (the runtime modules mirror each other).

use super::{allow_deprecated, extra_name};
use crate::emit::text::{Code, line, string_literal};
use crate::emit::types::{Presence, Scope};
use crate::ir::{Enum, EnumValue, Field, TypeDef, TypeKind, Union};

/// A wire format that params types are read from: forms (`form::FormDecode`)
/// or JSON bodies (`json::JsonDecode`). The runtime modules mirror each other
/// (`object`, `deny_unknown`, `rest`, `required` …), so one emitter serves both.
pub(super) struct Decoder {
    /// The runtime module: `crate::form` or `crate::json`.
    pub(super) module: &'static str,
    /// The trait and its method: `FormDecode` / `decode_form` …
    pub(super) trait_name: &'static str,
    pub(super) method: &'static str,
    /// The method's first parameter: the parsed node of this wire.
    pub(super) input: &'static str,
    /// A request body of this wire, in words (for `from_wire`'s docs).
    pub(super) body: &'static str,
    /// The lines that read `body: &str` into `body`, its top-level entries.
    pub(super) read_body: &'static [&'static str],
}

pub(super) const FORM: Decoder = Decoder {
    module: "crate::form",
    trait_name: "FormDecode",
    method: "decode_form",
    input: "node: &crate::form::FormNode",
    body: "a form body",
    read_body: &[
        "let body = crate::form::parse(body)?;",
        "let body = crate::form::object(&body, \"\")?;",
    ],
};

pub(super) const JSON: Decoder = Decoder {
    module: "crate::json",
    trait_name: "JsonDecode",
    method: "decode_json",
    input: "value: &::serde_json::Value",
    body: "a JSON body (an empty one is `{}`)",
    read_body: &["let body = &crate::json::parse(body)?;"],
};

/// A JSON body that is one value (an array, a scalar …): read as the entries
/// `{"body": value}`, so the value decodes like the field `body`.
pub(super) const JSON_WHOLE: Decoder = Decoder {
    module: "crate::json",
    trait_name: "JsonDecode",
    method: "decode_json",
    input: "value: &::serde_json::Value",
    body: "a JSON body (one value of the body's type)",
    read_body: &["let body = &crate::json::parse_whole(body, \"body\")?;"],
};

/// A text or binary body (the field `body`): the runtime's `payload::raw`
/// reads the body text as a `String` or the bytes of a `FilePart` (a server
/// reads binary bodies through `from_payload`, which sets the bytes).
pub(super) const RAW: Decoder = Decoder {
    module: "crate::payload::raw",
    trait_name: "FromRaw",
    method: "from_raw",
    input: "text: &str",
    body: "a text or binary body",
    read_body: &["let body = &crate::payload::raw::Raw(body);"],
};

impl Decoder {
    /// The name the method's first parameter binds.
    fn input_name(&self) -> &'static str {
        self.input.split(':').next().unwrap_or_default()
    }
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

/// `from_wire`: the query parameters from the query string (a form) and the
/// body fields from the body (a form, or a JSON object), with no unknown
/// names in either.
pub(super) fn from_wire_fn(code: &mut Code, query: &[Field], body: &[Field], body_wire: &Decoder) {
    line!(
        code,
        "/// Reads the parameters from a query string and {} (either may be",
        body_wire.body
    );
    code.doc("empty), as a server receives them.");
    code.open("pub fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    from_wire_preamble(code, query);
    for line in body_wire.read_body {
        code.line(line);
    }
    line!(
        code,
        "{}::deny_unknown(body, &[{}], \"\")?;",
        body_wire.module,
        wire_list(body)
    );
    if query.is_empty() && body.is_empty() {
        code.line("::std::result::Result::Ok(Self {})");
    } else {
        code.open("::std::result::Result::Ok(Self");
        for (wire, source, group) in [(&FORM, "query", query), (body_wire, "body", body)] {
            for field in group {
                decode_field(code, wire, field, source, "\"\"");
            }
        }
        code.close_with(")");
    }
    code.close();
}

/// The first lines of every `from_wire`: the query string read as a form,
/// with no names but the query parameters'.
pub(super) fn from_wire_preamble(code: &mut Code, query: &[Field]) {
    code.line("let query = crate::form::parse(query)?;");
    code.line("let query = crate::form::object(&query, \"\")?;");
    line!(
        code,
        "crate::form::deny_unknown(query, &[{}], \"\")?;",
        wire_list(query)
    );
}

/// The wire names of `fields`, as string literals separated by commas.
pub(super) fn wire_list<'f>(fields: impl IntoIterator<Item = &'f Field>) -> String {
    let wires: Vec<String> = fields
        .into_iter()
        .map(|f| string_literal(&f.wire))
        .collect();
    wires.join(", ")
}

/// The initializer of a field in `from_wire` / `decode_form`: read from
/// `entries`, errors naming `path`.
pub(super) fn decode_field(
    code: &mut Code,
    wire: &Decoder,
    field: &Field,
    entries: &str,
    path: &str,
) {
    line!(
        code,
        "{}: {}::{}({entries}, {}, {path})?,",
        field.rust,
        wire.module,
        presence_helper(field),
        string_literal(&field.wire)
    );
}

/// `FormDecode` or `JsonDecode` of a struct: its fields from the entries of
/// an object, and either the other entries into the `additionalProperties`
/// map or an error for an unknown one.
pub(super) fn struct_decode_impl(
    code: &mut Code,
    wire: &Decoder,
    name: &str,
    fields: &[&Field],
    extra: Option<&str>,
) {
    let Decoder {
        module,
        trait_name,
        method,
        input,
        ..
    } = wire;
    let wires = wire_list(fields.iter().copied());
    allow_deprecated(code, fields);
    code.open_fmt(format_args!("impl {module}::{trait_name} for {name}"));
    code.open_fmt(format_args!(
        "fn {method}({input}, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError>"
    ));
    line!(
        code,
        "let entries = {module}::object({}, path)?;",
        wire.input_name()
    );
    if extra.is_none() {
        line!(code, "{module}::deny_unknown(entries, &[{wires}], path)?;");
    }
    if fields.is_empty() && extra.is_none() {
        code.line("::std::result::Result::Ok(Self {})");
    } else {
        code.open("::std::result::Result::Ok(Self");
        for field in fields {
            decode_field(code, wire, field, "entries", "path");
        }
        if let Some(extra) = extra {
            line!(code, "{extra}: {module}::rest(entries, &[{wires}], path)?,");
        }
        code.close_with(")");
    }
    code.close();
    code.close();
}

/// `FormDecode` of an open enum: any string (`decode_form`), or only the
/// listed values (`decode_form_strict`, which unions try first). `wires` are
/// the listed values as literals.
pub(super) fn enum_decode_impl(code: &mut Code, name: &str, e: &Enum, wires: &str) {
    code.open_fmt(format_args!("impl crate::form::FormDecode for {name}"));
    code.open("fn decode_form(node: &crate::form::FormNode, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    // The empty string is a value when the enum lists it (Stripe's `tax_exempt: ""`).
    if e.variants.iter().any(|v| v.wire.is_empty()) {
        code.open("match node");
        code.line("crate::form::FormNode::Value(value) => ::std::result::Result::Ok(Self::from(value.as_str())),");
        code.line("crate::form::FormNode::Object(_) => ::std::result::Result::Err(crate::form::ValidationError::new(path, crate::form::Rule::Type(\"string\"))),");
        code.close();
    } else {
        code.line("crate::form::scalar(node, path, \"string\").map(Self::from)");
    }
    code.close();
    code.open("fn decode_form_strict(node: &crate::form::FormNode, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    code.line("let value = Self::decode_form(node, path)?;");
    line!(
        code,
        "crate::form::check_enum(value.as_str(), &[{wires}], path)?;"
    );
    code.line("::std::result::Result::Ok(value)");
    code.close();
    code.close();
}

/// `FormDecode` of a union: the first variant that lists the value, else the
/// first variant that accepts it.
pub(super) fn union_decode_impl(code: &mut Code, name: &str, u: &Union) {
    let attempts = |decode: &str| {
        let calls: Vec<String> = u
            .variants
            .iter()
            .map(|v| {
                format!(
                    "crate::form::FormDecode::{decode}(node, path).map(Self::{})",
                    v.rust
                )
            })
            .collect();
        calls.join(", ")
    };
    code.open_fmt(format_args!("impl crate::form::FormDecode for {name}"));
    code.open("fn decode_form(node: &crate::form::FormNode, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    line!(
        code,
        "let strict = crate::form::first_fit(path, ::std::vec![{}]);",
        attempts("decode_form_strict")
    );
    code.open("if strict.is_ok()");
    code.line("return strict;");
    code.close();
    line!(
        code,
        "crate::form::first_fit(path, ::std::vec![{}])",
        attempts("decode_form")
    );
    code.close();
    code.close();
}

/// `json::JsonDecode` of a named type that the bodies of JSON operations
/// reach, mirroring its `FormDecode`: a struct's fields from an object, an
/// open enum from a string, a union's first variant that fits.
pub(super) fn json_decode_impl(code: &mut Code, scope: &Scope, def: &TypeDef) {
    let name = scope.path_text(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => {
            let fields: Vec<&Field> = s.fields.iter().collect();
            struct_decode_impl(code, &JSON, &name, &fields, extra_name(s).as_deref());
        }
        TypeKind::Enum(e) => json_enum_impl(code, &name, e),
        TypeKind::Union(u) => json_union_impl(code, &name, u),
        // An alias is its target type, whose impl exists already; a tagged
        // union's is written by `tagged`.
        TypeKind::Alias(_) | TypeKind::Tagged(_) => {}
    }
}

/// An open enum: any string (`decode_json`), or only the listed values
/// (`decode_json_strict`, which unions try first).
fn json_enum_impl(code: &mut Code, name: &str, e: &Enum) {
    let wires: Vec<String> = e.variants.iter().map(|v| string_literal(&v.wire)).collect();
    code.open_fmt(format_args!("impl crate::json::JsonDecode for {name}"));
    code.open("fn decode_json(value: &::serde_json::Value, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    match e.value {
        EnumValue::String => code.line("crate::json::string(value, path).map(Self::from)"),
        // Numbers and booleans are matched on their JSON text.
        kind => {
            let (pattern, rule) = match kind {
                EnumValue::Bool => ("::serde_json::Value::Bool(_)", "boolean"),
                EnumValue::Integer => ("::serde_json::Value::Number(_)", "integer"),
                _ => ("::serde_json::Value::Number(_)", "number"),
            };
            code.open("match value");
            line!(
                code,
                "{pattern} => ::std::result::Result::Ok(Self::from(value.to_string().as_str())),"
            );
            line!(
                code,
                "_ => ::std::result::Result::Err(crate::form::ValidationError::new(path, crate::form::Rule::Type({}))),",
                string_literal(rule)
            );
            code.close();
        }
    }
    code.close();
    code.open("fn decode_json_strict(value: &::serde_json::Value, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    code.line("let value = Self::decode_json(value, path)?;");
    line!(
        code,
        "crate::form::check_enum(value.as_str(), &[{}], path)?;",
        wires.join(", ")
    );
    code.line("::std::result::Result::Ok(value)");
    code.close();
    code.close();
}

/// A union: the first variant that lists the value, else the first variant
/// that accepts it (as `union_decode_impl` does for forms).
fn json_union_impl(code: &mut Code, name: &str, u: &Union) {
    let attempts = |decode: &str| {
        let calls: Vec<String> = u
            .variants
            .iter()
            .map(|v| {
                format!(
                    "crate::json::JsonDecode::{decode}(value, path).map(Self::{})",
                    v.rust
                )
            })
            .collect();
        calls.join(", ")
    };
    code.open_fmt(format_args!("impl crate::json::JsonDecode for {name}"));
    code.open("fn decode_json(value: &::serde_json::Value, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    line!(
        code,
        "let strict = crate::form::first_fit(path, ::std::vec![{}]);",
        attempts("decode_json_strict")
    );
    code.open("if strict.is_ok()");
    code.line("return strict;");
    code.close();
    line!(
        code,
        "crate::form::first_fit(path, ::std::vec![{}])",
        attempts("decode_json")
    );
    code.close();
    code.close();
}
