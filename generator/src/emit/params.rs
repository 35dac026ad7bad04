//! Emits `params.rs`: one parameters type per operation (named after the
//! operation, `CreatePromotionCode`), holding its query parameters and body
//! fields; path parameters are arguments of the route methods instead. Each
//! gets `new(required …)`, a chained setter per optional field, `validate()`
//! from the spec's rules, and the wire encoding both ways (`to_query`,
//! `to_body`, `from_wire`) through the runtime `Params` trait.
//!
//! The inline types of parameters and bodies that nothing else uses
//! (`CreatePromotionCodeRestrictions`, the `ListPromotionCodesCreated` union …)
//! are defined here too (see `types::Scope`); the component types that
//! parameters use stay in `models`. Every named type that parameters reach
//! gets its builder and its `FormEncode`, `FormDecode`, `Validate` and
//! (feature `proptest`) `Arbitrary` impls here.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use super::models::type_def_text;
use super::routes::{encoding_tokens, method_names, method_tokens, trait_name};
use super::types::{Presence, Scope, field_type_in, ident, type_tokens_in};
use crate::ir::{
    Api, Constraints, Enum, Field, Operation, Struct, TypeDef, TypeKind, TypeRef, Union,
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
/// features share (`feature: None`, always compiled).
#[derive(Clone, Debug)]
pub struct ParamsModule {
    pub feature: Option<String>,
    /// The module's name (and file stem).
    pub module: String,
    /// Indexes into `api.operations`.
    pub ops: Vec<usize>,
    /// Names of the types whose definitions or impls the module holds.
    pub nested: Vec<String>,
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
        module_of(&mut modules, Some(&op.feature)).ops.push(i);
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
        module_of(&mut modules, feature)
            .nested
            .push(def.name.clone());
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
        })
}

/// The items of one params module.
pub fn module_items(api: &Api, scope: &Scope, module: &ParamsModule) -> TokenStream {
    let names = method_names(api);
    let reached = reachable(api);
    let ops = module
        .ops
        .iter()
        .map(|&i| operation_params(api, scope, &api.operations[i], &names[i]));
    let nested = module.nested.iter().map(|name| {
        let def = &api.types[name];
        let definition = scope
            .in_params(&def.name)
            .then(|| owned_type_tokens(api, scope, def));
        let impls = if reached.contains(&def.name) {
            nested_impls(api, scope, def)
        } else {
            TokenStream::new()
        };
        quote! {
            #definition
            #impls
        }
    });
    quote! {
        #(#ops)*
        #(#nested)*
    }
}

/// The definition of a type that params own, as tokens.
fn owned_type_tokens(api: &Api, scope: &Scope, def: &TypeDef) -> TokenStream {
    let mut code = super::text::Code::new();
    type_def_text(api, scope, def, None, &mut code);
    code.finish()
        .parse()
        .expect("the models emitter writes valid Rust")
}

