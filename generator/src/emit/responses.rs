//! What an operation returns, for the route trait, the server and the client.
//!
//! Most operations answer one JSON body with status 200 (or nothing): they
//! return that type (`Plain`), as they always have; a type nested two
//! containers deep (`Vec<BTreeMap<String, T>>`) gets a type alias
//! `routes::<Op>Response`, so trait signatures stay readable (and clippy's
//! `type_complexity` quiet). Any other operation gets a typed answer
//! (`Custom`): when it has one success status, its body (JSON as its type,
//! text as `String`, bytes as `payload::FilePart`, nothing as `()`), wrapped
//! in `runtime::WithHeaders<T, <Op>Headers>` when it declares response
//! headers; when successes differ (200 with a body, 201 with another, 204
//! with none), the enum `routes::<Op>Response` with a variant per status
//! (`Ok`, `Created`, `NoContent`, `Status<code>`, `Success` for `2XX`), each
//! holding its body (and headers). The server answers each variant with its
//! status, media type and headers; the client reads the status and the
//! headers back into the same type.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{Presence, Scope, field_type_in, ident, type_tokens_in};
use crate::ir::{Field, MediaKind, Operation, Response, Status, TypeRef};

/// How an operation's successful answers are typed.
pub enum Answer<'o> {
    /// One JSON type (or none), status 200, no headers.
    Plain(Option<&'o TypeRef>),
    /// One success status with a non-JSON body, another status or headers.
    Single(&'o Response),
    /// Several success statuses that differ.
    Enum(Vec<&'o Response>),
}

impl<'o> Answer<'o> {
    pub fn of(op: &'o Operation) -> Answer<'o> {
        let successes: Vec<&Response> = op
            .responses
            .iter()
            .filter(|r| r.status.is_success())
            .collect();
        let plain =
            |r: &Response| r.headers.is_empty() && matches!(r.kind, None | Some(MediaKind::Json));
        let same = successes
            .windows(2)
            .all(|w| w[0].ty == w[1].ty && w[0].kind == w[1].kind);
        match successes.as_slice() {
            [] => Answer::Plain(op.response.as_ref()),
            [one] if plain(one) && one.status == Status::Code(200) => {
                Answer::Plain(op.response.as_ref())
            }
            [one] => Answer::Single(one),
            [first, ..]
                if same
                    && successes.iter().all(|r| plain(r))
                    && first.status == Status::Code(200) =>
            {
                Answer::Plain(op.response.as_ref())
            }
            _ => Answer::Enum(successes),
        }
    }
}

/// Whether a type nests containers two deep (what clippy finds too complex
/// inside a trait method's `impl Future<Output = Result<…>>`).
fn is_complex(ty: &TypeRef) -> bool {
    fn depth(ty: &TypeRef) -> usize {
        match ty {
            TypeRef::Vec(t)
            | TypeRef::Map(t)
            | TypeRef::Option(t)
            | TypeRef::Expandable(t)
            | TypeRef::Clearable(t)
            | TypeRef::List(t) => 1 + depth(t),
            _ => 0,
        }
    }
    depth(ty) >= 2
}

/// The name of the operation's response type in `routes` (an alias, the
/// enum, or the `WithHeaders` of its single success).
fn response_name(op: &Operation) -> String {
    format!("{}Response", op.name)
}

fn headers_name(op: &Operation, r: &Response, single: bool) -> String {
    if single {
        format!("{}Headers", op.name)
    } else {
        format!("{}{}Headers", op.name, variant_name(r.status))
    }
}

/// The enum variant of a status.
pub fn variant_name(status: Status) -> String {
    match status {
        Status::Code(200) => "Ok".to_owned(),
        Status::Code(201) => "Created".to_owned(),
        Status::Code(202) => "Accepted".to_owned(),
        Status::Code(203) => "NonAuthoritative".to_owned(),
        Status::Code(204) => "NoContent".to_owned(),
        Status::Code(205) => "ResetContent".to_owned(),
        Status::Code(206) => "PartialContent".to_owned(),
        Status::Code(c) => format!("Status{c}"),
        Status::Range(_) => "Success".to_owned(),
        Status::Default => "Default".to_owned(),
    }
}

/// The status a server answers a response with (`2XX`: 200).
fn status_code(status: Status) -> u16 {
    match status {
        Status::Code(c) => c,
        Status::Range(r) => r * 100,
        Status::Default => 200,
    }
}

/// The body type of one response (`()` without a body).
fn body_tokens(r: &Response, scope: &Scope) -> TokenStream {
    match &r.ty {
        Some(ty) => type_tokens_in(ty, scope),
        None => quote!(()),
    }
}

/// The value type of one response: its body, with its headers if any.
fn value_tokens(op: &Operation, r: &Response, scope: &Scope, single: bool) -> TokenStream {
    let body = body_tokens(r, scope);
    if r.headers.is_empty() {
        body
    } else {
        let headers = ident(&headers_name(op, r, single));
        quote!(crate::runtime::WithHeaders<#body, crate::routes::#headers>)
    }
}

/// The type the route trait method returns on success.
pub fn success_type(op: &Operation, scope: &Scope) -> TokenStream {
    match Answer::of(op) {
        Answer::Plain(Some(ty)) if is_complex(ty) => {
            let name = ident(&response_name(op));
            quote!(crate::routes::#name)
        }
        Answer::Plain(Some(ty)) => type_tokens_in(ty, scope),
        Answer::Plain(None) => quote!(()),
        Answer::Single(r) => value_tokens(op, r, scope, true),
        Answer::Enum(_) => {
            let name = ident(&response_name(op));
            quote!(crate::routes::#name)
        }
    }
}

/// The items of `routes` for an operation's answers: the alias, the enum,
/// the headers structs.
pub fn route_items(op: &Operation, scope: &Scope) -> TokenStream {
    let feature = &op.feature;
    let name = ident(&response_name(op));
    match Answer::of(op) {
        Answer::Plain(Some(ty)) if is_complex(ty) => {
            let ty = type_tokens_in(ty, scope);
            let doc = format!(" What `{} {}` answers.", op.method.as_str(), op.path);
            quote! {
                #[doc = #doc]
                #[cfg(feature = #feature)]
                pub type #name = #ty;
            }
        }
        Answer::Plain(_) => TokenStream::new(),
        Answer::Single(r) => headers_struct(op, r, scope, true),
        Answer::Enum(rs) => {
            let structs = rs.iter().map(|r| headers_struct(op, r, scope, false));
            let variants = rs.iter().map(|r| {
                let variant = ident(&variant_name(r.status));
                let doc = format!(
                    " `{}`{}",
                    r.status.label(),
                    r.docs
                        .as_deref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                );
                if r.ty.is_none() && r.headers.is_empty() {
                    quote!(#[doc = #doc] #variant,)
                } else {
                    let value = value_tokens(op, r, scope, false);
                    quote!(#[doc = #doc] #variant(#value),)
                }
            });
            let doc = format!(
                " The successful answers of `{} {}`, by status.",
                op.method.as_str(),
                op.path
            );
            quote! {
                #(#structs)*

                #[doc = #doc]
                #[cfg(feature = #feature)]
                #[derive(Clone, Debug, PartialEq)]
                // One answer per call, moved once: boxing the large bodies
                // would cost an allocation for nothing.
                #[allow(clippy::large_enum_variant)]
                pub enum #name {
                    #(#variants)*
                }
            }
        }
    }
}

fn headers_struct(op: &Operation, r: &Response, scope: &Scope, single: bool) -> TokenStream {
    if r.headers.is_empty() {
        return TokenStream::new();
    }
    let feature = &op.feature;
    let name = ident(&headers_name(op, r, single));
    let fields = r.headers.iter().map(|h| {
        let f = ident(&h.rust);
        let ty = header_type(h, scope);
        let doc = format!(
            " `{}`{}",
            h.wire,
            h.docs
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        );
        quote!(#[doc = #doc] pub #f: #ty,)
    });
    let doc = format!(
        " The headers of the `{}` answer of `{} {}`.",
        r.status.label(),
        op.method.as_str(),
        op.path
    );
    quote! {
        #[doc = #doc]
        #[cfg(feature = #feature)]
        #[derive(Clone, Debug, Default, PartialEq)]
        pub struct #name {
            #(#fields)*
        }
    }
}

/// A header field's type: required ones are the value, others an `Option`.
fn header_type(h: &Field, scope: &Scope) -> TokenStream {
    let plain = Field {
        nullable: false,
        ..h.clone()
    };
    field_type_in(&plain, scope)
}

/// The server's reply for `value`, the success of the operation.
pub fn server_reply(op: &Operation) -> TokenStream {
    match Answer::of(op) {
        Answer::Plain(_) => quote!(crate::server::reply(result)),
        Answer::Single(r) => {
            let reply = reply_of(r, quote!(value));
            let value = if r.ty.is_none() && r.headers.is_empty() {
                quote!(())
            } else {
                quote!(value)
            };
            quote! {
                match result {
                    ::std::result::Result::Ok(#value) => #reply,
                    ::std::result::Result::Err(error) => crate::server::reply::<(), _>(::std::result::Result::Err(error)),
                }
            }
        }
        Answer::Enum(rs) => {
            let name = ident(&response_name(op));
            let arms = rs.iter().map(|r| {
                let variant = ident(&variant_name(r.status));
                if r.ty.is_none() && r.headers.is_empty() {
                    let reply = reply_of(r, quote!(()));
                    quote!(crate::routes::#name::#variant => #reply,)
                } else {
                    let reply = reply_of(r, quote!(value));
                    quote!(crate::routes::#name::#variant(value) => #reply,)
                }
            });
            quote! {
                match result {
                    ::std::result::Result::Ok(value) => match value {
                        #(#arms)*
                    },
                    ::std::result::Result::Err(error) => crate::server::reply::<(), _>(::std::result::Result::Err(error)),
                }
            }
        }
    }
}

/// The reply of one response, for `value` (its value type).
fn reply_of(r: &Response, value: TokenStream) -> TokenStream {
    let status = status_code(r.status);
    let (body, headers) = if r.headers.is_empty() {
        (value, Vec::new())
    } else {
        let sets = r.headers.iter().map(|h| {
            let f = ident(&h.rust);
            let wire = &h.wire;
            if Presence::of(&Field {
                nullable: false,
                ..h.clone()
            }) == Presence::Always
            {
                quote!(reply.header(#wire, &headers.#f);)
            } else {
                quote! {
                    if let ::std::option::Option::Some(value) = &headers.#f {
                        reply.header(#wire, value);
                    }
                }
            }
        });
        (quote!(body), sets.collect())
    };
    let content_type = r.content_type.clone().unwrap_or_default();
    let make = match (&r.kind, &r.ty) {
        (_, None) => quote!(crate::server::Reply::empty(#status)),
        (Some(MediaKind::Json) | None, Some(_)) => {
            quote!(crate::server::Reply::json(#status, &#body))
        }
        (Some(MediaKind::Text), Some(_)) => {
            quote!(crate::server::Reply::bytes(#status, #content_type, #body.into_bytes()))
        }
        (Some(_), Some(_)) => quote!(crate::server::Reply::file(#status, #content_type, #body)),
    };
    if headers.is_empty() {
        make
    } else if r.ty.is_none() {
        // No body to write (`()`), only headers.
        quote! {{
            let crate::runtime::WithHeaders { body: (), headers } = value;
            let mut reply = #make;
            #(#headers)*
            reply
        }}
    } else {
        quote! {{
            let crate::runtime::WithHeaders { body, headers } = value;
            let mut reply = #make;
            #(#headers)*
            reply
        }}
    }
}

/// The client's reading of an answer (`answer`, a `client::Answer`) into the
/// operation's success type, or its error.
pub fn client_read(op: &Operation) -> Option<TokenStream> {
    match Answer::of(op) {
        Answer::Plain(_) => None,
        Answer::Single(r) => {
            let read = read_of(op, r, true);
            let pattern = status_pattern(r.status);
            Some(quote! {
                match answer.status {
                    #pattern => #read,
                    _ => ::std::result::Result::Err(crate::client::failure(&answer)),
                }
            })
        }
        Answer::Enum(rs) => {
            let name = ident(&response_name(op));
            let arms = rs.iter().map(|r| {
                let variant = ident(&variant_name(r.status));
                let pattern = status_pattern(r.status);
                if r.ty.is_none() && r.headers.is_empty() {
                    quote!(#pattern => ::std::result::Result::Ok(crate::routes::#name::#variant),)
                } else {
                    let read = read_of(op, r, false);
                    quote!(#pattern => #read.map(crate::routes::#name::#variant),)
                }
            });
            Some(quote! {
                match answer.status {
                    #(#arms)*
                    _ => ::std::result::Result::Err(crate::client::failure(&answer)),
                }
            })
        }
    }
}

fn status_pattern(status: Status) -> TokenStream {
    match status {
        Status::Code(c) => {
            let c = proc_macro2::Literal::u16_unsuffixed(c);
            quote!(#c)
        }
        Status::Range(r) => {
            let lo = proc_macro2::Literal::u16_unsuffixed(r * 100);
            let hi = proc_macro2::Literal::u16_unsuffixed(r * 100 + 99);
            quote!(#lo..=#hi)
        }
        Status::Default => quote!(_),
    }
}

/// Reads one response's value: `Result<value type, ClientError>`.
fn read_of(op: &Operation, r: &Response, single: bool) -> TokenStream {
    let body = match (&r.kind, &r.ty) {
        (_, None) => quote!(::std::result::Result::<(), crate::client::ClientError>::Ok(
            ()
        )),
        (Some(MediaKind::Json) | None, Some(_)) => quote!(crate::client::json_body(&answer)),
        (Some(MediaKind::Text), Some(_)) => quote!(crate::client::text_body(&answer)),
        (Some(_), Some(_)) => quote!(::std::result::Result::<_, crate::client::ClientError>::Ok(
            crate::client::file_body(&answer)
        )),
    };
    if r.headers.is_empty() {
        return body;
    }
    let name = ident(&headers_name(op, r, single));
    let fields = r.headers.iter().map(|h| {
        let f = ident(&h.rust);
        let wire = &h.wire;
        let required = h.required;
        if required {
            quote!(#f: crate::client::required_header(&answer, #wire)?,)
        } else {
            quote!(#f: crate::client::header(&answer, #wire)?,)
        }
    });
    quote! {
        (|| {
            ::std::result::Result::Ok(crate::runtime::WithHeaders {
                body: #body?,
                headers: crate::routes::#name { #(#fields)* },
            })
        })()
    }
}
