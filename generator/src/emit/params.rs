//! Emits the `params` modules: one parameters type per operation (named after
//! the operation, `CreatePromotionCode`), holding its query parameters and
//! body fields; path parameters are arguments of the route methods instead.
//! Each gets `new(required …)`, a chained setter per optional field,
//! `validate()` from the spec's rules, and the wire encoding both ways
//! (`to_query`, `to_body`, `from_wire`) through the runtime `Params` trait:
//! query strings and form bodies with the runtime's `form` module, and for
//! operations whose body is `application/json` a JSON object with its `json`
//! module (written through serde, read through `json::JsonDecode`).
//!
//! The inline types of parameters and bodies that nothing else uses
//! (`CreatePromotionCodeRestrictions`, the `ListPromotionCodesCreated` union …)
//! are defined here too (see `types::Scope`); the component types that
//! parameters use stay in `models`. Every named type that parameters reach
//! gets its builder and its `FormEncode`, `FormDecode`, `Validate` and
//! (feature `proptest`) `Arbitrary` impls here, and the types that JSON
//! bodies reach a `JsonDecode` impl too (so a form-only spec has none).
//!
//! This is the bulk of a large crate, so it is written as already-formatted
//! source with [`Code`] (no tokens, no `prettyplease`): one statement, field
//! or argument list per line, long lines left long. Statements whose presence
//! depends on the spec's rules are built as a small [`Stmt`] tree first, so
//! that a check wraps its `if let` or loop only around checks that exist.
//! The definitions of the owned types are written by `models`. In the module
//! of types several features share, each type is behind the `cfg` of the
//! features that reach it (see [`super::gates`]).

use std::collections::{BTreeMap, BTreeSet};

use super::gates::Gates;
use super::models::type_def_text;
use super::routes::{method_names, trait_name};
use super::text::{Code, f64_literal, line, string_literal};
use super::types::{Presence, Scope, field_type_text_in, type_text_in};
use crate::ir::{
    Api, Constraints, Enum, EnumValue, Field, Method, Operation, Struct, TypeDef, TypeKind,
    TypeRef, Union,
};
use crate::lower::names::{Namer, field_name};

/// String formats that `form::check_format` checks (keep in step with the runtime's list).
const CHECKED_FORMATS: &[&str] = &["currency"];

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

/// One file of the `params` module: the operations of one cargo feature and
/// the types only they use (compiled with the feature), or the types several
/// features share (`feature: None`; the module is always compiled, each of
/// its types with the features that reach it).
#[derive(Clone, Debug)]
pub struct ParamsModule {
    pub feature: Option<String>,
    /// The module's name (and file stem).
    pub module: String,
    /// Indexes into `api.operations`.
    pub ops: Vec<usize>,
    /// Names of the types whose definitions or impls the module holds.
    pub nested: Vec<String>,
    /// Whether the module defines any item (a params type, or a type
    /// `params` owns), rather than only impls of models' types: only then
    /// is it re-exported (a glob import of nothing is an unused import).
    pub defines: bool,
}

/// The name of the module of types that several features use.
const SHARED_MODULE: &str = "shared_types";

/// Splits the `params` items into modules by cargo feature. A type goes with
/// the one feature whose operations reach it, else to the shared module; what
/// a type reaches is reached by the same operations, so a shared type never
/// needs a feature-gated one.
pub fn layout(api: &Api, scope: &Scope) -> Vec<ParamsModule> {
    let reached = reachable(api);
    let mut users: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for op in &api.operations {
        let roots = all_fields(op)
            .into_iter()
            .flat_map(|f| f.ty.named())
            .map(str::to_owned);
        for name in reachable_from(api, roots.collect()) {
            if let Some((key, _)) = api.types.get_key_value(&name) {
                users
                    .entry(key.as_str())
                    .or_default()
                    .insert(op.feature.as_str());
            }
        }
    }
    let mut modules: BTreeMap<Option<String>, ParamsModule> = BTreeMap::new();
    for (i, op) in api.operations.iter().enumerate() {
        let module = module_of(&mut modules, Some(&op.feature));
        module.ops.push(i);
        module.defines = true;
    }
    // The inline types of parameters (defined here), then the models that
    // parameters use; each with its builder and wire/validation impls.
    let owned = api.types.values().filter(|def| scope.in_params(&def.name));
    let shared = api
        .types
        .values()
        .filter(|def| !scope.in_params(&def.name) && reached.contains(&def.name));
    for def in owned.chain(shared) {
        let feature = match users.get(def.name.as_str()) {
            Some(features) if features.len() == 1 => features.first().copied(),
            _ => None,
        };
        let module = module_of(&mut modules, feature);
        module.nested.push(def.name.clone());
        module.defines |= scope.in_params(&def.name);
    }
    modules.into_values().collect()
}

fn module_of<'m>(
    modules: &'m mut BTreeMap<Option<String>, ParamsModule>,
    feature: Option<&str>,
) -> &'m mut ParamsModule {
    modules
        .entry(feature.map(str::to_owned))
        .or_insert_with(|| ParamsModule {
            feature: feature.map(str::to_owned),
            module: feature.map_or_else(|| SHARED_MODULE.to_owned(), field_name),
            ops: Vec::new(),
            nested: Vec::new(),
            defines: false,
        })
}