/// `params/mod.rs`: the modules, each re-exported so every type is
/// `crate::params::Name`; a feature's module only with that feature.
pub fn mod_rs(modules: &[ParamsModule]) -> TokenStream {
    let items = modules.iter().map(|m| {
        let module = ident(&m.module);
        let cfg = m.feature.as_ref().map(|f| quote!(#[cfg(feature = #f)]));
        let doc = match &m.feature {
            Some(f) => format!(
                " Parameters of the operations of feature `{f}`, and the types only they use."
            ),
            None => " Types that the parameters of several features use.".to_owned(),
        };
        quote! {
            #[doc = #doc]
            #cfg
            #[rustfmt::skip]
            mod #module;
            #cfg
            pub use #module::*;
        }
    });
    quote! {
        //! The parameters of every operation: builders, validation and the
        //! wire encoding both ways. One module per cargo feature; everything is
        //! re-exported here.
        #(#items)*
    }
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
        let uses: Vec<&TypeRef> = match &def.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| &f.ty)
                .chain(&s.additional)
                .collect(),
            TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
            TypeKind::Alias(t) => vec![t],
            TypeKind::Enum(_) => Vec::new(),
        };
        pending.extend(uses.into_iter().flat_map(|t| t.named()).map(str::to_owned));
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

fn operation_params(api: &Api, scope: &Scope, op: &Operation, method_name: &str) -> TokenStream {
    let name = ident(&op.name);
    let mut doc_text = String::new();
    if let Some(summary) = &op.summary {
        doc_text.push_str(&format!(
            "{summary}: parameters of `{} {}`.",
            op.method.as_str(),
            op.path
        ));
    } else {
        doc_text.push_str(&format!(
            "Parameters of `{} {}`.",
            op.method.as_str(),
            op.path
        ));
    }
    if let Some(docs) = &op.docs {
        doc_text.push_str("\n\n");
        doc_text.push_str(docs);
    }
    let docs = doc_attrs(Some(&doc_text));
    let (query, body) = split_fields(op);
    let fields: Vec<&Field> = query.iter().chain(&body).collect();
    let field_defs = fields.iter().map(|f| struct_field(scope, f));
    let builder = builder_impl(scope, &quote!(#name), &fields, None, Owner::Params);
    let derive_default = fields
        .iter()
        .all(|f| {
            matches!(
                Presence::of(f),
                Presence::Optional | Presence::OptionalNullable
            )
        })
        .then(|| quote!(Default,));

    let query_pairs = query.iter().map(|f| encode_field(f, &Level::Top));
    let body_pairs = body.iter().map(|f| encode_field(f, &Level::Top));
    let query_wires: Vec<&str> = query.iter().map(|f| f.wire.as_str()).collect();
    let body_wires: Vec<&str> = body.iter().map(|f| f.wire.as_str()).collect();
    let query_inits = query
        .iter()
        .map(|f| decode_field(f, &quote!(query), &quote!("")));
    let body_inits = body
        .iter()
        .map(|f| decode_field(f, &quote!(body), &quote!("")));
    let checks = fields.iter().map(|f| validate_field(f, &Level::Top));

    let route = route_tokens(op, method_name);
    let allow = allow_deprecated(&fields);
    let arbitrary = arbitrary_struct(api, scope, &quote!(#name), &fields, None, false);
    let query_body = writer(query_pairs.collect());
    let body_body = writer(body_pairs.collect());
    quote! {
        #docs
        #[derive(Clone, Debug, #derive_default PartialEq)]
        pub struct #name {
            #(#field_defs)*
        }

        #builder

        #allow
        impl #name {
            /// Checks every rule the spec gives for these parameters.
            pub fn validate(&self) -> ::std::result::Result<(), crate::form::ValidationError> {
                #(#checks)*
                ::std::result::Result::Ok(())
            }

            /// The query parameters as a query string (without `?`), as Stripe's clients send them.
            pub fn to_query(&self) -> ::std::string::String {
                #query_body
            }

            /// The body fields as an `application/x-www-form-urlencoded` body, as Stripe's clients send them.
            pub fn to_body(&self) -> ::std::string::String {
                #body_body
            }

            /// Reads the parameters from a query string and a form body (either may be
            /// empty), as a server receives them.
            pub fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError> {
                let query = crate::form::parse(query)?;
                let query = crate::form::object(&query, "")?;
                crate::form::deny_unknown(query, &[#(#query_wires),*], "")?;
                let body = crate::form::parse(body)?;
                let body = crate::form::object(&body, "")?;
                crate::form::deny_unknown(body, &[#(#body_wires),*], "")?;
                ::std::result::Result::Ok(Self {
                    #(#query_inits)*
                    #(#body_inits)*
                })
            }
        }

        impl crate::runtime::Params for #name {
            const ROUTE: crate::runtime::Route = #route;

            fn to_query(&self) -> ::std::string::String {
                self.to_query()
            }

            fn to_body(&self) -> ::std::string::String {
                self.to_body()
            }

            fn from_wire(query: &str, body: &str) -> ::std::result::Result<Self, crate::form::ValidationError> {
                Self::from_wire(query, body)
            }

            fn validate(&self) -> ::std::result::Result<(), crate::form::ValidationError> {
                self.validate()
            }
        }

        #arbitrary
    }
}

/// `#[allow(deprecated)]` for the impls of a type with deprecated fields: its
/// own generated code reads and writes them; users still get the warnings
/// (on the fields and on their setters).
fn allow_deprecated(fields: &[&Field]) -> TokenStream {
    if fields.iter().any(|f| f.deprecated) {
        quote!(#[allow(deprecated)])
    } else {
        TokenStream::new()
    }
}

/// The body of `to_query` / `to_body`: the pairs written in field order.
fn writer(pairs: Vec<TokenStream>) -> TokenStream {
    if pairs.is_empty() {
        return quote!(::std::string::String::new());
    }
    quote! {
        let mut writer = crate::form::FormWriter::new();
        let out = &mut writer;
        #(#pairs)*
        writer.finish()
    }
}

fn route_tokens(op: &Operation, method_name: &str) -> TokenStream {
    let method = method_tokens(op.method);
    let path = &op.path;
    let path_params = op.path_params.iter().map(|f| f.wire.as_str());
    let id = &op.id;
    let operation = &op.name;
    let resource = trait_name(&op.resource);
    let encoding = encoding_tokens(op);
    quote! {
        crate::runtime::Route {
            method: #method,
            path: #path,
            path_params: &[#(#path_params),*],
            operation_id: #id,
            operation: #operation,
            resource: #resource,
            method_name: #method_name,
            encoding: #encoding,
        }
    }
}

fn struct_field(scope: &Scope, field: &Field) -> TokenStream {
    let docs = doc_attrs(field.docs.as_deref());
    let name = ident(&field.rust);
    let ty = field_type_in(field, scope);
    let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        pub #name: #ty,
    }
}

/// The type a field holds inside its presence wrapper (boxed when the field is).
fn inner_type(scope: &Scope, field: &Field) -> TokenStream {
    let ty = type_tokens_in(&field.ty, scope);
    if field.boxed {
        quote!(::std::boxed::Box<#ty>)
    } else {
        ty
    }
}

fn wrap_box(field: &Field, value: TokenStream) -> TokenStream {
    if field.boxed {
        quote!(::std::boxed::Box::new(#value))
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
    scope: &Scope,
    name: &TokenStream,
    fields: &[&Field],
    extra: Option<&str>,
    owner: Owner,
) -> TokenStream {
    let reserved = match owner {
        Owner::Params => PARAMS_METHODS,
        Owner::Nested => NESTED_METHODS,
    };
    let mut args = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    for field in fields {
        let f = ident(&field.rust);
        let inner = type_tokens_in(&field.ty, scope);
        match Presence::of(field) {
            Presence::Always => {
                args.push(quote!(#f: impl ::std::convert::Into<#inner>));
                let value = wrap_box(field, quote!(#f.into()));
                inits.push(quote!(#f: #value,));
            }
            Presence::RequiredNullable => {
                args.push(quote!(#f: impl ::std::convert::Into<::std::option::Option<#inner>>));
                let value = if field.boxed {
                    quote!(#f.into().map(::std::boxed::Box::new))
                } else {
                    quote!(#f.into())
                };
                inits.push(quote!(#f: #value,));
            }
            Presence::Optional | Presence::OptionalNullable => {
                inits.push(quote!(#f: ::std::default::Default::default(),));
                let setter = if reserved.contains(&field.rust.as_str()) {
                    format_ident!("with_{}", field.rust.trim_end_matches('_'))
                } else {
                    f.clone()
                };
                let docs = doc_attrs(field.docs.as_deref());
                let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
                let body = if Presence::of(field) == Presence::Optional {
                    let value = wrap_box(field, quote!(#f.into()));
                    quote!(self.#f = ::std::option::Option::Some(#value);)
                } else {
                    let ty = inner_type(scope, field);
                    quote!(self.#f = ::std::convert::Into::<crate::runtime::Nullable<#ty>>::into(#f);)
                };
                let arg_ty = if Presence::of(field) == Presence::Optional {
                    quote!(impl ::std::convert::Into<#inner>)
                } else {
                    let ty = inner_type(scope, field);
                    quote!(impl ::std::convert::Into<crate::runtime::Nullable<#ty>>)
                };
                setters.push(quote! {
                    #docs
                    #deprecated
                    pub fn #setter(mut self, #f: #arg_ty) -> Self {
                        #body
                        self
                    }
                });
            }
        }
    }
    if let Some(extra) = extra {
        let extra = ident(extra);
        inits.push(quote!(#extra: ::std::collections::BTreeMap::new(),));
    }
    let too_many = (args.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    // A params type without required fields derives `Default`; a nested
    // (models) type gets a `Default` that calls `new()`.
    let new_fn = if args.is_empty() && owner == Owner::Params {
        quote! {
            /// No parameters set.
            pub fn new() -> Self {
                Self::default()
            }
        }
    } else if args.is_empty() {
        quote! {
            /// Nothing set.
            pub fn new() -> Self {
                Self { #(#inits)* }
            }
        }
    } else {
        quote! {
            /// The required parameters; set optional ones with the chained setters.
            #too_many
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* }
            }
        }
    };
    let allow = allow_deprecated(fields);
    quote! {
        #allow
        impl #name {
            #new_fn
            #(#setters)*
        }
    }
}

/// `Default` (nothing set, as `new()`) for nested types without required fields.
fn default_impl(name: &TokenStream, fields: &[&Field]) -> Option<TokenStream> {
    let all_optional = fields.iter().all(|f| {
        matches!(
            Presence::of(f),
            Presence::Optional | Presence::OptionalNullable
        )
    });
    all_optional.then(|| {
        quote! {
            impl ::std::default::Default for #name {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    })
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

fn encode_field(field: &Field, ctx: &Level) -> TokenStream {
    let f = ident(&field.rust);
    let wire = &field.wire;
    let key = match ctx {
        Level::Top => {
            let encoded = encode_key(wire);
            quote!(#encoded)
        }
        Level::Nested => quote!(&crate::form::child_key(key, #wire)),
    };
    match Presence::of(field) {
        Presence::Optional => quote! {
            if let ::std::option::Option::Some(value) = &self.#f {
                crate::form::FormEncode::encode_form(value, #key, out);
            }
        },
        _ => quote! {
            crate::form::FormEncode::encode_form(&self.#f, #key, out);
        },
    }
}

fn decode_field(field: &Field, entries: &TokenStream, path: &TokenStream) -> TokenStream {
    let f = ident(&field.rust);
    let wire = &field.wire;
    let helper = match Presence::of(field) {
        Presence::Always => quote!(required),
        Presence::Optional => quote!(optional),
        Presence::RequiredNullable => quote!(required_nullable),
        Presence::OptionalNullable => quote!(optional_nullable),
    };
    quote!(#f: crate::form::#helper(#entries, #wire, #path)?,)
}

fn validate_field(field: &Field, ctx: &Level) -> TokenStream {
    let f = ident(&field.rust);
    let wire = &field.wire;
    let (path, bind_path) = match ctx {
        Level::Top => (quote!(#wire), TokenStream::new()),
        Level::Nested => (
            quote!(field_path),
            quote!(let field_path = &crate::form::child(path, #wire);),
        ),
    };
    let value = quote!(value);
    // Wrappers are matched in the pattern that binds `value` (one `if let`,
    // not nested ones).
    let (layers, inner) = peel(&field.ty);
    let mut checks = checks(&value, &inner, &field.constraints, &path, 0);
    // A required string cannot be empty: the empty string means "unset".
    if Presence::of(field) == Presence::Always && field.ty == TypeRef::String {
        checks = quote! {
            crate::form::check_not_empty(value, #path)?;
            #checks
        };
    }
    if checks.is_empty() {
        return TokenStream::new();
    }
    let checks = quote! {
        #bind_path
        #checks
    };
    let pattern = wrap_pattern(&layers, value);
    let pattern = match Presence::of(field) {
        Presence::Always if layers.is_empty() => {
            return quote! {
                {
                    let value = &self.#f;
                    #checks
                }
            };
        }
        Presence::Always => pattern,
        Presence::Optional | Presence::RequiredNullable => {
            quote!(::std::option::Option::Some(#pattern))
        }
        Presence::OptionalNullable => quote!(crate::runtime::Nullable::Value(#pattern)),
    };
    quote! {
        if let #pattern = &self.#f {
            #checks
        }
    }
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
fn wrap_pattern(layers: &[Layer], binding: TokenStream) -> TokenStream {
    layers
        .iter()
        .rev()
        .fold(binding, |inner, layer| match layer {
            Layer::Some => quote!(::std::option::Option::Some(#inner)),
            Layer::Set => quote!(crate::runtime::Clearable::Set(#inner)),
            Layer::Update => quote!(crate::runtime::ClearableMap::Update(#inner)),
        })
}

fn range_bound(limit: Option<f64>, exclusive: bool) -> TokenStream {
    match limit {
        Some(limit) => {
            let limit = Literal::f64_suffixed(limit);
            quote!(::std::option::Option::Some((#limit, #exclusive)))
        }
        None => quote!(::std::option::Option::None),
    }
}

fn opt_u64(value: Option<u64>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// Statements checking `value` (an expression of type `&T` for the use `ty`)
/// against `c`; empty when there is nothing to check. Errors name `path`.
fn checks(
    value: &TokenStream,
    ty: &TypeRef,
    c: &Constraints,
    path: &TokenStream,
    depth: usize,
) -> TokenStream {
    let item = format_ident!("item_{}", depth);
    let item_path = format_ident!("path_{}", depth);
    let none = Constraints::default();
    match ty {
        TypeRef::String => {
            let mut out = TokenStream::new();
            if c.min_length.is_some() || c.max_length.is_some() {
                let min = opt_u64(c.min_length);
                let max = opt_u64(c.max_length);
                out.extend(quote!(crate::form::check_length(#value, #min, #max, #path)?;));
            }
            if let Some(pattern) = &c.pattern {
                out.extend(quote! {
                    {
                        static PATTERN: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(|| {
                            ::regex::Regex::new(#pattern).expect("the spec's pattern is a valid regular expression")
                        });
                        crate::form::check_pattern(#value, &PATTERN, #pattern, #path)?;
                    }
                });
            }
            if let Some(format) = c.format.as_deref().filter(|f| CHECKED_FORMATS.contains(f)) {
                out.extend(quote!(crate::form::check_format(#value, #format, #path)?;));
            }
            let values: Vec<&String> = c.enum_values.iter().filter(|v| !v.is_empty()).collect();
            if !values.is_empty() {
                out.extend(quote!(crate::form::check_enum(#value, &[#(#values),*], #path)?;));
            }
            out
        }
        TypeRef::Integer | TypeRef::Number | TypeRef::Timestamp => {
            if c.minimum.is_none() && c.maximum.is_none() {
                return TokenStream::new();
            }
            let number = match ty {
                TypeRef::Integer => quote!(*#value as f64),
                TypeRef::Number => quote!(*#value),
                _ => quote!(#value.0 as f64),
            };
            let min = range_bound(c.minimum, c.exclusive_minimum);
            let max = range_bound(c.maximum, c.exclusive_maximum);
            quote!(crate::form::check_range(#number, #min, #max, #path)?;)
        }
        TypeRef::Vec(inner) => {
            let mut out = TokenStream::new();
            if c.min_items.is_some() || c.max_items.is_some() {
                let min = opt_u64(c.min_items);
                let max = opt_u64(c.max_items);
                out.extend(quote!(crate::form::check_items(#value.len(), #min, #max, #path)?;));
            }
            let item_c = c.items.as_deref().unwrap_or(&none);
            let inner_checks = checks(
                &quote!(#item),
                inner,
                item_c,
                &quote!(#item_path),
                depth + 1,
            );
            if !inner_checks.is_empty() {
                out.extend(quote! {
                    for (index, #item) in #value.iter().enumerate() {
                        let #item_path = &crate::form::child(#path, &index.to_string());
                        #inner_checks
                    }
                });
            }
            out
        }
        TypeRef::Map(inner) => {
            let value_c = c.values.as_deref().unwrap_or(&none);
            let inner_checks = checks(
                &quote!(#item),
                inner,
                value_c,
                &quote!(#item_path),
                depth + 1,
            );
            if inner_checks.is_empty() {
                return TokenStream::new();
            }
            quote! {
                for (key, #item) in #value {
                    let #item_path = &crate::form::child(#path, key);
                    #inner_checks
                }
            }
        }
        TypeRef::Clearable(inner) => {
            if let TypeRef::Map(values) = &**inner {
                let value_c = c.values.as_deref().unwrap_or(&none);
                let inner_checks = checks(
                    &quote!(#item),
                    values,
                    value_c,
                    &quote!(#item_path),
                    depth + 1,
                );
                if inner_checks.is_empty() {
                    return TokenStream::new();
                }
                return quote! {
                    if let crate::runtime::ClearableMap::Update(entries) = #value {
                        for (key, entry) in entries {
                            if let crate::runtime::Clearable::Set(#item) = entry {
                                let #item_path = &crate::form::child(#path, key);
                                #inner_checks
                            }
                        }
                    }
                };
            }
            let inner_checks = checks(&quote!(#item), inner, c, path, depth + 1);
            if inner_checks.is_empty() {
                return TokenStream::new();
            }
            quote! {
                if let crate::runtime::Clearable::Set(#item) = #value {
                    #inner_checks
                }
            }
        }
        TypeRef::Option(inner) => {
            let inner_checks = checks(&quote!(#item), inner, c, path, depth + 1);
            if inner_checks.is_empty() {
                return TokenStream::new();
            }
            quote! {
                if let ::std::option::Option::Some(#item) = #value {
                    #inner_checks
                }
            }
        }
        TypeRef::Named(_) | TypeRef::Expandable(_) => {
            quote!(crate::form::Validate::validate_at(#value, #path)?;)
        }
        TypeRef::Bool | TypeRef::Json | TypeRef::List(_) => TokenStream::new(),
    }
}

/// Builders and wire/validation impls of a named type that parameters reach.
fn nested_impls(api: &Api, scope: &Scope, def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(s) => nested_struct(api, scope, def, s),
        TypeKind::Enum(e) => nested_enum(scope, def, e),
        TypeKind::Union(u) => nested_union(api, scope, def, u),
        // An alias is its target type, whose impls exist already.
        TypeKind::Alias(_) => TokenStream::new(),
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

fn nested_struct(api: &Api, scope: &Scope, def: &TypeDef, s: &Struct) -> TokenStream {
    let path_name = scope.path(&def.name);
    let fields: Vec<&Field> = s.fields.iter().collect();
    let extra = extra_name(s);
    let builder = builder_impl(scope, &path_name, &fields, extra.as_deref(), Owner::Nested);
    let default_impl = default_impl(&path_name, &fields);
    let pairs = fields.iter().map(|f| encode_field(f, &Level::Nested));
    let wires: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
    let inits = fields
        .iter()
        .map(|f| decode_field(f, &quote!(entries), &quote!(path)));
    let (extra_encode, extra_decode, unknown) = match (&extra, &s.additional) {
        (Some(extra), Some(_)) => {
            let extra = ident(extra);
            (
                quote!(crate::form::FormEncode::encode_form(&self.#extra, key, out);),
                quote! {
                    #extra: entries
                        .iter()
                        .filter(|(k, _)| ![#(#wires),*].contains(&k.as_str()))
                        .map(|(k, v)| ::std::result::Result::Ok((k.clone(), crate::form::FormDecode::decode_form(v, &crate::form::child(path, k))?)))
                        .collect::<::std::result::Result<_, crate::form::ValidationError>>()?,
                },
                TokenStream::new(),
            )
        }
        _ => (
            TokenStream::new(),
            TokenStream::new(),
            quote!(crate::form::deny_unknown(entries, &[#(#wires),*], path)?;),
        ),
    };
    let checks: Vec<TokenStream> = fields
        .iter()
        .map(|f| validate_field(f, &Level::Nested))
        .filter(|t| !t.is_empty())
        .collect();
    let path_arg = if checks.is_empty() {
        quote!(_path)
    } else {
        quote!(path)
    };
    let encode_args = if fields.is_empty() && extra.is_none() {
        quote!(_key: &str, _out: &mut crate::form::FormWriter)
    } else {
        quote!(key: &str, out: &mut crate::form::FormWriter)
    };
    let arbitrary = arbitrary_struct(api, scope, &path_name, &fields, extra.as_deref(), true);
    let allow = allow_deprecated(&fields);
    quote! {
        #builder
        #default_impl

        #allow
        impl crate::form::FormEncode for #path_name {
            fn encode_form(&self, #encode_args) {
                #(#pairs)*
                #extra_encode
            }
        }

        #allow
        impl crate::form::FormDecode for #path_name {
            fn decode_form(node: &crate::form::FormNode, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError> {
                let entries = crate::form::object(node, path)?;
                #unknown
                ::std::result::Result::Ok(Self {
                    #(#inits)*
                    #extra_decode
                })
            }
        }

        #allow
        impl crate::form::Validate for #path_name {
            fn validate_at(&self, #path_arg: &str) -> ::std::result::Result<(), crate::form::ValidationError> {
                #(#checks)*
                ::std::result::Result::Ok(())
            }
        }

        #arbitrary
    }
}

fn nested_enum(scope: &Scope, def: &TypeDef, e: &Enum) -> TokenStream {
    let path_name = scope.path(&def.name);
    let wires: Vec<&str> = e.variants.iter().map(|v| v.wire.as_str()).collect();
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust)).collect();
    // The empty string is a value when the enum lists it (Stripe's `tax_exempt: ""`).
    let decode = if wires.contains(&"") {
        quote! {
            match node {
                crate::form::FormNode::Value(value) => ::std::result::Result::Ok(Self::from(value.as_str())),
                crate::form::FormNode::Object(_) => ::std::result::Result::Err(
                    crate::form::ValidationError::new(path, crate::form::Rule::Type("string")),
                ),
            }
        }
    } else {
        quote!(crate::form::scalar(node, path, "string").map(Self::from))
    };
    quote! {
        impl crate::form::FormEncode for #path_name {
            fn encode_form(&self, key: &str, out: &mut crate::form::FormWriter) {
                out.pair(key, self.as_str());
            }
        }

        impl crate::form::FormDecode for #path_name {
            fn decode_form(node: &crate::form::FormNode, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError> {
                #decode
            }

            fn decode_form_strict(node: &crate::form::FormNode, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError> {
                let value = Self::decode_form(node, path)?;
                crate::form::check_enum(value.as_str(), &[#(#wires),*], path)?;
                ::std::result::Result::Ok(value)
            }
        }

        impl crate::form::Validate for #path_name {
            fn validate_at(&self, path: &str) -> ::std::result::Result<(), crate::form::ValidationError> {
                crate::form::check_enum(self.as_str(), &[#(#wires),*], path)
            }
        }

        #[cfg(feature = "proptest")]
        impl ::proptest::arbitrary::Arbitrary for #path_name {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<Self>;

            fn arbitrary_with(_: Self::Parameters) -> Self::Strategy {
                ::proptest::strategy::Strategy::boxed(::proptest::prop_oneof![
                    #( ::proptest::strategy::Just(Self::#variants), )*
                    ::proptest::strategy::Strategy::prop_map(
                        crate::form::arbitrary::unknown(&[#(#wires),*]),
                        Self::Unknown,
                    ),
                ])
            }
        }
    }
}

fn nested_union(api: &Api, scope: &Scope, def: &TypeDef, u: &Union) -> TokenStream {
    let path_name = scope.path(&def.name);
    let variants: Vec<_> = u.variants.iter().map(|v| ident(&v.rust)).collect();
    let strict = variants
        .iter()
        .map(|v| quote!(crate::form::FormDecode::decode_form_strict(node, path).map(Self::#v)));
    let attempts = variants
        .iter()
        .map(|v| quote!(crate::form::FormDecode::decode_form(node, path).map(Self::#v)));
    let mut any_checks = false;
    let mut refutable = false;
    let mut validate_arms: Vec<TokenStream> = u
        .variants
        .iter()
        .map(|v| {
            let variant = ident(&v.rust);
            let (layers, inner) = if v.boxed {
                (Vec::new(), v.ty.clone())
            } else {
                peel(&v.ty)
            };
            let checks = checks(
                &quote!(inner),
                &inner,
                &Constraints::default(),
                &quote!(path),
                0,
            );
            if checks.is_empty() {
                quote!(Self::#variant(_) => {})
            } else {
                any_checks = true;
                refutable |= !layers.is_empty();
                let pattern = wrap_pattern(&layers, quote!(inner));
                quote!(Self::#variant(#pattern) => { #checks })
            }
        })
        .collect();
    if refutable {
        validate_arms.push(quote!(_ => {}));
    }
    let path_arg = if any_checks {
        quote!(path)
    } else {
        quote!(_path)
    };
    let strategies = u.variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let mut s = strategy(api, scope, &v.ty);
        if v.boxed {
            s = quote!(crate::form::arbitrary::boxed(#s));
        }
        quote!(::proptest::strategy::Strategy::prop_map(#s, Self::#variant))
    });
    // `From` each variant's type, when no other variant has the same type.
    let from_impls = u
        .variants
        .iter()
        .filter(|v| u.variants.iter().filter(|w| w.ty == v.ty).count() == 1)
        .map(|v| {
            let variant = ident(&v.rust);
            let ty = type_tokens_in(&v.ty, scope);
            let value = if v.boxed {
                quote!(::std::boxed::Box::new(value))
            } else {
                quote!(value)
            };
            quote! {
                impl ::std::convert::From<#ty> for #path_name {
                    fn from(value: #ty) -> Self {
                        Self::#variant(#value)
                    }
                }
            }
        });
    quote! {
        #(#from_impls)*

        impl crate::form::FormEncode for #path_name {
            fn encode_form(&self, key: &str, out: &mut crate::form::FormWriter) {
                match self {
                    #( Self::#variants(inner) => crate::form::FormEncode::encode_form(inner, key, out), )*
                }
            }
        }

        impl crate::form::FormDecode for #path_name {
            fn decode_form(node: &crate::form::FormNode, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError> {
                // Values the variants list first; then anything a variant accepts.
                let strict = crate::form::first_fit(path, ::std::vec![#(#strict),*]);
                if strict.is_ok() {
                    return strict;
                }
                crate::form::first_fit(path, ::std::vec![#(#attempts),*])
            }
        }

        impl crate::form::Validate for #path_name {
            fn validate_at(&self, #path_arg: &str) -> ::std::result::Result<(), crate::form::ValidationError> {
                match self {
                    #(#validate_arms)*
                }
                ::std::result::Result::Ok(())
            }
        }

        #[cfg(feature = "proptest")]
        impl ::proptest::arbitrary::Arbitrary for #path_name {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<Self>;

            fn arbitrary_with(_: Self::Parameters) -> Self::Strategy {
                ::proptest::strategy::Strategy::boxed(::proptest::prop_oneof![#(#strategies),*])
            }
        }
    }
}

/// A `BoxedStrategy` expression for values of the use `ty` that survive the wire.
fn strategy(api: &Api, scope: &Scope, ty: &TypeRef) -> TokenStream {
    let a = quote!(crate::form::arbitrary);
    match ty {
        TypeRef::Bool => quote!(#a::boolean()),
        TypeRef::Integer => quote!(#a::integer()),
        TypeRef::Number => quote!(#a::number()),
        TypeRef::String => quote!(#a::string()),
        TypeRef::Timestamp => quote!(#a::timestamp()),
        TypeRef::Json => quote!(#a::json()),
        TypeRef::Named(name) => match api.types.get(name).map(|d| &d.kind) {
            Some(TypeKind::Alias(target)) => strategy(api, scope, target),
            _ => {
                let path = scope.path(name);
                quote!(#a::any_of::<#path>())
            }
        },
        TypeRef::Vec(t) => {
            let s = strategy(api, scope, t);
            quote!(#a::vec(#s))
        }
        TypeRef::Map(t) => {
            let s = strategy(api, scope, t);
            quote!(#a::map(#s))
        }
        TypeRef::Option(t) => {
            let s = strategy(api, scope, t);
            quote!(#a::nullable_item(#s))
        }
        TypeRef::Clearable(t) => match &**t {
            TypeRef::Map(values) => {
                let s = strategy(api, scope, values);
                quote!(#a::clearable_map(#s))
            }
            other => {
                let s = strategy(api, scope, other);
                quote!(#a::clearable(#s))
            }
        },
        TypeRef::Expandable(t) => {
            let s = strategy(api, scope, t);
            quote!(#a::expandable(#s))
        }
        TypeRef::List(_) => {
            let ty = type_tokens_in(ty, scope);
            quote!(#a::any_of::<#ty>())
        }
    }
}

fn field_strategy(api: &Api, scope: &Scope, field: &Field) -> TokenStream {
    let a = quote!(crate::form::arbitrary);
    let mut s = strategy(api, scope, &field.ty);
    if field.boxed {
        s = quote!(#a::boxed(#s));
    }
    match Presence::of(field) {
        Presence::Always => s,
        Presence::Optional => quote!(#a::optional(#s)),
        Presence::RequiredNullable => quote!(#a::nullable_item(#s)),
        Presence::OptionalNullable => quote!(#a::nullable(#s)),
    }
}

/// `(strategy tuple, pattern tuple)`, nested so that no tuple has more than 10 elements.
fn nest(items: Vec<(TokenStream, TokenStream)>) -> (TokenStream, TokenStream) {
    if items.len() == 1 {
        return items.into_iter().next().expect("one item");
    }
    if items.len() <= 10 {
        let (s, p): (Vec<_>, Vec<_>) = items.into_iter().unzip();
        return (quote!((#(#s),*)), quote!((#(#p),*)));
    }
    let groups: Vec<(TokenStream, TokenStream)> =
        items.chunks(10).map(|c| nest(c.to_vec())).collect();
    nest(groups)
}

fn arbitrary_struct(
    api: &Api,
    scope: &Scope,
    name: &TokenStream,
    fields: &[&Field],
    extra: Option<&str>,
    nested: bool,
) -> TokenStream {
    let extra_init = extra.map(|e| {
        let e = ident(e);
        quote!(#e: ::std::collections::BTreeMap::new(),)
    });
    let field_names: Vec<_> = fields.iter().map(|f| ident(&f.rust)).collect();
    let allow = allow_deprecated(fields);
    let body = if fields.is_empty() {
        quote!(::proptest::strategy::Strategy::boxed(::proptest::strategy::Just(Self { #extra_init })))
    } else {
        let items = fields
            .iter()
            .map(|f| {
                let f_name = ident(&f.rust);
                (field_strategy(api, scope, f), quote!(#f_name))
            })
            .collect();
        let (strategies, pattern) = nest(items);
        quote! {
            ::proptest::strategy::Strategy::boxed(::proptest::strategy::Strategy::prop_map(
                #strategies,
                |#pattern| Self { #(#field_names,)* #extra_init },
            ))
        }
    };
    let body = if nested {
        quote!(crate::form::arbitrary::object(#body))
    } else {
        body
    };
    quote! {
        #[cfg(feature = "proptest")]
        #allow
        impl ::proptest::arbitrary::Arbitrary for #name {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<Self>;

            fn arbitrary_with(_: Self::Parameters) -> Self::Strategy {
                #body
            }
        }
    }
}
