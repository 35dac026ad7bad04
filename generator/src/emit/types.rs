//! How IR type uses ([`TypeRef`]) are spelled in generated Rust. Generated code
//! names std, serde and runtime items by fully qualified paths, so no spec
//! name (a schema called `Option` or `Vec`) can shadow them.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Field, TypeRef};

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The Rust type of a use. Named types are referred to through `models`.
pub fn type_tokens(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Bool => quote!(bool),
        TypeRef::Integer => quote!(i64),
        TypeRef::Number => quote!(f64),
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Timestamp => quote!(crate::runtime::Timestamp),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::Named(name) => {
            let name = ident(name);
            quote!(crate::models::#name)
        }
        TypeRef::Vec(t) => {
            let t = type_tokens(t);
            quote!(::std::vec::Vec<#t>)
        }
        TypeRef::Map(t) => {
            let t = type_tokens(t);
            quote!(::std::collections::BTreeMap<::std::string::String, #t>)
        }
        TypeRef::Option(t) => {
            let t = type_tokens(t);
            quote!(::std::option::Option<#t>)
        }
        TypeRef::Expandable(t) => {
            let t = type_tokens(t);
            quote!(crate::runtime::Expandable<#t>)
        }
        TypeRef::Clearable(t) => {
            let t = type_tokens(t);
            quote!(crate::runtime::Clearable<#t>)
        }
        TypeRef::List(t) => {
            let t = type_tokens(t);
            quote!(crate::runtime::List<#t>)
        }
    }
}

/// How a field is represented, given whether it is required and nullable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Required, not nullable: `T`.
    Always,
    /// Required and nullable: `Option<T>`, `None` is `null`.
    RequiredNullable,
    /// Optional, not nullable: `Option<T>`, `None` is absent.
    Optional,
    /// Optional and nullable: `Nullable<T>`, absent, `null` or a value.
    OptionalNullable,
}

impl Presence {
    pub fn of(field: &Field) -> Self {
        match (field.required, field.nullable) {
            (true, false) => Presence::Always,
            (true, true) => Presence::RequiredNullable,
            (false, false) => Presence::Optional,
            (false, true) => Presence::OptionalNullable,
        }
    }
}

/// The full type of a struct field: its use, boxed if needed, wrapped per [`Presence`].
pub fn field_type(field: &Field) -> TokenStream {
    let mut inner = type_tokens(&field.ty);
    if field.boxed {
        inner = quote!(::std::boxed::Box<#inner>);
    }
    match Presence::of(field) {
        Presence::Always => inner,
        Presence::RequiredNullable | Presence::Optional => quote!(::std::option::Option<#inner>),
        Presence::OptionalNullable => quote!(crate::runtime::Nullable<#inner>),
    }
}
