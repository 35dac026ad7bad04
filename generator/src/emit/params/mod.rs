//! Emits the `params` modules: one parameters type per operation (named after
//! the operation, `CreatePromotionCode`), holding its query, header and
//! cookie parameters and its body fields; path parameters are arguments of
//! the route methods instead.
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
//!
//! This module lays the items out (which file of the generated `params`
//! module holds what) and holds what its parts share; the parts, one concern
//! each: [`types`] (the params types, their builders and the `Params` impl),
//! [`encode`] (`to_query` / `to_body`, `FormEncode`), [`decode`] (`from_wire`,
//! `FormDecode` / `JsonDecode`), [`validate`] (`validate()`, `Validate`),
//! [`arbitrary`] (proptest strategies), [`tagged`] (all of these for
//! discriminated unions) and [`style`] (parameters that travel
//! by an OpenAPI style: headers, cookies, styled query and path parameters).

mod arbitrary;
mod body;
mod decode;
mod encode;
mod style;
mod tagged;
mod types;
mod validate;

use std::collections::{BTreeMap, BTreeSet};

use self::decode::json_decode_impl;
pub use self::style::{is_plain_path, wire_text};
use self::tagged::{json_tagged, nested_tagged};
use self::types::{nested_enum, nested_struct, nested_union, operation_params};
use super::gates::Gates;
use super::models::type_def_text;
use super::routes::method_names;
use super::text::{Code, line, string_literal};
use super::types::Scope;
use crate::ir::{Api, Field, Operation, Struct, TypeDef, TypeKind};
use crate::lower::names::{Namer, field_name};

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
            match &def.kind {
                TypeKind::Tagged(t) => json_tagged(out, api, scope, def, t),
                _ => json_decode_impl(out, scope, def),
            }
        }
        if let Some(cfg) = cfg {
            code.items_behind(&cfg, &items.finish());
        }
    }
    code.finish()
}

/// The crates a generated crate sees in its extern prelude.
const EXTERN_CRATES: &[&str] = &[
    "core",
    "std",
    "alloc",
    "serde",
    "serde_json",
    "regex",
    "proptest",
    "axum",
    "futures_util",
    "reqwest",
    "tokio",
];

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
        // A module named like a crate of the extern prelude (`core`) is
        // ambiguous in a `use` path without `self::`.
        if EXTERN_CRATES.contains(&m.module.as_str()) {
            line!(code, "pub use self::{}::*;", m.module);
        } else {
            line!(code, "pub use {}::*;", m.module);
        }
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

/// The fields of a params type by where they travel, with Rust names
/// unique across all (lowering names the parameters and the body fields each
/// on their own; a body field that repeats a parameter's name gets a suffix).
struct Groups {
    query: Vec<Field>,
    header: Vec<Field>,
    cookie: Vec<Field>,
    body: Vec<Field>,
}

impl Groups {
    /// Every field, in the params type's order.
    fn all(&self) -> Vec<&Field> {
        self.query
            .iter()
            .chain(&self.header)
            .chain(&self.cookie)
            .chain(&self.body)
            .collect()
    }
}

fn split_fields(op: &Operation) -> Groups {
    let mut names = Namer::default();
    let mut rename = |f: &Field| Field {
        rust: names.claim(&f.rust),
        ..f.clone()
    };
    let query = op.query_params.iter().map(&mut rename).collect();
    let header = op.header_params.iter().map(&mut rename).collect();
    let cookie = op.cookie_params.iter().map(&mut rename).collect();
    let body = op
        .body
        .iter()
        .flat_map(|b| &b.fields)
        .map(&mut rename)
        .collect();
    Groups {
        query,
        header,
        cookie,
        body,
    }
}

/// The fields of the params type (query, header and cookie parameters, then
/// body fields), and the path parameters, whose types the params module
/// gives their wire impls too.
pub fn all_fields(op: &Operation) -> Vec<&Field> {
    op.query_params
        .iter()
        .chain(&op.header_params)
        .chain(&op.cookie_params)
        .chain(op.body.iter().flat_map(|b| &b.fields))
        .chain(&op.path_params)
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

/// Where keys and parameter names start: the top level of a params type, or
/// inside a nested value (the `key` and `path` arguments of the trait methods).
enum Level {
    Top,
    Nested,
}

/// Builders and wire/validation impls of a named type that parameters reach.
fn nested_impls(code: &mut Code, api: &Api, scope: &Scope, def: &TypeDef) {
    match &def.kind {
        TypeKind::Struct(s) => nested_struct(code, api, scope, def, s),
        TypeKind::Enum(e) => nested_enum(code, scope, def, e),
        TypeKind::Union(u) => nested_union(code, api, scope, def, u),
        TypeKind::Tagged(t) => nested_tagged(code, api, scope, def, t),
        // An alias is its target type, whose impls exist already.
        TypeKind::Alias(_) => {}
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
