//! The params type of an operation (its struct, `new` and chained setters,
//! the inherent `validate` / `to_query` / `to_body` / `from_wire` and the
//! runtime `Params` impl), and the builders and impls of the named types
//! that parameters reach (each impl written by its concern's module).

use super::arbitrary::{arbitrary_struct, enum_arbitrary_impl, union_arbitrary_impl};
use super::body::{
    BodyWire, content_types_const, multipart_fns, payload_fns, whole_body_fns,
    whole_json_to_body_fn,
};
use super::decode::{
    FORM, JSON, JSON_WHOLE, RAW, enum_decode_impl, from_wire_fn, struct_decode_impl,
    union_decode_impl, wire_list,
};
use super::encode::{json_to_body_fn, struct_encode_impl, to_query_fn, to_wire_fns};
use super::style::{from_request_fn, needs_request, to_headers_fn};
use super::validate::{struct_validate_impl, union_validate_impl, validate_field};
use super::{Groups, Level, allow_deprecated, deprecated, extra_name, split_fields, write_stmts};
use crate::emit::routes::trait_name;
use crate::emit::text::{Code, line, string_literal};
use crate::emit::types::{Presence, Scope, field_type_text_in, type_text_in};
use crate::ir::{Api, Enum, Field, Method, Operation, Struct, TypeDef, TypeRef, Union};

/// Methods of a params type that a setter must not shadow.
const PARAMS_METHODS: &[&str] = &[
    "new",
    "validate",
    "to_query",
    "to_body",
    "from_wire",
    "default",
];

/// Methods of a nested type that a setter must not shadow.
const NESTED_METHODS: &[&str] = &["new", "default", "id", "as_str"];

/// The parameters type of an operation, its builder, methods, `Params` and
/// `Arbitrary` impls.
pub(super) fn operation_params(
    code: &mut Code,
    api: &Api,
    scope: &Scope,
    op: &Operation,
    method_name: &str,
) {
    let name = op.name.as_str();
    let groups = split_fields(op);
    let fields = groups.all();
    code.docs(Some(&operation_doc(op)));
    let default = if all_optional(&fields) {
        "Default, "
    } else {
        ""
    };
    line!(code, "#[derive(Clone, Debug, {default}PartialEq)]");
    // Built with `new` and setters: a new optional parameter is a new setter,
    // not a breaking change.
    code.line("#[non_exhaustive]");
    params_struct(code, scope, name, &fields);
    builder_impl(code, scope, name, &fields, None, Owner::Params);
    params_methods(code, api, op, &groups);
    params_impl(code, api, op, &groups, method_name);
    arbitrary_struct(code, api, scope, name, &fields, None, false);
}

/// The doc of a params type: the operation's summary, method and path, then
/// its description.
fn operation_doc(op: &Operation) -> String {
    let endpoint = format!("`{} {}`", op.method.as_str(), op.path);
    let mut doc = match &op.summary {
        Some(summary) => format!("{summary}: parameters of {endpoint}."),
        None => format!("Parameters of {endpoint}."),
    };
    if let Some(docs) = &op.docs {
        doc.push_str("\n\n");
        doc.push_str(docs);
    }
    doc
}

fn params_struct(code: &mut Code, scope: &Scope, name: &str, fields: &[&Field]) {
    if fields.is_empty() {
        line!(code, "pub struct {name} {{}}");
        return;
    }
    code.open_fmt(format_args!("pub struct {name}"));
    for field in fields {
        code.docs(field.docs.as_deref());
        deprecated(code, field);
        line!(
            code,
            "pub {}: {},",
            field.rust,
            field_type_text_in(field, scope)
        );
    }
    code.close();
}

/// Whether no field is required (the type derives or implements `Default`).
fn all_optional(fields: &[&Field]) -> bool {
    fields.iter().all(|f| is_optional(f))
}

fn is_optional(field: &Field) -> bool {
    matches!(
        Presence::of(field),
        Presence::Optional | Presence::OptionalNullable
    )
}

