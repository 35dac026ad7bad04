//! How IR type uses ([`TypeRef`]) are spelled in generated Rust. Generated code
//! names std, serde and runtime items by fully qualified paths, so no spec
//! name (a schema called `Option` or `Vec`) can shadow them.

use std::collections::BTreeSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Api, Field, TypeKind, TypeRef};

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
            match &def.kind {
                TypeKind::Struct(s) => {
                    for f in &s.fields {
                        pending.extend(f.ty.named());
                    }
                    if let Some(extra) = &s.additional {
                        pending.extend(extra.named());
                    }
                }
                TypeKind::Union(u) => {
                    for v in &u.variants {
                        pending.extend(v.ty.named());
                    }
                }
                TypeKind::Alias(t) => pending.extend(t.named()),
                TypeKind::Enum(_) => {}
            }
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
