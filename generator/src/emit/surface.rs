//! A readable listing of a generated crate's public API: every public type
//! with its public fields and variants, every public function and method
//! signature (bodies dropped), traits, constants and route constants, without
//! docs or serde attributes. Snapshot it, and any spec change to the Rust API
//! shows in review as a plain diff.

use syn::{Attribute, Fields, ImplItem, Item, TraitItem, Visibility, parse_file};

use crate::error::{Error, Result};

/// The public API of the crate's files (`(path, source)`, such as
/// `("src/params.rs", …)`), one section per file, in the given order.
pub fn api_surface<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<String> {
    let mut out = String::new();
    for (path, source) in files {
        let file = parse_file(&shorten(source)).map_err(|e| Error::Emit {
            context: path.to_owned(),
            message: e.to_string(),
        })?;
        let mut file = file;
        file.attrs.clear();
        file.items = std::mem::take(&mut file.items)
            .into_iter()
            .filter_map(surface_item)
            .collect();
        let listing = prettyplease::unparse(&file);
        out.push_str(&format!("// ===== {path} =====\n"));
        out.push_str(&super::space_items(&listing));
        out.push('\n');
    }
    Ok(out)
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// Keeps `derive`, `cfg` and `non_exhaustive` attributes: they are part of
/// what a type offers.
fn keep_attrs(attrs: &mut Vec<Attribute>) {
    attrs.retain(|a| {
        a.path().is_ident("derive")
            || a.path().is_ident("cfg")
            || a.path().is_ident("non_exhaustive")
    });
}

fn strip_fields(fields: &mut Fields) {
    let list: Vec<syn::Field> = std::mem::replace(fields, Fields::Unit)
        .into_iter()
        .filter(|f| is_pub(&f.vis) || matches!(f.vis, Visibility::Inherited) && f.ident.is_none())
        .map(|mut f| {
            f.attrs.clear();
            f
        })
        .collect();
    *fields = match fields_kind(&list) {
        Kind::Named => Fields::Named(syn::FieldsNamed {
            brace_token: Default::default(),
            named: list.into_iter().collect(),
        }),
        Kind::Unnamed => Fields::Unnamed(syn::FieldsUnnamed {
            paren_token: Default::default(),
            unnamed: list.into_iter().collect(),
        }),
        Kind::Unit => Fields::Unit,
    };
}

enum Kind {
    Named,
    Unnamed,
    Unit,
}

fn fields_kind(list: &[syn::Field]) -> Kind {
    match list.first() {
        Some(f) if f.ident.is_some() => Kind::Named,
        Some(_) => Kind::Unnamed,
        None => Kind::Unit,
    }
}

fn empty_block() -> syn::Block {
    syn::Block {
        brace_token: Default::default(),
        stmts: Vec::new(),
    }
}

fn surface_item(item: Item) -> Option<Item> {
    match item {
        Item::Struct(mut s) if is_pub(&s.vis) => {
            keep_attrs(&mut s.attrs);
            let named = matches!(s.fields, Fields::Named(_));
            strip_fields(&mut s.fields);
            if named && matches!(s.fields, Fields::Unit) {
                s.fields = Fields::Named(syn::FieldsNamed {
                    brace_token: Default::default(),
                    named: Default::default(),
                });
                s.semi_token = None;
            }
            Some(Item::Struct(s))
        }
        Item::Enum(mut e) if is_pub(&e.vis) => {
            keep_attrs(&mut e.attrs);
            for v in &mut e.variants {
                v.attrs.clear();
                if let Fields::Named(named) = &mut v.fields {
                    for f in &mut named.named {
                        f.attrs.clear();
                    }
                }
            }
            Some(Item::Enum(e))
        }
        Item::Fn(mut f) if is_pub(&f.vis) => {
            f.attrs.clear();
            f.block = Box::new(empty_block());
            Some(Item::Fn(f))
        }
        Item::Trait(mut t) if is_pub(&t.vis) => {
            t.attrs.clear();
            for item in &mut t.items {
                match item {
                    TraitItem::Fn(f) => {
                        f.attrs.clear();
                        f.default = None;
                        f.semi_token = Some(Default::default());
                    }
                    TraitItem::Type(t) => t.attrs.clear(),
                    TraitItem::Const(c) => c.attrs.clear(),
                    _ => {}
                }
            }
            Some(Item::Trait(t))
        }
        Item::Type(mut t) if is_pub(&t.vis) => {
            t.attrs.clear();
            Some(Item::Type(t))
        }
        Item::Const(mut c) if is_pub(&c.vis) => {
            c.attrs.clear();
            Some(Item::Const(c))
        }
        Item::Static(mut s) if is_pub(&s.vis) => {
            s.attrs.clear();
            Some(Item::Static(s))
        }
        Item::Mod(mut m) if is_pub(&m.vis) => {
            keep_attrs(&mut m.attrs);
            if let Some((_, items)) = &mut m.content {
                *items = std::mem::take(items)
                    .into_iter()
                    .filter_map(surface_item)
                    .collect();
            }
            Some(Item::Mod(m))
        }
        Item::Impl(mut i) => {
            keep_attrs(&mut i.attrs);
            let trait_impl = i.trait_.is_some();
            i.items = std::mem::take(&mut i.items)
                .into_iter()
                .filter_map(|item| match item {
                    // A trait impl shows its associated constants (route
                    // tables) and types; its methods are the trait's.
                    ImplItem::Fn(_) if trait_impl => None,
                    ImplItem::Fn(mut f) if is_pub(&f.vis) => {
                        f.attrs.clear();
                        f.block = empty_block();
                        Some(ImplItem::Fn(f))
                    }
                    ImplItem::Const(mut c) if trait_impl || is_pub(&c.vis) => {
                        c.attrs.clear();
                        Some(ImplItem::Const(c))
                    }
                    ImplItem::Type(mut t) if trait_impl || is_pub(&t.vis) => {
                        t.attrs.clear();
                        Some(ImplItem::Type(t))
                    }
                    _ => None,
                })
                .collect();
            if !trait_impl && i.items.is_empty() {
                return None;
            }
            Some(Item::Impl(i))
        }
        _ => None,
    }
}

/// Shorter spellings of the std paths generated code writes out in full
/// (applied to the source before parsing, so the layout fits the short names).
fn shorten(text: &str) -> String {
    let mut out = text.to_owned();
    for (long, short) in [
        ("::std::string::String", "String"),
        ("::std::option::Option", "Option"),
        ("::std::vec::Vec", "Vec"),
        ("::std::boxed::Box", "Box"),
        ("::std::collections::BTreeMap", "BTreeMap"),
        ("::std::result::Result", "Result"),
        ("::std::convert::Into", "Into"),
        ("::std::future::Future", "Future"),
        ("::std::marker::Send", "Send"),
        ("::std::convert::From", "From"),
        ("::std::default::Default", "Default"),
        ("::std::fmt::Display", "Display"),
        ("::std::error::Error", "std::error::Error"),
    ] {
        out = out.replace(long, short);
    }
    out
}