/// `validate`, `to_query`, `to_body`, `from_wire` (and, reading headers or
/// styled query parameters, `to_headers` and `from_request`) of a params type.
fn params_methods(code: &mut Code, api: &Api, op: &Operation, groups: &Groups) {
    let Groups {
        query,
        header,
        cookie,
        body,
    } = groups;
    let fields = groups.all();
    allow_deprecated(code, &fields);
    code.open_fmt(format_args!("impl {}", op.name));
    code.doc("Checks every rule the spec gives for these parameters.");
    code.open("pub fn validate(&self) -> ::std::result::Result<(), crate::form::ValidationError>");
    for field in &fields {
        write_stmts(code, &validate_field(field, &Level::Top));
    }
    code.line("::std::result::Result::Ok(())");
    code.close();
    let request = needs_request(api, op, query, header, cookie);
    let body_wire = match (BodyWire::of(op), &op.body) {
        (BodyWire::JsonObject, Some(json)) => {
            to_query_fn(code, api, op, query);
            json_to_body_fn(code, body, json.required);
            &JSON
        }
        (BodyWire::JsonWhole, Some(_)) if body.len() == 1 => {
            to_query_fn(code, api, op, query);
            whole_json_to_body_fn(code, &body[0]);
            &JSON_WHOLE
        }
        (BodyWire::Text | BodyWire::Binary, Some(_)) if body.len() == 1 => {
            whole_body_fns(code, api, op, query, &body[0], request);
            &RAW
        }
        (BodyWire::Multipart, Some(multipart)) => {
            multipart_fns(code, api, op, multipart, groups);
            code.close();
            return;
        }
        _ => {
            to_wire_fns(code, api, op, query, body);
            &FORM
        }
    };
    if request {
        to_headers_fn(code, api, op, header, cookie);
        from_request_fn(code, api, op, query, header, cookie, body, body_wire);
    } else {
        from_wire_fn(code, query, body, body_wire);
    }
    code.close();
}

/// `impl Params`: the route constant and the trait methods, which call the
/// inherent ones.
fn params_impl(code: &mut Code, api: &Api, op: &Operation, groups: &Groups, method_name: &str) {
    code.open_fmt(format_args!("impl crate::runtime::Params for {}", op.name));
    code.open("const ROUTE: crate::runtime::Route = crate::runtime::Route");
    line!(code, "method: {},", method_path(op.method));
    line!(code, "path: {},", string_literal(&op.path));
    line!(code, "path_params: &[{}],", wire_list(&op.path_params));
    line!(code, "operation_id: {},", string_literal(&op.id));
    line!(code, "operation: {},", string_literal(&op.name));
    line!(
        code,
        "resource: {},",
        string_literal(&trait_name(&op.resource))
    );
    line!(code, "method_name: {},", string_literal(method_name));
    line!(code, "encoding: {},", BodyWire::of(op).encoding_path());
    code.close_with(";");
    content_types_const(code, op);
    code.open("fn to_query(&self) -> ::std::string::String");
    code.line("self.to_query()");
    code.close();
    code.open("fn to_body(&self) -> ::std::string::String");
    code.line("self.to_body()");
    code.close();
    code.open("fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    code.line("Self::from_wire(query, body)");
    code.close();
    if needs_request(api, op, &groups.query, &groups.header, &groups.cookie) {
        code.open("fn to_headers(&self) -> ::std::vec::Vec<(::std::string::String, ::std::string::String)>");
        code.line("self.to_headers()");
        code.close();
        code.open("fn from_request(query: &str, headers: &[(::std::string::String, ::std::string::String)], body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
        code.line("Self::from_request(query, headers, body)");
        code.close();
    }
    code.open("fn validate(&self) -> ::std::result::Result<(), crate::form::ValidationError>");
    code.line("self.validate()");
    code.close();
    payload_fns(code, api, op);
    code.close();
}

/// The `runtime::Method` of an HTTP method.
fn method_path(method: Method) -> &'static str {
    match method {
        Method::Get => "crate::runtime::Method::Get",
        Method::Put => "crate::runtime::Method::Put",
        Method::Post => "crate::runtime::Method::Post",
        Method::Delete => "crate::runtime::Method::Delete",
        Method::Options => "crate::runtime::Method::Options",
        Method::Head => "crate::runtime::Method::Head",
        Method::Patch => "crate::runtime::Method::Patch",
        Method::Trace => "crate::runtime::Method::Trace",
    }
}

/// The type a field holds inside its presence wrapper (boxed when the field is).
fn inner_type(scope: &Scope, field: &Field) -> String {
    let ty = type_text_in(&field.ty, scope);
    if field.boxed {
        format!("::std::boxed::Box<{ty}>")
    } else {
        ty
    }
}

fn wrap_box(field: &Field, value: String) -> String {
    if field.boxed {
        format!("::std::boxed::Box::new({value})")
    } else {
        value
    }
}

/// Whose builder is emitted: a params type (defined here, deriving `Default`
/// when nothing is required) or a type of `models` that parameters use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Owner {
    Params,
    Nested,
}

