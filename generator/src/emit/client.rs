//! Emits the operation-specific half of `client.rs` (feature `client`; the
//! support code before it is `runtime/client.rs`, verbatim): the default base
//! URL (the spec's first server), the route traits implemented for `Client`
//! (each method calls its route with its path arguments and `Params`), and an
//! auto-paginating `<operation>_auto` stream per list operation.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::quote;

use super::params::{is_plain_path, wire_text};
use super::routes::{method_names, security_tokens, trait_features, trait_name};
use super::types::{Scope, field_type_in, ident, type_tokens_in};
use crate::ir::{Api, Operation, TypeRef};
use crate::load::Spec;

/// The spec's first server URL, without a trailing `/`.
pub fn base_url(spec: &Spec) -> String {
    spec.api
        .servers
        .first()
        .map(|s| s.url.trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "http://localhost".to_owned())
}

/// The paginating method of a list operation: `list_promotion_codes_auto`.
pub fn auto_fn(op: &Operation) -> String {
    format!("{}_auto", op.name.to_snake_case())
}

pub fn client(api: &Api, spec: &Spec, scope: &Scope) -> TokenStream {
    let names = method_names(api);
    let mut impls: BTreeMap<String, Vec<TokenStream>> = BTreeMap::new();
    let mut autos = Vec::new();
    for (op, method) in api.operations.iter().zip(&names) {
        impls
            .entry(trait_name(&op.resource))
            .or_default()
            .push(trait_method(api, scope, op, method));
        if let Some(TypeRef::List(item)) = &op.response {
            autos.push(auto_method(api, scope, op, item));
        }
    }
    let features = trait_features(api);
    let impls = impls.into_iter().map(|(trait_, methods)| {
        let feature = &features[&trait_];
        let trait_ = ident(&trait_);
        quote! {
            #[cfg(feature = #feature)]
            impl crate::routes::#trait_ for crate::client::Client {
                type Error = crate::client::ClientError;

                #(#methods)*
            }
        }
    });
    let base = base_url(spec);
    let base_doc = format!(" The default base URL: the spec's first server, `{base}`.");
    let autos = (!autos.is_empty()).then(|| {
        quote! {
            /// Auto-paginating streams over the list operations.
            impl crate::client::Client {
                #(#autos)*
            }
        }
    });
    quote! {
        #[doc = #base_doc]
        pub const DEFAULT_BASE_URL: &str = #base;

        #(#impls)*

        #autos
    }
}

/// The path arguments of a method and their encoded texts (`simple`
/// primitives through serde, other styles through `style::path`).
fn path_args(api: &Api, scope: &Scope, op: &Operation) -> (Vec<TokenStream>, Vec<TokenStream>) {
    op.path_params
        .iter()
        .map(|p| {
            let name = ident(&p.rust);
            let ty = field_type_in(p, scope);
            let text = if is_plain_path(api, p) {
                quote!(crate::client::path_text(&#name))
            } else {
                let wire: TokenStream = wire_text(api, op, p)
                    .parse()
                    .expect("a style::Wire expression");
                quote!(crate::style::path(&#name, &#wire))
            };
            (quote!(#name: #ty,), text)
        })
        .unzip()
}

fn params_arg(op: &Operation) -> proc_macro2::Ident {
    if op.path_params.iter().any(|p| p.rust == "params") {
        ident("params_")
    } else {
        ident("params")
    }
}

fn trait_method(api: &Api, scope: &Scope, op: &Operation, method: &str) -> TokenStream {
    let method = ident(method);
    let params = ident(&op.name);
    let params_arg = params_arg(op);
    let (args, texts) = path_args(api, scope, op);
    let response = super::responses::success_type(op, scope);
    let security = security_tokens(op);
    let read = super::responses::client_read(op);
    // Without a response body, any JSON answer will do.
    let call = if let Some(read) = read {
        quote! {
            let answer = self
                .exchange(
                    ::std::option::Option::Some(#security),
                    &<crate::params::#params as crate::runtime::Params>::ROUTE,
                    &[#(#texts),*],
                    crate::runtime::Params::to_query(&#params_arg),
                    &crate::runtime::Params::to_headers(&#params_arg),
                    crate::runtime::Params::payload(&#params_arg),
                )
                .await?;
            #read
        }
    } else if op.response.is_some() {
        quote!(self.call_as(::std::option::Option::Some(#security), &<crate::params::#params as crate::runtime::Params>::ROUTE, &[#(#texts),*], &#params_arg).await)
    } else {
        quote! {
            self.call_as::<_, ::serde_json::Value>(::std::option::Option::Some(#security), &<crate::params::#params as crate::runtime::Params>::ROUTE, &[#(#texts),*], &#params_arg)
                .await
                .map(|_| ())
        }
    };
    quote! {
        async fn #method(
            &self,
            #(#args)*
            #params_arg: crate::params::#params,
        ) -> ::std::result::Result<#response, crate::client::ClientError> {
            #call
        }
    }
}

fn auto_method(api: &Api, scope: &Scope, op: &Operation, item: &TypeRef) -> TokenStream {
    let name = ident(&auto_fn(op));
    let params = ident(&op.name);
    let params_arg = params_arg(op);
    let (args, texts) = path_args(api, scope, op);
    let item = type_tokens_in(item, scope);
    let cursor = op.query_params.iter().any(|p| p.wire == "starting_after");
    let doc = format!(
        " Every item of `{} {}`, page after page, starting with the page `{params_arg}` asks for.",
        op.method.as_str(),
        op.path
    );
    let feature = &op.feature;
    let security = security_tokens(op);
    quote! {
        #[doc = #doc]
        #[cfg(feature = #feature)]
        pub fn #name(
            &self,
            #(#args)*
            #params_arg: crate::params::#params,
        ) -> impl ::futures_util::Stream<Item = ::std::result::Result<#item, crate::client::ClientError>> + ::std::marker::Send + 'static + use<> {
            self.paginate(::std::option::Option::Some(#security), <crate::params::#params as crate::runtime::Params>::ROUTE, ::std::vec![#(#texts),*], &#params_arg, #cursor)
        }
    }
}