/// What every params module (and `models`, through [`ApiIndex::gates`])
/// looks up about the whole API, worked out once.
pub struct ApiIndex {
    /// The route method of each operation, parallel to `api.operations`.
    method_names: Vec<String>,
    /// The named types that parameters reach.
    reached: BTreeSet<String>,
    /// The named types that the bodies of JSON operations reach (they also
    /// get a `json::JsonDecode` impl).
    json_reached: BTreeSet<String>,
    /// The features that compile each type.
    gates: Gates,
}

impl ApiIndex {
    pub fn new(api: &Api) -> Self {
        ApiIndex {
            method_names: method_names(api),
            reached: reachable(api),
            json_reached: json_reachable(api),
            gates: Gates::new(api),
        }
    }

    /// The features that compile each type.
    pub fn gates(&self) -> &Gates {
        &self.gates
    }
}

/// The source of one params module (items not yet separated by blank lines).
pub fn module_text(api: &Api, scope: &Scope, index: &ApiIndex, module: &ParamsModule) -> String {
    let mut code = Code::new();
    for &i in &module.ops {
        let method_name = &index.method_names[i];
        operation_params(&mut code, api, scope, &api.operations[i], method_name);
    }
    for name in &module.nested {
        let def = &api.types[name];
        // A feature's module is gated as a whole; in the shared module each
        // type is compiled with the features that reach it.
        let cfg = module
            .feature
            .is_none()
            .then(|| index.gates.cfg(name))
            .flatten();
        let mut items = Code::new();
        let out = if cfg.is_some() { &mut items } else { &mut code };
        if scope.in_params(&def.name) {
            type_def_text(api, scope, def, out);
        }
        if index.reached.contains(&def.name) {
            nested_impls(out, api, scope, def);
        }
        if index.json_reached.contains(&def.name) {
            json_decode_impl(out, scope, def);
        }
        if let Some(cfg) = cfg {
            code.items_behind(&cfg, &items.finish());
        }
    }
    code.finish()
}

/// `params/mod.rs`: the modules, each re-exported so every type is
/// `crate::params::Name`; a feature's module only with that feature.
pub fn mod_rs(modules: &[ParamsModule]) -> String {
    let mut code = Code::new();
    code.line("//! The parameters of every operation: builders, validation and the");
    code.line("//! wire encoding both ways. One module per cargo feature; everything is");
    code.line("//! re-exported here.");
    for m in modules {
        match &m.feature {
            Some(f) => code.doc(&format!(
                "Parameters of the operations of feature `{f}`, and the types only they use."
            )),
            None if m.defines => code.doc("Types that the parameters of several features use."),
            None => code.doc("Impls for the types that the parameters of several features use."),
        }
        let cfg = m
            .feature
            .as_ref()
            .map(|f| format!("#[cfg(feature = {})]", string_literal(f)));
        if let Some(cfg) = &cfg {
            code.line(cfg);
        }
        code.line("#[rustfmt::skip]");
        line!(code, "mod {};", m.module);
        if !m.defines {
            continue;
        }
        if let Some(cfg) = &cfg {
            code.line(cfg);
        }
        line!(code, "pub use {}::*;", m.module);
    }
    code.finish()
}

/// The named types that parameters reach, directly or through other types.
pub fn reachable(api: &Api) -> BTreeSet<String> {
    let roots = api
        .operations
        .iter()
        .flat_map(|op| all_fields(op).into_iter().flat_map(|f| f.ty.named()))
        .map(str::to_owned)
        .collect();
    reachable_from(api, roots)
}

/// The named types that the body fields of JSON operations reach.
fn json_reachable(api: &Api) -> BTreeSet<String> {
    let roots = api
        .operations
        .iter()
        .filter(|op| is_json(op))
        .flat_map(|op| op.body.iter().flat_map(|b| &b.fields))
        .flat_map(|f| f.ty.named())
        .map(str::to_owned)
        .collect();
    reachable_from(api, roots)
}

/// The named types reachable from `roots` (included).
fn reachable_from(api: &Api, mut pending: Vec<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(def) = api.types.get(&name) else {
            continue;
        };
        pending.extend(def.kind.named_uses().into_iter().map(str::to_owned));
    }
    seen
}

/// The query parameters and the body fields, with Rust names unique across
/// both (lowering names each group on its own; a body field that repeats a
/// query parameter's name gets a suffix).
fn split_fields(op: &Operation) -> (Vec<Field>, Vec<Field>) {
    let mut names = Namer::default();
    let mut rename = |f: &Field| Field {
        rust: names.claim(&f.rust),
        ..f.clone()
    };
    let query = op.query_params.iter().map(&mut rename).collect();
    let body = op
        .body
        .iter()
        .flat_map(|b| &b.fields)
        .map(&mut rename)
        .collect();
    (query, body)
}

/// Query parameters, then body fields.
pub fn all_fields(op: &Operation) -> Vec<&Field> {
    op.query_params
        .iter()
        .chain(op.body.iter().flat_map(|b| &b.fields))
        .collect()
}