/// `new(required …)` and a setter per optional field.
fn builder_impl(
    code: &mut Code,
    scope: &Scope,
    name: &str,
    fields: &[&Field],
    extra: Option<&str>,
    owner: Owner,
) {
    let reserved = match owner {
        Owner::Params => PARAMS_METHODS,
        Owner::Nested => NESTED_METHODS,
    };
    allow_deprecated(code, fields);
    code.open_fmt(format_args!("impl {name}"));
    new_fn(code, scope, fields, extra, owner);
    for field in fields.iter().filter(|f| is_optional(f)) {
        setter(code, scope, field, reserved);
    }
    code.close();
}

/// `new`: the required fields as arguments, the optional ones unset. A
/// params type without required fields derives `Default` and `new` calls it;
/// a nested (models) type gets a `Default` that calls `new()`.
fn new_fn(code: &mut Code, scope: &Scope, fields: &[&Field], extra: Option<&str>, owner: Owner) {
    let args: Vec<String> = fields.iter().filter_map(|f| new_arg(scope, f)).collect();
    if args.is_empty() && owner == Owner::Params {
        code.doc("No parameters set.");
        code.open("pub fn new() -> Self");
        code.line("Self::default()");
        code.close();
        return;
    }
    if args.is_empty() {
        code.doc("Nothing set.");
        code.open("pub fn new() -> Self");
    } else {
        code.doc("The required parameters; set optional ones with the chained setters.");
        if args.len() > 7 {
            code.line("#[allow(clippy::too_many_arguments)]");
        }
        code.open_fmt(format_args!("pub fn new({}) -> Self", args.join(", ")));
    }
    if fields.is_empty() && extra.is_none() {
        code.line("Self {}");
    } else {
        code.open("Self");
        for field in fields {
            line!(code, "{}: {},", field.rust, new_init(field));
        }
        if let Some(extra) = extra {
            line!(code, "{extra}: ::std::collections::BTreeMap::new(),");
        }
        code.close();
    }
    code.close();
}

/// The argument of `new` for a required field; `None` for an optional one.
fn new_arg(scope: &Scope, field: &Field) -> Option<String> {
    let f = &field.rust;
    let inner = type_text_in(&field.ty, scope);
    match Presence::of(field) {
        Presence::Always => Some(format!("{f}: impl ::std::convert::Into<{inner}>")),
        Presence::RequiredNullable => Some(format!(
            "{f}: impl ::std::convert::Into<::std::option::Option<{inner}>>"
        )),
        Presence::Optional | Presence::OptionalNullable => None,
    }
}

/// What `new` sets a field to: its argument, or unset.
fn new_init(field: &Field) -> String {
    let f = &field.rust;
    match Presence::of(field) {
        Presence::Always => wrap_box(field, format!("{f}.into()")),
        Presence::RequiredNullable if field.boxed => {
            format!("{f}.into().map(::std::boxed::Box::new)")
        }
        Presence::RequiredNullable => format!("{f}.into()"),
        Presence::Optional | Presence::OptionalNullable => {
            "::std::default::Default::default()".to_owned()
        }
    }
}

/// The chained setter of an optional field (`with_` + name when the name is
/// one of the type's own methods).
fn setter(code: &mut Code, scope: &Scope, field: &Field, reserved: &[&str]) {
    let f = &field.rust;
    let name = if reserved.contains(&f.as_str()) {
        format!("with_{}", f.trim_end_matches('_'))
    } else {
        f.clone()
    };
    let (arg_ty, value) = if Presence::of(field) == Presence::Optional {
        (
            format!(
                "impl ::std::convert::Into<{}>",
                type_text_in(&field.ty, scope)
            ),
            format!(
                "::std::option::Option::Some({})",
                wrap_box(field, format!("{f}.into()"))
            ),
        )
    } else {
        let ty = inner_type(scope, field);
        (
            format!("impl ::std::convert::Into<crate::runtime::Nullable<{ty}>>"),
            format!("::std::convert::Into::<crate::runtime::Nullable<{ty}>>::into({f})"),
        )
    };
    code.docs(field.docs.as_deref());
    deprecated(code, field);
    code.open_fmt(format_args!(
        "pub fn {name}(mut self, {f}: {arg_ty}) -> Self"
    ));
    line!(code, "self.{f} = {value};");
    code.line("self");
    code.close();
}

