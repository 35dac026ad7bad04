//! How IR type uses ([`TypeRef`]) are spelled in generated Rust. Generated code
//! names std, serde and runtime items by fully qualified paths, so no spec
//! name (a schema called `Option` or `Vec`) can shadow them.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, Field, TypeRef};

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Which module each named type is emitted in: `params` for the inline
/// types of operation parameters and bodies (`CreatePromotionCodeRestrictions`)
/// that nothing outside parameters uses, `models` for everything else.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    params: BTreeSet<String>,
}

impl Scope {
    pub fn new(api: &Api) -> Self {
        // Declared under an operation's parameters or request body …
        let owned: BTreeSet<&str> = api
            .types
            .values()
            .filter(|def| {
                let tokens: Vec<String> = def.pointer.tokens().take(4).collect();
                def.component.is_none()
                    && tokens.len() == 4
                    && tokens[0] == "paths"
                    && (tokens[3] == "parameters" || tokens[3] == "requestBody")
            })
            .map(|def| def.name.as_str())
            .collect();
        // … and not used by a model or a response.
        let mut pending: Vec<&str> = api
            .types
            .keys()
            .map(String::as_str)
            .filter(|n| !owned.contains(n))
            .collect();
        for op in &api.operations {
            for ty in op.response.iter().chain(&op.error) {
                pending.extend(ty.named());
            }
        }
        let mut models: BTreeSet<&str> = BTreeSet::new();
        while let Some(name) = pending.pop() {
            if !models.insert(name) {
                continue;
            }
            let Some(def) = api.types.get(name) else {
                continue;
            };
            pending.extend(def.kind.named_uses());
        }
        Scope {
            params: owned
                .into_iter()
                .filter(|n| !models.contains(n))
                .map(str::to_owned)
                .collect(),
        }
    }

    /// Whether the named type is emitted in `params`.
    pub fn in_params(&self, name: &str) -> bool {
        self.params.contains(name)
    }

    /// The path of a named type as text: `crate::params::X` or `crate::models::X`.
    pub fn path_text(&self, name: &str) -> String {
        if self.in_params(name) {
            format!("crate::params::{name}")
        } else {
            format!("crate::models::{name}")
        }
    }

