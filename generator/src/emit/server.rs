//! Emits the operation-specific half of `server.rs` (feature `server`; the
//! support code before it is `runtime/server.rs`, verbatim): one
//! `<resource>_routes(service)` per resource trait, adding a handler per
//! operation that decodes the path parameters and `Params`, calls the trait
//! method and replies with its result; `server(service)` with every resource;
//! and `router(service)`, the axum router of it.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::params::{is_plain_path, wire_text};
use super::routes::{method_names, security_tokens, trait_features, trait_name};
use super::types::{Scope, field_type_in, ident};
use crate::ir::{Api, Operation, TypeRef};
use crate::lower::placeholders;

/// The name of a path parameter's type in errors.
pub fn path_kind(ty: &TypeRef) -> &'static str {
    match ty {
        TypeRef::Integer => "integer",
        TypeRef::Number => "number",
        TypeRef::Bool => "boolean",
        TypeRef::Timestamp => "timestamp",
        _ => "string",
    }
}

/// The function adding a resource's routes: `promotion_codes_routes`.
pub fn routes_fn(trait_: &str) -> String {
    format!("{}_routes", trait_.to_snake_case())
}

pub fn server(api: &Api, scope: &Scope) -> TokenStream {
    let names = method_names(api);
    let mut resources: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
    for (op, method) in api.operations.iter().zip(&names) {
        let trait_ = trait_name(&op.resource);
        let handler = handler(api, scope, op, &trait_, method);
        resources.entry(trait_).or_default().push(handler);
    }
    let api_error = quote!(crate::errors::ApiError);
    let features = trait_features(api);
    let per_resource = resources.iter().map(|(trait_, handlers)| {
        let feature = &features[trait_];
        let doc = format!(
            " A [`Server`] with the operations of [`crate::routes::{trait_}`], served by `service`."
        );
        let name = ident(&routes_fn(trait_));
        let trait_ = ident(trait_);
        quote! {
            #[doc = #doc]
            #[cfg(feature = #feature)]
            pub fn #name<S>(service: S) -> crate::server::Server
            where
                S: crate::routes::#trait_ + ::std::clone::Clone + ::std::marker::Send + ::std::marker::Sync + 'static,
                <S as crate::routes::#trait_>::Error: ::std::convert::Into<#api_error>,
            {
                crate::server::Server::new()
                    #(#handlers)*
            }
        }
    });
    let traits: Vec<_> = resources.keys().map(|t| ident(t)).collect();
    let fns: Vec<_> = resources.keys().map(|t| ident(&routes_fn(t))).collect();
    let bounds = quote! {
        S: #(crate::routes::#traits +)* ::std::clone::Clone + ::std::marker::Send + ::std::marker::Sync + 'static,
        #(<S as crate::routes::#traits>::Error: ::std::convert::Into<#api_error>,)*
    };
    let body = if fns.is_empty() {
        quote!(let _ = service; crate::server::Server::new())
    } else {
        quote!(crate::server::Server::new() #(.merge(#fns(::std::clone::Clone::clone(&service))))*)
    };
    // The whole server needs every resource, so every feature.
    let all: std::collections::BTreeSet<&String> = features.values().collect();
    let cfg_all = match all.len() {
        0 => TokenStream::new(),
        1 => {
            let only = all.into_iter();
            quote!(#[cfg(#(feature = #only)*)])
        }
        _ => {
            let all = all.into_iter();
            quote!(#[cfg(all(#(feature = #all),*))])
        }
    };
    quote! {
        #(#per_resource)*

        #cfg_all
        /// A [`Server`] with every operation, served by `service`; configure it
        /// (authentication, body limit …) and make a router with [`Server::into_router`].
        pub fn server<S>(service: S) -> crate::server::Server
        where
            #bounds
        {
            #body
        }

        #cfg_all
        /// The axum router of every operation, served by `service`, with the
        /// default settings (test keys, 1 MiB bodies).
        pub fn router<S>(service: S) -> ::axum::Router
        where
            #bounds
        {
            server(service).into_router()
        }
    }
}

fn handler(api: &Api, scope: &Scope, op: &Operation, trait_: &str, method: &str) -> TokenStream {
    let params = ident(&op.name);
    let trait_ = ident(trait_);
    let method = ident(method);
    let args: Vec<_> = (0..op.path_params.len())
        .map(|i| ident(&format!("arg{i}")))
        .collect();
    // The server finds the path parameters in the template's order, which
    // the spec's order of parameters need not follow.
    let template = placeholders(&op.path);
    let decode = op.path_params.iter().enumerate().map(|(i, p)| {
        let arg = &args[i];
        let ty = field_type_in(p, scope);
        let wire = &p.wire;
        let kind = path_kind(&p.ty);
        let i = template.iter().position(|t| *t == p.wire).unwrap_or(i);
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        if is_plain_path(api, p) {
            quote!(let #arg: #ty = call.path(#i, #wire, #kind)?;)
        } else {
            let wire: TokenStream = wire_text(api, op, p)
                .parse()
                .expect("a style::Wire expression");
            quote!(let #arg: #ty = call.path_styled(#i, &#wire)?;)
        }
    });
    let allow = op.deprecated.then(|| quote!(#[allow(deprecated)]));
    let security = security_tokens(op);
    let reply = super::responses::server_reply(op);
    quote! {
        .operation::<crate::params::#params, _, _>(#security, {
            let service = ::std::clone::Clone::clone(&service);
            move |call: crate::server::Call| {
                let service = ::std::clone::Clone::clone(&service);
                async move {
                    #(#decode)*
                    let params: crate::params::#params = call.params()?;
                    #allow
                    let result = <S as crate::routes::#trait_>::#method(&service, #(#args,)* params).await;
                    ::std::result::Result::Ok(#reply)
                }
            }
        })
    }
}