/// `Default` (nothing set, as `new()`) for nested types without required fields.
fn default_impl(code: &mut Code, name: &str, fields: &[&Field]) {
    if !all_optional(fields) {
        return;
    }
    code.open_fmt(format_args!("impl ::std::default::Default for {name}"));
    code.open("fn default() -> Self");
    code.line("Self::new()");
    code.close();
    code.close();
}

pub(super) fn nested_struct(code: &mut Code, api: &Api, scope: &Scope, def: &TypeDef, s: &Struct) {
    let path_name = scope.path_text(&def.name);
    let fields: Vec<&Field> = s.fields.iter().collect();
    let extra = extra_name(s);
    let extra = extra.as_deref();
    builder_impl(code, scope, &path_name, &fields, extra, Owner::Nested);
    default_impl(code, &path_name, &fields);
    struct_encode_impl(code, &path_name, &fields, extra);
    struct_decode_impl(code, &FORM, &path_name, &fields, extra);
    struct_validate_impl(code, &path_name, &fields);
    arbitrary_struct(code, api, scope, &path_name, &fields, extra, true);
}

pub(super) fn nested_enum(code: &mut Code, scope: &Scope, def: &TypeDef, e: &Enum) {
    let name = scope.path_text(&def.name);
    let wires: Vec<String> = e.variants.iter().map(|v| string_literal(&v.wire)).collect();
    let wires = wires.join(", ");
    code.open_fmt(format_args!("impl crate::form::FormEncode for {name}"));
    code.open("fn encode_form(&self, key: &str, out: &mut crate::form::FormWriter)");
    code.line("out.pair(key, self.as_str());");
    code.close();
    code.close();
    enum_decode_impl(code, &name, e, &wires);
    code.open_fmt(format_args!("impl crate::form::Validate for {name}"));
    code.open("fn validate_at(&self, path: &str) -> ::std::result::Result<(), crate::form::ValidationError>");
    line!(
        code,
        "crate::form::check_enum(self.as_str(), &[{wires}], path)"
    );
    code.close();
    code.close();
    enum_arbitrary_impl(code, &name, e, &wires);
}

pub(super) fn nested_union(code: &mut Code, api: &Api, scope: &Scope, def: &TypeDef, u: &Union) {
    let name = scope.path_text(&def.name);
    union_from_impls(code, api, scope, &name, u);
    code.open_fmt(format_args!("impl crate::form::FormEncode for {name}"));
    code.open("fn encode_form(&self, key: &str, out: &mut crate::form::FormWriter)");
    code.open("match self");
    for v in &u.variants {
        line!(
            code,
            "Self::{}(inner) => crate::form::FormEncode::encode_form(inner, key, out),",
            v.rust
        );
    }
    code.close();
    code.close();
    code.close();
    union_decode_impl(code, &name, u);
    union_validate_impl(code, &name, u);
    union_arbitrary_impl(code, api, scope, &name, u);
}

/// `From` each variant's type, when no other variant has the same Rust
/// type (two aliases of `String` are the same type).
fn union_from_impls(code: &mut Code, api: &Api, scope: &Scope, name: &str, u: &Union) {
    let same = |a: &TypeRef, b: &TypeRef| api.resolve_alias(a) == api.resolve_alias(b);
    let unique = u
        .variants
        .iter()
        .filter(|v| u.variants.iter().filter(|w| same(&w.ty, &v.ty)).count() == 1);
    for v in unique {
        let ty = type_text_in(&v.ty, scope);
        let value = if v.boxed {
            "::std::boxed::Box::new(value)"
        } else {
            "value"
        };
        code.open_fmt(format_args!("impl ::std::convert::From<{ty}> for {name}"));
        code.open_fmt(format_args!("fn from(value: {ty}) -> Self"));
        line!(code, "Self::{}({value})", v.rust);
        code.close();
        code.close();
    }
}
