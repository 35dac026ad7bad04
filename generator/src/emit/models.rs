//! Emits `models.rs`: one Rust item per named IR type. Structs derive serde
//! with per-field attributes that keep absent, `null` and values apart; string
//! enums are open (an `Unknown(String)` variant keeps values the spec does not
//! list); unions are untagged enums; other components are type aliases.

use proc_macro2::TokenStream;
use quote::quote;

use super::docs::doc_attrs;
use super::types::{Presence, Scope, field_type_in, ident, type_tokens_in};
use crate::ir::{Api, Enum, Field, Struct, TypeDef, TypeKind, TypeRef, Union};

/// The items of the `models` module: every named type but those that
/// `scope` puts in `params`.
pub fn models(api: &Api, scope: &Scope) -> TokenStream {
    let items = api
        .types
        .values()
        .filter(|def| !scope.in_params(&def.name))
        .map(|def| type_def(api, scope, def));
    quote! { #(#items)* }
}

/// One named type (also used by `params` for the types it owns).
pub(super) fn type_def(api: &Api, scope: &Scope, def: &TypeDef) -> TokenStream {
    let docs = doc_attrs(def.docs.as_deref());
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => struct_def(scope, def, s, docs),
        TypeKind::Enum(e) => enum_def(def, e, docs),
        TypeKind::Union(u) => union_def(api, scope, def, u, docs),
        TypeKind::Alias(ty) => {
            let ty = type_tokens_in(ty, scope);
            quote! {
                #docs
                pub type #name = #ty;
            }
        }
    }
}

fn struct_def(scope: &Scope, def: &TypeDef, s: &Struct, docs: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let fields = s.fields.iter().map(|f| struct_field(scope, f));
    let extra = s.additional.as_ref().map(|ty| {
        let field = ident(&free_name(s, "extra"));
        let ty = type_tokens_in(ty, scope);
        quote! {
            /// Properties beyond the named ones.
            #[serde(flatten)]
            pub #field: ::std::collections::BTreeMap<::std::string::String, #ty>,
        }
    });
    let object_impl = id_field(s).map(|f| {
        let id = ident(&f.rust);
        quote! {
            impl crate::runtime::Object for #name {
                fn id(&self) -> &str {
                    &self.#id
                }
            }
        }
    });
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            #extra
        }
        #object_impl
    }
}

/// A field name not used by any field of `s`.
fn free_name(s: &Struct, want: &str) -> String {
    (1..)
        .map(|n| {
            if n == 1 {
                want.to_owned()
            } else {
                format!("{want}_{n}")
            }
        })
        .find(|candidate| s.fields.iter().all(|f| &f.rust != candidate))
        .expect("an unbounded range always yields a free name")
}

fn struct_field(scope: &Scope, field: &Field) -> TokenStream {
    let docs = doc_attrs(field.docs.as_deref());
    let name = ident(&field.rust);
    let ty = field_type_in(field, scope);
    let mut serde_args = Vec::new();
    if field.rust != field.wire {
        let wire = &field.wire;
        serde_args.push(quote!(rename = #wire));
    }
    match Presence::of(field) {
        Presence::Always | Presence::RequiredNullable => {}
        Presence::Optional => {
            serde_args.push(quote!(
                default,
                skip_serializing_if = "::std::option::Option::is_none"
            ));
        }
        Presence::OptionalNullable => {
            serde_args.push(quote!(
                default,
                skip_serializing_if = "crate::runtime::Nullable::is_absent"
            ));
        }
    }
    let serde_attr = (!serde_args.is_empty()).then(|| quote!(#[serde(#(#serde_args),*)]));
    let deprecated = field.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        #docs
        #deprecated
        #serde_attr
        pub #name: #ty,
    }
}

fn enum_def(def: &TypeDef, e: &Enum, docs: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust)).collect();
    let wires: Vec<&str> = e.variants.iter().map(|v| v.wire.as_str()).collect();
    let variant_docs = wires.iter().map(|w| format!(" `{w}`"));
    // A single-value enum (`object: "coupon"`) has an obvious default.
    let single = variants.len() == 1;
    let derive_default = single.then(|| quote!(Default,));
    let default_marker = single.then(|| quote!(#[default]));
    quote! {
        #docs
        #[derive(Clone, Debug, #derive_default PartialEq, Eq, Hash)]
        pub enum #name {
            #( #[doc = #variant_docs] #default_marker #variants, )*
            /// A value this version of the spec does not list; kept as it was sent.
            Unknown(::std::string::String),
        }

        impl #name {
            /// The value as it is sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#variants => #wires, )*
                    Self::Unknown(value) => value,
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#variants, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(Self::from(value.as_str()))
            }
        }
    }
}

fn union_def(api: &Api, scope: &Scope, def: &TypeDef, u: &Union, docs: TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let mut ty = type_tokens_in(&v.ty, scope);
        if v.boxed {
            ty = quote!(::std::boxed::Box<#ty>);
        }
        quote!(#variant(#ty),)
    });
    // A union of objects that all have ids has an id too.
    let all_objects = u.variants.iter().all(|v| match &v.ty {
        TypeRef::Named(n) => has_id(api, n),
        _ => false,
    });
    let object_impl = all_objects.then(|| {
        let arms = u.variants.iter().map(|v| {
            let variant = ident(&v.rust);
            quote!(Self::#variant(inner) => crate::runtime::Object::id(&**inner),)
        });
        quote! {
            impl crate::runtime::Object for #name {
                fn id(&self) -> &str {
                    match self {
                        #(#arms)*
                    }
                }
            }
        }
    });
    quote! {
        #docs
        #[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(untagged)]
        pub enum #name {
            #(#variants)*
        }
        #object_impl
    }
}

/// Whether the named type implements `runtime::Object`.
fn has_id(api: &Api, name: &str) -> bool {
    matches!(api.types.get(name).map(|d| &d.kind), Some(TypeKind::Struct(s)) if id_field(s).is_some())
}

/// A required, non-null string `id` field: such structs implement `runtime::Object`.
fn id_field(s: &Struct) -> Option<&Field> {
    s.fields.iter().find(|f| {
        f.wire == "id" && f.ty == TypeRef::String && f.required && !f.nullable && !f.boxed
    })
}