    /// The path of a named type: `crate::params::X` or `crate::models::X`.
    pub fn path(&self, name: &str) -> TokenStream {
        let id = ident(name);
        if self.in_params(name) {
            quote!(crate::params::#id)
        } else {
            quote!(crate::models::#id)
        }
    }
}

/// The Rust type of a use, with every named type referred to through `models`.
pub fn type_tokens(ty: &TypeRef) -> TokenStream {
    type_tokens_in(ty, &Scope::default())
}

/// The Rust type of a use; named types are referred to through their module.
pub fn type_tokens_in(ty: &TypeRef, scope: &Scope) -> TokenStream {
    let type_tokens = |t: &TypeRef| type_tokens_in(t, scope);
    match ty {
        TypeRef::Bool => quote!(bool),
        TypeRef::Integer => quote!(i64),
        TypeRef::Number => quote!(f64),
        TypeRef::String => quote!(::std::string::String),
        TypeRef::Timestamp => quote!(crate::runtime::Timestamp),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::Binary => quote!(crate::payload::FilePart),
        TypeRef::Named(name) => scope.path(name),
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
        TypeRef::Clearable(t) => match &**t {
            // A clearable map can also unset single keys.
            TypeRef::Map(values) => {
                let values = type_tokens(values);
                quote!(crate::runtime::ClearableMap<#values>)
            }
            t => {
                let t = type_tokens(t);
                quote!(crate::runtime::Clearable<#t>)
            }
        },
        TypeRef::List(t) => {
            let t = type_tokens(t);
            quote!(crate::runtime::List<#t>)
        }
    }
}

/// [`type_tokens_in`] as formatted text (for the [`super::text`] emitters).
pub fn type_text_in(ty: &TypeRef, scope: &Scope) -> String {
    let mut out = String::new();
    write_type(&mut out, ty, scope);
    out
}

fn write_type(out: &mut String, ty: &TypeRef, scope: &Scope) {
    let wrap = |out: &mut String, outer: &str, inner: &TypeRef| {
        out.push_str(outer);
        out.push('<');
        write_type(out, inner, scope);
        out.push('>');
    };
    match ty {
        TypeRef::Bool => out.push_str("bool"),
        TypeRef::Integer => out.push_str("i64"),
        TypeRef::Number => out.push_str("f64"),
        TypeRef::String => out.push_str("::std::string::String"),
        TypeRef::Timestamp => out.push_str("crate::runtime::Timestamp"),
        TypeRef::Json => out.push_str("::serde_json::Value"),
        TypeRef::Binary => out.push_str("crate::payload::FilePart"),
        TypeRef::Named(name) => out.push_str(&scope.path_text(name)),
        TypeRef::Vec(t) => wrap(out, "::std::vec::Vec", t),
        TypeRef::Map(t) => {
            out.push_str("::std::collections::BTreeMap<::std::string::String, ");
            write_type(out, t, scope);
            out.push('>');
        }
        TypeRef::Option(t) => wrap(out, "::std::option::Option", t),
        TypeRef::Expandable(t) => wrap(out, "crate::runtime::Expandable", t),
        TypeRef::Clearable(t) => match &**t {
            TypeRef::Map(values) => wrap(out, "crate::runtime::ClearableMap", values),
            t => wrap(out, "crate::runtime::Clearable", t),
        },
        TypeRef::List(t) => wrap(out, "crate::runtime::List", t),
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

/// The full type of a struct field: its use, boxed if needed, wrapped per
/// [`Presence`], with every named type referred to through `models`.
pub fn field_type(field: &Field) -> TokenStream {
    field_type_in(field, &Scope::default())
}

/// [`field_type_in`] as formatted text (for the [`super::text`] emitters).
pub fn field_type_text_in(field: &Field, scope: &Scope) -> String {
    let mut inner = type_text_in(&field.ty, scope);
    if field.boxed {
        inner = format!("::std::boxed::Box<{inner}>");
    }
    match Presence::of(field) {
        Presence::Always => inner,
        Presence::RequiredNullable | Presence::Optional => {
            format!("::std::option::Option<{inner}>")
        }
        Presence::OptionalNullable => format!("crate::runtime::Nullable<{inner}>"),
    }
}

/// The full type of a struct field: its use, boxed if needed, wrapped per [`Presence`].
pub fn field_type_in(field: &Field, scope: &Scope) -> TokenStream {
    let mut inner = type_tokens_in(&field.ty, scope);
    if field.boxed {
        inner = quote!(::std::boxed::Box<#inner>);
    }
    match Presence::of(field) {
        Presence::Always => inner,
        Presence::RequiredNullable | Presence::Optional => quote!(::std::option::Option<#inner>),
        Presence::OptionalNullable => quote!(crate::runtime::Nullable<#inner>),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text spelling of a type is the token spelling, formatted.
    #[test]
    fn text_and_tokens_spell_the_same_type() {
        let scope = Scope::default();
        let named = || Box::new(TypeRef::Named("Coupon".to_owned()));
        for ty in [
            TypeRef::Map(Box::new(TypeRef::Vec(named()))),
            TypeRef::Clearable(Box::new(TypeRef::Map(Box::new(TypeRef::String)))),
            TypeRef::Clearable(Box::new(TypeRef::Integer)),
            TypeRef::Option(Box::new(TypeRef::Expandable(named()))),
            TypeRef::List(Box::new(TypeRef::Timestamp)),
            TypeRef::Json,
        ] {
            let squeeze = |s: String| s.replace(' ', "");
            assert_eq!(
                squeeze(type_tokens_in(&ty, &scope).to_string()),
                squeeze(type_text_in(&ty, &scope)),
                "{ty:?}"
            );
        }
    }
}
