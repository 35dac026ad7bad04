//! Emits `routes.rs`: the route table (`ROUTES`, one `runtime::Route` per
//! operation, the same constants the params types carry as `Params::ROUTE`)
//! and one trait per resource (the operation's first tag) with one method per
//! operation, so a server and a client agree on every path and type.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc_attrs;
use super::types::{Scope, field_type_in, ident};
use crate::ir::{Api, ApiKeyLocation, Operation, SchemeKind};
use crate::lower::names::{field_name, type_name};
use crate::lower::operation_name;

/// The resource trait of an operation: `PromotionCodes`.
pub fn trait_name(resource: &str) -> String {
    type_name(resource)
}

/// The trait method of each operation, parallel to `api.operations`: the CRUD
/// verb (`create`, `list` …) when the operation has a CRUD name and no other
/// operation of its resource has the same verb, else its snake_case name.
pub fn method_names(api: &Api) -> Vec<String> {
    let verbs: Vec<Option<&'static str>> = api.operations.iter().map(crud_verb).collect();
    let mut count: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for (op, verb) in api.operations.iter().zip(&verbs) {
        if let Some(verb) = verb {
            *count.entry((trait_name(&op.resource), *verb)).or_default() += 1;
        }
    }
    let mut taken: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    api.operations
        .iter()
        .zip(&verbs)
        .map(|(op, verb)| {
            let resource = trait_name(&op.resource);
            let want = match verb {
                Some(verb) if count[&(resource.clone(), *verb)] == 1 => (*verb).to_owned(),
                _ => field_name(&op.name.to_snake_case()),
            };
            let names = taken.entry(resource).or_default();
            let mut name = want.clone();
            let mut n = 2;
            while !names.insert(name.clone()) {
                name = format!("{want}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

fn crud_verb(op: &Operation) -> Option<&'static str> {
    const FALLBACK: &str = "ApigenNotCrud";
    let name = operation_name(op.method, &op.path, FALLBACK);
    if name == FALLBACK {
        return None;
    }
    ["List", "Create", "Retrieve", "Update", "Delete"]
        .into_iter()
        .find(|verb| name.starts_with(verb))
        .map(|verb| match verb {
            "List" => "list",
            "Create" => "create",
            "Retrieve" => "retrieve",
            "Update" => "update",
            _ => "delete",
        })
}

/// The items of the `routes` module.
pub fn routes(api: &Api, scope: &Scope) -> TokenStream {
    let names = method_names(api);
    let entries = api.operations.iter().map(|op| {
        let name = ident(&op.name);
        let feature = &op.feature;
        quote!(#[cfg(feature = #feature)] <crate::params::#name as crate::runtime::Params>::ROUTE)
    });
    let mut traits: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
    let mut resources: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (op, method) in api.operations.iter().zip(&names) {
        let trait_ = trait_name(&op.resource);
        resources
            .entry(trait_.clone())
            .or_insert_with(|| (op.resource.clone(), op.feature.clone()));
        traits
            .entry(trait_)
            .or_default()
            .push(trait_method(scope, op, method));
    }
    let traits = traits.into_iter().map(|(name, methods)| {
        let (resource, feature) = &resources[&name];
        let doc = format!(
            " The operations of the `{resource}` resource (feature `{feature}`). Implement it with `async fn`s; the futures must be `Send`."
        );
        let name = ident(&name);
        quote! {
            #[doc = #doc]
            #[cfg(feature = #feature)]
            pub trait #name {
                /// What a failed call returns (for example [`crate::errors::ApiError`]).
                type Error;

                #(#methods)*
            }
        }
    });
    let schemes = api.security_schemes.iter().map(|s| {
        let key = &s.key;
        let kind = match &s.kind {
            SchemeKind::Bearer => quote!(crate::security::SchemeKind::Bearer),
            SchemeKind::Basic => quote!(crate::security::SchemeKind::Basic),
            SchemeKind::ApiKey { location, name } => {
                let location = match location {
                    ApiKeyLocation::Header => quote!(Header),
                    ApiKeyLocation::Query => quote!(Query),
                    ApiKeyLocation::Cookie => quote!(Cookie),
                };
                quote!(crate::security::SchemeKind::ApiKey { location: crate::security::ApiKeyIn::#location, name: #name })
            }
        };
        quote!(crate::security::Scheme { key: #key, kind: #kind })
    });
    let answers = api
        .operations
        .iter()
        .map(|op| super::responses::route_items(op, scope));
    quote! {
        #(#answers)*

        /// The security schemes of the spec (`components/securitySchemes`)
        /// that operations may require.
        pub const SECURITY_SCHEMES: &[crate::security::Scheme] = &[#(#schemes),*];

        /// Every operation of the enabled features: method, path template,
        /// operation id, encoding, resource trait and method. Servers route by
        /// it, clients call by it.
        pub const ROUTES: &[crate::runtime::Route] = &[#(#entries),*];

        #(#traits)*
    }
}

fn trait_method(scope: &Scope, op: &Operation, method: &str) -> TokenStream {
    let mut doc = format!("`{} {}`", op.method.as_str(), op.path);
    if let Some(summary) = &op.summary {
        doc = format!("{summary}: {doc}.");
    }
    if let Some(docs) = &op.docs {
        doc.push_str("\n\n");
        doc.push_str(docs);
    }
    let docs = doc_attrs(Some(&doc));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let method = ident(method);
    // Path parameters keep their declared type (a `String` for ids).
    let path_args = op.path_params.iter().map(|p| {
        let name = ident(&p.rust);
        let ty = field_type_in(p, scope);
        quote!(#name: #ty,)
    });
    let params_arg = if op.path_params.iter().any(|p| p.rust == "params") {
        ident("params_")
    } else {
        ident("params")
    };
    let params = ident(&op.name);
    let response = super::responses::success_type(op, scope);
    quote! {
        #docs
        #deprecated
        fn #method(
            &self,
            #(#path_args)*
            #params_arg: crate::params::#params,
        ) -> impl ::std::future::Future<Output = ::std::result::Result<#response, Self::Error>> + ::std::marker::Send;
    }
}

/// An operation's security requirements as a `security::Requirements` literal.
pub fn security_tokens(op: &Operation) -> TokenStream {
    let alternatives = op.security.iter().map(|keys| quote!(&[#(#keys),*]));
    quote!(&[#(#alternatives),*])
}

/// The feature of each resource trait, by trait name.
pub fn trait_features(api: &Api) -> BTreeMap<String, String> {
    api.operations
        .iter()
        .map(|op| (trait_name(&op.resource), op.feature.clone()))
        .collect()
}