/// A statement of a generated function body: one line, or a block around
/// more statements (`head {` … `}` then `tail`; a bare block when `head` is
/// empty).
enum Stmt {
    Line(String),
    Block {
        head: String,
        body: Vec<Stmt>,
        tail: &'static str,
    },
}

impl Stmt {
    fn block(head: String, body: Vec<Stmt>) -> Stmt {
        Stmt::Block {
            head,
            body,
            tail: "",
        }
    }
}

fn write_stmts(code: &mut Code, stmts: &[Stmt]) {
    for stmt in stmts {
        match stmt {
            Stmt::Line(text) => code.line(text),
            Stmt::Block { head, body, tail } => {
                if head.is_empty() {
                    code.line("{");
                    code.indent_in();
                } else {
                    code.open(head);
                }
                write_stmts(code, body);
                code.close_with(tail);
            }
        }
    }
}

/// The parameters type of an operation, its builder, methods, `Params` and
/// `Arbitrary` impls.
fn operation_params(code: &mut Code, api: &Api, scope: &Scope, op: &Operation, method_name: &str) {
    let name = op.name.as_str();
    let (query, body) = split_fields(op);
    let fields: Vec<&Field> = query.iter().chain(&body).collect();
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
    params_methods(code, op, &query, &body);
    params_impl(code, op, method_name);
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

/// `validate`, `to_query`, `to_body` and `from_wire` of a params type.
fn params_methods(code: &mut Code, op: &Operation, query: &[Field], body: &[Field]) {
    let fields: Vec<&Field> = query.iter().chain(body).collect();
    allow_deprecated(code, &fields);
    code.open_fmt(format_args!("impl {}", op.name));
    code.doc("Checks every rule the spec gives for these parameters.");
    code.open("pub fn validate(&self) -> ::std::result::Result<(), crate::form::ValidationError>");
    for field in &fields {
        write_stmts(code, &validate_field(field, &Level::Top));
    }
    code.line("::std::result::Result::Ok(())");
    code.close();
    match op.body.as_ref().filter(|_| is_json(op)) {
        Some(json) => {
            to_query_fn(code, query);
            json_to_body_fn(code, body, json.required);
            from_wire_fn(code, query, body, &JSON);
        }
        None => {
            to_wire_fns(code, query, body);
            from_wire_fn(code, query, body, &FORM);
        }
    }
    code.close();
}

/// `to_query` and `to_body`.
fn to_wire_fns(code: &mut Code, query: &[Field], body: &[Field]) {
    to_query_fn(code, query);
    code.doc(
        "The body fields as an `application/x-www-form-urlencoded` body, as Stripe's clients send them.",
    );
    code.open("pub fn to_body(&self) -> ::std::string::String");
    write_pairs(code, body);
    code.close();
}

fn to_query_fn(code: &mut Code, query: &[Field]) {
    code.doc(
        "The query parameters as a query string (without `?`), as Stripe's clients send them.",
    );
    code.open("pub fn to_query(&self) -> ::std::string::String");
    write_pairs(code, query);
    code.close();
}

/// `to_body` of a JSON operation: the set fields as one object, in field order.
fn json_to_body_fn(code: &mut Code, body: &[Field], required: bool) {
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

/// A wire format that params types are read from: forms (`form::FormDecode`)
/// or JSON bodies (`json::JsonDecode`). The runtime modules mirror each other
/// (`object`, `deny_unknown`, `rest`, `required` …), so one emitter serves both.
struct Decoder {
    /// The runtime module: `crate::form` or `crate::json`.
    module: &'static str,
    /// The trait and its method: `FormDecode` / `decode_form` …
    trait_name: &'static str,
    method: &'static str,
    /// The method's first parameter: the parsed node of this wire.
    input: &'static str,
    /// A request body of this wire, in words (for `from_wire`'s docs).
    body: &'static str,
    /// The lines that read `body: &str` into `body`, its top-level entries.
    read_body: &'static [&'static str],
}

const FORM: Decoder = Decoder {
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

const JSON: Decoder = Decoder {
    module: "crate::json",
    trait_name: "JsonDecode",
    method: "decode_json",
    input: "value: &::serde_json::Value",
    body: "a JSON body (an empty one is `{}`)",
    read_body: &["let body = &crate::json::parse(body)?;"],
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
fn from_wire_fn(code: &mut Code, query: &[Field], body: &[Field], body_wire: &Decoder) {
    line!(
        code,
        "/// Reads the parameters from a query string and {} (either may be",
        body_wire.body
    );
    code.doc("empty), as a server receives them.");
    code.open("pub fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    code.line("let query = crate::form::parse(query)?;");
    code.line("let query = crate::form::object(&query, \"\")?;");
    line!(
        code,
        "crate::form::deny_unknown(query, &[{}], \"\")?;",
        wire_list(query)
    );
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

/// The wire names of `fields`, as string literals separated by commas.
fn wire_list<'f>(fields: impl IntoIterator<Item = &'f Field>) -> String {
    let wires: Vec<String> = fields
        .into_iter()
        .map(|f| string_literal(&f.wire))
        .collect();
    wires.join(", ")
}

/// `impl Params`: the route constant and the trait methods, which call the
/// inherent ones.
fn params_impl(code: &mut Code, op: &Operation, method_name: &str) {
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
    line!(code, "encoding: {},", encoding_path(op));
    code.close_with(";");
    code.open("fn to_query(&self) -> ::std::string::String");
    code.line("self.to_query()");
    code.close();
    code.open("fn to_body(&self) -> ::std::string::String");
    code.line("self.to_body()");
    code.close();
    code.open("fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError>");
    code.line("Self::from_wire(query, body)");
    code.close();
    code.open("fn validate(&self) -> ::std::result::Result<(), crate::form::ValidationError>");
    code.line("self.validate()");
    code.close();
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

/// Where the operation's parameters travel: a form or JSON body when it has
/// one, else the query (the `runtime::Encoding`).
fn encoding_path(op: &Operation) -> &'static str {
    match &op.body {
        Some(_) if is_json(op) => "crate::runtime::Encoding::Json",
        Some(_) => "crate::runtime::Encoding::Form",
        None => "crate::runtime::Encoding::Query",
    }
}

/// Whether the operation's body is JSON (`application/json` and the like).
fn is_json(op: &Operation) -> bool {
    op.body
        .as_ref()
        .is_some_and(|b| b.content_type.contains("json"))
}

/// `#[allow(deprecated)]` for the impls of a type with deprecated fields: its
/// own generated code reads and writes them; users still get the warnings
/// (on the fields and on their setters).
fn allow_deprecated(code: &mut Code, fields: &[&Field]) {
    if fields.iter().any(|f| f.deprecated) {
        code.line("#[allow(deprecated)]");
    }
}

/// `#[deprecated]` on a deprecated field or its setter.
fn deprecated(code: &mut Code, field: &Field) {
    if field.deprecated {
        code.line("#[deprecated]");
    }
}

/// The body of `to_query` / `to_body`: the pairs written in field order.
fn write_pairs(code: &mut Code, fields: &[Field]) {
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

/// Where keys and parameter names start: the top level of a params type, or
/// inside a nested value (the `key` and `path` arguments of the trait methods).
enum Level {
    Top,
    Nested,
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

/// The initializer of a field in `from_wire` / `decode_form`: read from
/// `entries`, errors naming `path`.
fn decode_field(code: &mut Code, wire: &Decoder, field: &Field, entries: &str, path: &str) {
    line!(
        code,
        "{}: {}::{}({entries}, {}, {path})?,",
        field.rust,
        wire.module,
        presence_helper(field),
        string_literal(&field.wire)
    );
}

/// The checks of one field (nothing when the spec gives it no rules).
fn validate_field(field: &Field, level: &Level) -> Vec<Stmt> {
    let f = &field.rust;
    let wire = string_literal(&field.wire);
    let (path, bind_path) = match level {
        Level::Top => (wire, None),
        Level::Nested => (
            "field_path".to_owned(),
            Some(Stmt::Line(format!(
                "let field_path = &crate::form::child(path, {wire});"
            ))),
        ),
    };
    // Wrappers are matched in the pattern that binds `value` (one `if let`,
    // not nested ones).
    let (layers, inner) = peel(&field.ty);
    let mut body = checks("value", &inner, &field.constraints, &path, 0);
    // A required string cannot be empty: the empty string means "unset".
    if Presence::of(field) == Presence::Always && field.ty == TypeRef::String {
        body.insert(
            0,
            Stmt::Line(format!("crate::form::check_not_empty(value, {path})?;")),
        );
    }
    if body.is_empty() {
        return body;
    }
    body.splice(0..0, bind_path);
    let pattern = wrap_pattern(&layers, "value");
    let pattern = match Presence::of(field) {
        Presence::Always if layers.is_empty() => {
            body.insert(0, Stmt::Line(format!("let value = &self.{f};")));
            return vec![Stmt::block(String::new(), body)];
        }
        Presence::Always => pattern,
        Presence::Optional | Presence::RequiredNullable => {
            format!("::std::option::Option::Some({pattern})")
        }
        Presence::OptionalNullable => format!("crate::runtime::Nullable::Value({pattern})"),
    };
    vec![Stmt::block(format!("if let {pattern} = &self.{f}"), body)]
}

/// A wrapper that validation looks through with a pattern.
#[derive(Clone, Copy)]
enum Layer {
    Some,
    Set,
    Update,
}

/// The wrappers around a use that only hold a value sometimes (`Option`,
/// `Clearable`, `ClearableMap`), outermost first, and the use inside them.
fn peel(ty: &TypeRef) -> (Vec<Layer>, TypeRef) {
    let mut layers = Vec::new();
    let mut ty = ty.clone();
    loop {
        ty = match ty {
            TypeRef::Option(inner) => {
                layers.push(Layer::Some);
                *inner
            }
            TypeRef::Clearable(inner) => {
                if let TypeRef::Map(values) = *inner {
                    layers.push(Layer::Update);
                    // The entries of the update: a map of `Clearable` values.
                    return (layers, TypeRef::Map(Box::new(TypeRef::Clearable(values))));
                }
                layers.push(Layer::Set);
                *inner
            }
            other => return (layers, other),
        };
    }
}

/// The pattern that matches `layers` (outermost first) around `binding`.
fn wrap_pattern(layers: &[Layer], binding: &str) -> String {
    layers
        .iter()
        .rev()
        .fold(binding.to_owned(), |inner, layer| match layer {
            Layer::Some => format!("::std::option::Option::Some({inner})"),
            Layer::Set => format!("crate::runtime::Clearable::Set({inner})"),
            Layer::Update => format!("crate::runtime::ClearableMap::Update({inner})"),
        })
}

fn range_bound(limit: Option<f64>, exclusive: bool) -> String {
    match limit {
        Some(limit) => format!(
            "::std::option::Option::Some(({}, {exclusive}))",
            f64_literal(limit)
        ),
        None => "::std::option::Option::None".to_owned(),
    }
}

fn opt_u64(value: Option<u64>) -> String {
    match value {
        Some(v) => format!("::std::option::Option::Some({v}u64)"),
        None => "::std::option::Option::None".to_owned(),
    }
}

/// Statements checking `value` (an expression of type `&T` for the use `ty`)
/// against `c`; empty when there is nothing to check. Errors name `path`.
fn checks(value: &str, ty: &TypeRef, c: &Constraints, path: &str, depth: usize) -> Vec<Stmt> {
    let item = format!("item_{depth}");
    let item_path = format!("path_{depth}");
    let none = Constraints::default();
    match ty {
        TypeRef::String => string_checks(value, c, path),
        TypeRef::Integer | TypeRef::Number | TypeRef::Timestamp => {
            number_checks(value, ty, c, path)
        }
        TypeRef::Vec(inner) => {
            let mut out = Vec::new();
            if c.min_items.is_some() || c.max_items.is_some() {
                let min = opt_u64(c.min_items);
                let max = opt_u64(c.max_items);
                out.push(Stmt::Line(format!(
                    "crate::form::check_items({value}.len(), {min}, {max}, {path})?;"
                )));
            }
            let item_c = c.items.as_deref().unwrap_or(&none);
            out.extend(guarded(
                format!("for (index, {item}) in {value}.iter().enumerate()"),
                Some(format!(
                    "let {item_path} = &crate::form::child({path}, &index.to_string());"
                )),
                checks(&item, inner, item_c, &item_path, depth + 1),
            ));
            out
        }
        TypeRef::Map(inner) => guarded(
            format!("for (key, {item}) in {value}"),
            Some(format!(
                "let {item_path} = &crate::form::child({path}, key);"
            )),
            checks(
                &item,
                inner,
                c.values.as_deref().unwrap_or(&none),
                &item_path,
                depth + 1,
            ),
        ),
        TypeRef::Clearable(inner) => match &**inner {
            TypeRef::Map(values) => {
                let set = guarded(
                    format!("if let crate::runtime::Clearable::Set({item}) = entry"),
                    Some(format!(
                        "let {item_path} = &crate::form::child({path}, key);"
                    )),
                    checks(
                        &item,
                        values,
                        c.values.as_deref().unwrap_or(&none),
                        &item_path,
                        depth + 1,
                    ),
                );
                let entries = guarded("for (key, entry) in entries".to_owned(), None, set);
                guarded(
                    format!("if let crate::runtime::ClearableMap::Update(entries) = {value}"),
                    None,
                    entries,
                )
            }
            inner => guarded(
                format!("if let crate::runtime::Clearable::Set({item}) = {value}"),
                None,
                checks(&item, inner, c, path, depth + 1),
            ),
        },
        TypeRef::Option(inner) => guarded(
            format!("if let ::std::option::Option::Some({item}) = {value}"),
            None,
            checks(&item, inner, c, path, depth + 1),
        ),
        TypeRef::Named(_) | TypeRef::Expandable(_) => vec![Stmt::Line(format!(
            "crate::form::Validate::validate_at({value}, {path})?;"
        ))],
        TypeRef::Bool | TypeRef::Json | TypeRef::List(_) => Vec::new(),
    }
}

/// `head { binding body }`, or nothing when `body` checks nothing.
fn guarded(head: String, binding: Option<String>, mut body: Vec<Stmt>) -> Vec<Stmt> {
    if body.is_empty() {
        return body;
    }
    if let Some(binding) = binding {
        body.insert(0, Stmt::Line(binding));
    }
    vec![Stmt::block(head, body)]
}

/// The range check of a number (an integer, a float or a timestamp's seconds).
fn number_checks(value: &str, ty: &TypeRef, c: &Constraints, path: &str) -> Vec<Stmt> {
    if c.minimum.is_none() && c.maximum.is_none() {
        return Vec::new();
    }
    let number = match ty {
        TypeRef::Integer => format!("*{value} as f64"),
        TypeRef::Number => format!("*{value}"),
        _ => format!("{value}.0 as f64"),
    };
    let min = range_bound(c.minimum, c.exclusive_minimum);
    let max = range_bound(c.maximum, c.exclusive_maximum);
    vec![Stmt::Line(format!(
        "crate::form::check_range({number}, {min}, {max}, {path})?;"
    ))]
}

/// The checks of a string: length, pattern, checked format, listed values.
fn string_checks(value: &str, c: &Constraints, path: &str) -> Vec<Stmt> {
    let mut out = Vec::new();
    if c.min_length.is_some() || c.max_length.is_some() {
        let min = opt_u64(c.min_length);
        let max = opt_u64(c.max_length);
        out.push(Stmt::Line(format!(
            "crate::form::check_length({value}, {min}, {max}, {path})?;"
        )));
    }
    if let Some(pattern) = &c.pattern {
        let pattern = string_literal(pattern);
        let regex = Stmt::Block {
            head: "static PATTERN: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(||".to_owned(),
            body: vec![Stmt::Line(format!(
                "::regex::Regex::new({pattern}).expect(\"the spec's pattern is a valid regular expression\")"
            ))],
            tail: ");",
        };
        let check = Stmt::Line(format!(
            "crate::form::check_pattern({value}, &PATTERN, {pattern}, {path})?;"
        ));
        out.push(Stmt::block(String::new(), vec![regex, check]));
    }
    if let Some(format) = c.format.as_deref().filter(|f| CHECKED_FORMATS.contains(f)) {
        out.push(Stmt::Line(format!(
            "crate::form::check_format({value}, {}, {path})?;",
            string_literal(format)
        )));
    }
    let values: Vec<String> = c
        .enum_values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| string_literal(v))
        .collect();
    if !values.is_empty() {
        out.push(Stmt::Line(format!(
            "crate::form::check_enum({value}, &[{}], {path})?;",
            values.join(", ")
        )));
    }
    out
}

/// Builders and wire/validation impls of a named type that parameters reach.
fn nested_impls(code: &mut Code, api: &Api, scope: &Scope, def: &TypeDef) {
    match &def.kind {
        TypeKind::Struct(s) => nested_struct(code, api, scope, def, s),
        TypeKind::Enum(e) => nested_enum(code, scope, def, e),
        TypeKind::Union(u) => nested_union(code, api, scope, def, u),
        // An alias is its target type, whose impls exist already; lowering
        // rejects tagged unions that parameters reach (`lower::support`).
        TypeKind::Alias(_) | TypeKind::Tagged(_) => {}
    }
}

/// The field name under which a struct keeps `additionalProperties` (as `models` names it).
fn extra_name(s: &Struct) -> Option<String> {
    s.additional.as_ref()?;
    (1..)
        .map(|n| {
            if n == 1 {
                "extra".to_owned()
            } else {
                format!("extra_{n}")
            }
        })
        .find(|candidate| s.fields.iter().all(|f| &f.rust != candidate))
}

fn nested_struct(code: &mut Code, api: &Api, scope: &Scope, def: &TypeDef, s: &Struct) {
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

fn struct_encode_impl(code: &mut Code, name: &str, fields: &[&Field], extra: Option<&str>) {
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

/// `FormDecode` or `JsonDecode` of a struct: its fields from the entries of
/// an object, and either the other entries into the `additionalProperties`
/// map or an error for an unknown one.
fn struct_decode_impl(
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

fn struct_validate_impl(code: &mut Code, name: &str, fields: &[&Field]) {
    let checks: Vec<Stmt> = fields
        .iter()
        .flat_map(|f| validate_field(f, &Level::Nested))
        .collect();
    let path_arg = if checks.is_empty() { "_path" } else { "path" };
    allow_deprecated(code, fields);
    code.open_fmt(format_args!("impl crate::form::Validate for {name}"));
    code.open_fmt(format_args!(
        "fn validate_at(&self, {path_arg}: &str) -> ::std::result::Result<(), crate::form::ValidationError>"
    ));
    write_stmts(code, &checks);
    code.line("::std::result::Result::Ok(())");
    code.close();
    code.close();
}

fn nested_enum(code: &mut Code, scope: &Scope, def: &TypeDef, e: &Enum) {
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

/// `FormDecode` of an open enum: any string (`decode_form`), or only the
/// listed values (`decode_form_strict`, which unions try first). `wires` are
/// the listed values as literals.
fn enum_decode_impl(code: &mut Code, name: &str, e: &Enum, wires: &str) {
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

/// `Arbitrary` of an open enum: a listed value or an unknown one.
fn enum_arbitrary_impl(code: &mut Code, name: &str, e: &Enum, wires: &str) {
    arbitrary_impl(code, name, &[], |code| {
        code.line("::proptest::strategy::Strategy::boxed(::proptest::prop_oneof![");
        code.indent_in();
        for v in &e.variants {
            line!(code, "::proptest::strategy::Just(Self::{}),", v.rust);
        }
        code.line("::proptest::strategy::Strategy::prop_map(");
        code.indent_in();
        line!(code, "crate::form::arbitrary::unknown(&[{wires}]),");
        code.line("Self::Unknown,");
        code.indent_out();
        code.line("),");
        code.indent_out();
        code.line("])");
    });
}

fn nested_union(code: &mut Code, api: &Api, scope: &Scope, def: &TypeDef, u: &Union) {
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
    union_validate_impl(code, api, &name, u);
    union_arbitrary_impl(code, api, scope, &name, u);
}

/// `FormDecode` of a union: the first variant that lists the value, else the
/// first variant that accepts it.
fn union_decode_impl(code: &mut Code, name: &str, u: &Union) {
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

/// `Arbitrary` of a union: any variant, each from its type's strategy.
fn union_arbitrary_impl(code: &mut Code, api: &Api, scope: &Scope, name: &str, u: &Union) {
    arbitrary_impl(code, name, &[], |code| {
        code.line("::proptest::strategy::Strategy::boxed(::proptest::prop_oneof![");
        code.indent_in();
        for (i, v) in u.variants.iter().enumerate() {
            let mut s = strategy(api, scope, &v.ty);
            if v.boxed {
                s = format!("crate::form::arbitrary::boxed({s})");
            }
            let comma = if i + 1 < u.variants.len() { "," } else { "" };
            line!(
                code,
                "::proptest::strategy::Strategy::prop_map({s}, Self::{}){comma}",
                v.rust
            );
        }
        code.indent_out();
        code.line("])");
    });
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

/// `Validate` of a union: the checks of the variant held (through the
/// wrappers its type has; other values of those wrappers have none).
fn union_validate_impl(code: &mut Code, api: &Api, name: &str, u: &Union) {
    let mut refutable = false;
    let mut arms: Vec<Stmt> = Vec::new();
    for v in &u.variants {
        // An alias is checked as its target (`Email` = `String` has no `Validate`).
        let ty = api.resolve_alias(&v.ty).clone();
        let (layers, inner) = if v.boxed { (Vec::new(), ty) } else { peel(&ty) };
        let checks = checks("inner", &inner, &Constraints::default(), "path", 0);
        if checks.is_empty() {
            arms.push(Stmt::Line(format!("Self::{}(_) => {{}}", v.rust)));
        } else {
            refutable |= !layers.is_empty();
            let pattern = wrap_pattern(&layers, "inner");
            arms.push(Stmt::block(
                format!("Self::{}({pattern}) =>", v.rust),
                checks,
            ));
        }
    }
    let any_checks = arms.iter().any(|arm| matches!(arm, Stmt::Block { .. }));
    if refutable {
        arms.push(Stmt::Line("_ => {}".to_owned()));
    }
    let path_arg = if any_checks { "path" } else { "_path" };
    code.open_fmt(format_args!("impl crate::form::Validate for {name}"));
    code.open_fmt(format_args!(
        "fn validate_at(&self, {path_arg}: &str) -> ::std::result::Result<(), crate::form::ValidationError>"
    ));
    code.open("match self");
    write_stmts(code, &arms);
    code.close();
    code.line("::std::result::Result::Ok(())");
    code.close();
    code.close();
}

/// `json::JsonDecode` of a named type that the bodies of JSON operations
/// reach, mirroring its `FormDecode`: a struct's fields from an object, an
/// open enum from a string, a union's first variant that fits.
fn json_decode_impl(code: &mut Code, scope: &Scope, def: &TypeDef) {
    let name = scope.path_text(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => {
            let fields: Vec<&Field> = s.fields.iter().collect();
            struct_decode_impl(code, &JSON, &name, &fields, extra_name(s).as_deref());
        }
        TypeKind::Enum(e) => json_enum_impl(code, &name, e),
        TypeKind::Union(u) => json_union_impl(code, &name, u),
        // An alias is its target type, whose impl exists already; lowering
        // rejects tagged unions that parameters reach (`lower::support`).
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

/// A `BoxedStrategy` expression for values of the use `ty` that survive the wire.
fn strategy(api: &Api, scope: &Scope, ty: &TypeRef) -> String {
    let wrap = |helper: &str, inner: &TypeRef| {
        format!(
            "crate::form::arbitrary::{helper}({})",
            strategy(api, scope, inner)
        )
    };
    match ty {
        TypeRef::Bool => "crate::form::arbitrary::boolean()".to_owned(),
        TypeRef::Integer => "crate::form::arbitrary::integer()".to_owned(),
        TypeRef::Number => "crate::form::arbitrary::number()".to_owned(),
        TypeRef::String => "crate::form::arbitrary::string()".to_owned(),
        TypeRef::Timestamp => "crate::form::arbitrary::timestamp()".to_owned(),
        TypeRef::Json => "crate::form::arbitrary::json()".to_owned(),
        TypeRef::Named(name) => match api.types.get(name).map(|d| &d.kind) {
            Some(TypeKind::Alias(target)) => strategy(api, scope, target),
            _ => format!(
                "crate::form::arbitrary::any_of::<{}>()",
                scope.path_text(name)
            ),
        },
        TypeRef::Vec(t) => wrap("vec", t),
        TypeRef::Map(t) => wrap("map", t),
        TypeRef::Option(t) => wrap("nullable_item", t),
        TypeRef::Clearable(t) => match &**t {
            TypeRef::Map(values) => wrap("clearable_map", values),
            other => wrap("clearable", other),
        },
        TypeRef::Expandable(t) => wrap("expandable", t),
        TypeRef::List(_) => format!(
            "crate::form::arbitrary::any_of::<{}>()",
            type_text_in(ty, scope)
        ),
    }
}

fn field_strategy(api: &Api, scope: &Scope, field: &Field) -> String {
    let mut s = strategy(api, scope, &field.ty);
    if field.boxed {
        s = format!("crate::form::arbitrary::boxed({s})");
    }
    match Presence::of(field) {
        Presence::Always => s,
        Presence::Optional => format!("crate::form::arbitrary::optional({s})"),
        Presence::RequiredNullable => format!("crate::form::arbitrary::nullable_item({s})"),
        Presence::OptionalNullable => format!("crate::form::arbitrary::nullable({s})"),
    }
}

/// How the strategies of a struct's fields are grouped for `prop_map`: a
/// field's own, or a tuple of at most 10 (proptest's limit), nested.
#[derive(Clone)]
enum Nest {
    Field(usize),
    Tuple(Vec<Nest>),
}

/// Groups `items` so that no tuple has more than 10 elements.
fn nest(items: Vec<Nest>) -> Nest {
    if items.len() == 1 {
        return items.into_iter().next().expect("one item");
    }
    if items.len() <= 10 {
        return Nest::Tuple(items);
    }
    let groups = items.chunks(10).map(|c| nest(c.to_vec())).collect();
    nest(groups)
}

/// The strategy (tuple) of `nest`, one strategy a line, then a comma.
fn write_strategies(code: &mut Code, nest: &Nest, strategies: &[String]) {
    match nest {
        Nest::Field(i) => line!(code, "{},", strategies[*i]),
        Nest::Tuple(items) => {
            code.line("(");
            code.indent_in();
            for item in items {
                write_strategies(code, item, strategies);
            }
            code.indent_out();
            code.line("),");
        }
    }
}

/// The closure pattern that binds the fields from the value of `nest`'s strategy.
fn nest_pattern(nest: &Nest, fields: &[&Field]) -> String {
    match nest {
        Nest::Field(i) => fields[*i].rust.clone(),
        Nest::Tuple(items) => {
            let items: Vec<String> = items.iter().map(|n| nest_pattern(n, fields)).collect();
            format!("({})", items.join(", "))
        }
    }
}

/// `Arbitrary` for a struct: a strategy per field, mapped to the struct (an
/// object, `nested`, is also shrunk through `form::arbitrary::object`).
fn arbitrary_struct(
    code: &mut Code,
    api: &Api,
    scope: &Scope,
    name: &str,
    fields: &[&Field],
    extra: Option<&str>,
    nested: bool,
) {
    let (open, close) = if nested {
        ("crate::form::arbitrary::object(", ")")
    } else {
        ("", "")
    };
    let mut inits: Vec<String> = fields.iter().map(|f| f.rust.clone()).collect();
    inits.extend(extra.map(|e| format!("{e}: ::std::collections::BTreeMap::new()")));
    let value = if inits.is_empty() {
        "Self {}".to_owned()
    } else {
        format!("Self {{ {} }}", inits.join(", "))
    };
    arbitrary_impl(code, name, fields, |code| {
        if fields.is_empty() {
            line!(
                code,
                "{open}::proptest::strategy::Strategy::boxed(::proptest::strategy::Just({value})){close}"
            );
            return;
        }
        line!(
            code,
            "{open}::proptest::strategy::Strategy::boxed(::proptest::strategy::Strategy::prop_map("
        );
        code.indent_in();
        let strategies: Vec<String> = fields
            .iter()
            .map(|f| field_strategy(api, scope, f))
            .collect();
        let nest = nest((0..fields.len()).map(Nest::Field).collect());
        write_strategies(code, &nest, &strategies);
        line!(code, "|{}| {value},", nest_pattern(&nest, fields));
        code.indent_out();
        line!(code, ")){close}");
    });
}

/// `impl Arbitrary for name` (feature `proptest`); `write_body` writes the
/// body of `arbitrary_with`.
fn arbitrary_impl(
    code: &mut Code,
    name: &str,
    fields: &[&Field],
    write_body: impl FnOnce(&mut Code),
) {
    code.line("#[cfg(feature = \"proptest\")]");
    allow_deprecated(code, fields);
    code.open_fmt(format_args!(
        "impl ::proptest::arbitrary::Arbitrary for {name}"
    ));
    code.line("type Parameters = ();");
    code.line("type Strategy = ::proptest::strategy::BoxedStrategy<Self>;");
    code.open("fn arbitrary_with(_: Self::Parameters) -> Self::Strategy");
    write_body(code);
    code.close();
    code.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks nest one block per wrapper, and only around checks that exist.
    #[test]
    fn checks_nest_only_around_checks() {
        let clearable_map = TypeRef::Clearable(Box::new(TypeRef::Map(Box::new(TypeRef::String))));
        let short_values = Constraints {
            values: Some(Box::new(Constraints {
                max_length: Some(5),
                ..Constraints::default()
            })),
            ..Constraints::default()
        };
        let none = Constraints::default();
        assert!(checks("value", &clearable_map, &none, "\"m\"", 0).is_empty());

        let mut code = Code::new();
        write_stmts(
            &mut code,
            &checks("value", &clearable_map, &short_values, "\"m\"", 0),
        );
        assert_eq!(
            code.finish(),
            "\
if let crate::runtime::ClearableMap::Update(entries) = value {
    for (key, entry) in entries {
        if let crate::runtime::Clearable::Set(item_0) = entry {
            let path_0 = &crate::form::child(\"m\", key);
            crate::form::check_length(item_0, ::std::option::Option::None, ::std::option::Option::Some(5u64), path_0)?;
        }
    }
}
"
        );
    }
}
