//! Emits the `models` module: one Rust item per named IR type. Structs derive
//! serde with per-field attributes that keep absent, `null` and values apart;
//! enums are open (an `Unknown(String)` variant keeps values the spec does
//! not list; enums of numbers or booleans keep the value's JSON text there);
//! unions are untagged enums; discriminated unions read the tag and hand the
//! whole object to the variant it selects (an unknown tag is kept as
//! `Unknown(serde_json::Value)`); other components are type aliases.
//!
//! The module is split by cargo feature (see [`super::gates`]): `models/mod.rs`
//! holds the types every feature needs, `models/<feature>.rs` the types only
//! that feature reaches (compiled with it), and `models/shared_types.rs` the
//! types a few features share, each behind a `cfg` naming them. Everything is
//! re-exported, so every model is `crate::models::Name` whatever the features.
//! Written as text with [`super::text::Code`] (the bulk of a large crate).

use std::collections::{BTreeMap, BTreeSet};

use super::gates::Gates;
use super::text::{Code, line, string_literal};
use super::types::{Presence, Scope, field_type_text_in, type_text_in};
use crate::ir::{Api, Enum, EnumValue, Field, Struct, Tagged, TypeDef, TypeKind, TypeRef, Union};

/// The module of the types that several (not all) features share.
const SHARED_MODULE: &str = "shared_types";

/// The files of the `models` module, by path under `src/`
/// (`models/mod.rs`, `models/coupons.rs` …), without the `@generated` header.
pub fn models(api: &Api, scope: &Scope, gates: &Gates) -> Vec<(String, String)> {
    // Module (None: mod.rs) -> types, in the IR's (name) order.
    let mut modules: BTreeMap<Option<String>, Vec<&TypeDef>> = BTreeMap::new();
    for def in api.types.values().filter(|d| !scope.in_params(&d.name)) {
        let module = match gates.of(&def.name) {
            None => None,
            Some(features) if features.len() == 1 => features.first().cloned(),
            Some(_) => Some(SHARED_MODULE.to_owned()),
        };
        modules.entry(module).or_default().push(def);
    }
    let mut root = Code::new();
    root.line("//! The types of the API's objects, as its responses carry them. Types that");
    root.line("//! only some cargo features need live in a module per feature (compiled");
    root.line("//! with it); everything is re-exported here.");
    root.blank();
    let mut files = Vec::new();
    for (module, defs) in &modules {
        let Some(module) = module else { continue };
        // The shared module is compiled with any feature of any of its types.
        let features: BTreeSet<&String> = if module == SHARED_MODULE {
            defs.iter()
                .flat_map(|def| gates.of(&def.name).into_iter().flatten())
                .collect()
        } else {
            BTreeSet::from([module])
        };
        let cfg = super::gates::cfg_any(features);
        if module == SHARED_MODULE {
            root.doc("Types that several features (not all) use, each compiled with them.");
        } else {
            line!(root, "/// Types that only feature `{module}` uses.");
        }
        for item in [
            format!("mod {module};"),
            format!("pub use self::{module}::*;"),
        ] {
            root.line(&cfg);
            root.line(&item);
        }
        root.blank();
        let mut code = Code::new();
        for def in defs {
            // In a feature's module the `mod` line carries the `cfg`.
            match (module == SHARED_MODULE)
                .then(|| gates.cfg(&def.name))
                .flatten()
            {
                Some(cfg) => {
                    let mut items = Code::new();
                    type_def_text(api, scope, def, &mut items);
                    code.items_behind(&cfg, &items.finish());
                }
                None => type_def_text(api, scope, def, &mut code),
            }
        }
        files.push((
            format!("models/{module}.rs"),
            super::space_items(&code.finish()),
        ));
    }
    for def in modules.get(&None).into_iter().flatten() {
        type_def_text(api, scope, def, &mut root);
    }
    files.insert(
        0,
        (
            "models/mod.rs".to_owned(),
            super::space_items(&root.finish()),
        ),
    );
    files
}

/// One named type (also used by `params` for the types it owns).
pub(super) fn type_def_text(api: &Api, scope: &Scope, def: &TypeDef, code: &mut Code) {
    match &def.kind {
        TypeKind::Struct(s) => struct_def(scope, def, s, code),
        TypeKind::Enum(e) => enum_def(def, e, code),
        TypeKind::Union(u) => union_def(api, scope, def, u, code),
        TypeKind::Tagged(t) => tagged_def(scope, def, t, code),
        TypeKind::Alias(ty) => {
            code.docs(def.docs.as_deref());
            line!(code, "pub type {} = {};", def.name, type_text_in(ty, scope));
        }
    }
}

fn struct_def(scope: &Scope, def: &TypeDef, s: &Struct, code: &mut Code) {
    let name = &def.name;
    code.docs(def.docs.as_deref());
    code.line("#[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]");
    if scope.in_params(name) {
        // A params type is built with `new` and setters, so it may gain
        // optional fields without breaking anyone.
        code.line("#[non_exhaustive]");
    }
    code.open_fmt(format_args!("pub struct {name}"));
    for field in &s.fields {
        struct_field(scope, field, code);
    }
    if let Some(ty) = &s.additional {
        code.doc("Properties beyond the named ones.");
        code.line("#[serde(flatten)]");
        line!(
            code,
            "pub {}: ::std::collections::BTreeMap<::std::string::String, {}>,",
            free_name(s, "extra"),
            type_text_in(ty, scope)
        );
    }
    for flat in &s.flattened {
        code.docs(flat.docs.as_deref());
        code.line("#[serde(flatten)]");
        line!(
            code,
            "pub {}: {},",
            flat.rust,
            type_text_in(&flat.ty, scope)
        );
    }
    code.close();
    if let Some(id) = id_field(s) {
        code.open_fmt(format_args!("impl crate::runtime::Object for {name}"));
        code.open("fn id(&self) -> &str");
        line!(code, "&self.{}", id.rust);
        code.close();
        code.close();
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

fn struct_field(scope: &Scope, field: &Field, code: &mut Code) {
    code.docs(field.docs.as_deref());
    let mut notes = Vec::new();
    if let Some(default) = &field.default {
        notes.push(format!("Default: `{default}`."));
    }
    if field.read_only {
        notes.push("Read-only: sent in responses, left out of requests.".to_owned());
    }
    if field.write_only {
        notes.push("Write-only: sent in requests, left out of responses.".to_owned());
    }
    if !notes.is_empty() {
        if field.docs.as_deref().is_some_and(|d| !d.trim().is_empty()) {
            code.doc("");
        }
        code.doc(&notes.join(" "));
    }
    if field.deprecated {
        code.line("#[deprecated]");
    }
    let mut serde_args = Vec::new();
    if field.rust != field.wire {
        serde_args.push(format!("rename = {}", string_literal(&field.wire)));
    }
    match Presence::of(field) {
        Presence::Always | Presence::RequiredNullable => {}
        // A clearable's `null` is "clear", not absence.
        Presence::Optional if matches!(field.ty, TypeRef::Clearable(_)) => serde_args.push(
            "default, deserialize_with = \"crate::runtime::present\", skip_serializing_if = \"::std::option::Option::is_none\"".to_owned(),
        ),
        Presence::Optional => serde_args
            .push("default, skip_serializing_if = \"::std::option::Option::is_none\"".to_owned()),
        Presence::OptionalNullable => serde_args.push(
            "default, skip_serializing_if = \"crate::runtime::Nullable::is_absent\"".to_owned(),
        ),
    }
    if !serde_args.is_empty() {
        line!(code, "#[serde({})]", serde_args.join(", "));
    }
    line!(
        code,
        "pub {}: {},",
        field.rust,
        field_type_text_in(field, scope)
    );
}

fn enum_def(def: &TypeDef, e: &Enum, code: &mut Code) {
    let name = &def.name;
    // A single-value enum (`object: "coupon"`) has an obvious default.
    let single = e.variants.len() == 1;
    code.docs(def.docs.as_deref());
    code.line(if single {
        "#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]"
    } else {
        "#[derive(Clone, Debug, PartialEq, Eq, Hash)]"
    });
    code.open_fmt(format_args!("pub enum {name}"));
    for v in &e.variants {
        line!(code, "/// `{}`", v.wire);
        if single {
            code.line("#[default]");
        }
        line!(code, "{},", v.rust);
    }
    code.doc("A value this version of the spec does not list; kept as it was sent.");
    code.line("Unknown(::std::string::String),");
    code.close();

    code.open_fmt(format_args!("impl {name}"));
    code.doc("The value as it is sent on the wire.");
    code.open("pub fn as_str(&self) -> &str");
    code.open("match self");
    for v in &e.variants {
        line!(code, "Self::{} => {},", v.rust, string_literal(&v.wire));
    }
    code.line("Self::Unknown(value) => value,");
    code.close();
    code.close();
    code.close();

    code.open_fmt(format_args!("impl ::std::convert::From<&str> for {name}"));
    code.open("fn from(value: &str) -> Self");
    code.open("match value");
    for v in &e.variants {
        line!(code, "{} => Self::{},", string_literal(&v.wire), v.rust);
    }
    code.line("other => Self::Unknown(other.to_owned()),");
    code.close();
    code.close();
    code.close();

    code.open_fmt(format_args!("impl ::std::fmt::Display for {name}"));
    code.open("fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result");
    code.line("f.write_str(self.as_str())");
    code.close();
    code.close();

    code.open_fmt(format_args!("impl ::serde::Serialize for {name}"));
    code.line("fn serialize<S: ::serde::Serializer>(");
    code.line("    &self,");
    code.line("    serializer: S,");
    code.open(") -> ::std::result::Result<S::Ok, S::Error>");
    if e.value == EnumValue::String {
        code.line("serializer.serialize_str(self.as_str())");
    } else {
        code.line("crate::runtime::serialize_enum_text(self.as_str(), serializer)");
    }
    code.close();
    code.close();

    code.open_fmt(format_args!(
        "impl<'de> ::serde::Deserialize<'de> for {name}"
    ));
    code.line("fn deserialize<D: ::serde::Deserializer<'de>>(");
    code.line("    deserializer: D,");
    code.open(") -> ::std::result::Result<Self, D::Error>");
    match e.value {
        EnumValue::String => {
            code.line("let value = <::std::string::String as ::serde::Deserialize>::deserialize(");
            code.line("    deserializer,");
            code.line(")?;");
        }
        kind => {
            let expected = match kind {
                EnumValue::Integer => "integer",
                EnumValue::Number => "number",
                _ => "boolean",
            };
            line!(
                code,
                "let value = crate::runtime::deserialize_enum_text(deserializer, {})?;",
                string_literal(expected)
            );
        }
    }
    code.line("::std::result::Result::Ok(Self::from(value.as_str()))");
    code.close();
    code.close();
}

/// A discriminated union: `Deserialize` reads the tag and hands the whole
/// object (tag included) to the variant it selects; `Serialize` writes the
/// variant, adding the tag if its type does not carry it.
fn tagged_def(scope: &Scope, def: &TypeDef, t: &Tagged, code: &mut Code) {
    let name = &def.name;
    let property = string_literal(&t.property);
    code.docs(def.docs.as_deref());
    if def.docs.is_some() {
        code.doc("");
    }
    line!(code, "/// Told apart by the value of `{}`.", t.property);
    code.line("#[derive(Clone, Debug, PartialEq)]");
    code.open_fmt(format_args!("pub enum {name}"));
    for v in &t.variants {
        let tags: Vec<String> = v.tags.iter().map(|t| format!("`{t}`")).collect();
        line!(code, "/// {}", tags.join(", "));
        let ty = type_text_in(&v.ty, scope);
        if v.boxed {
            line!(code, "{}(::std::boxed::Box<{ty}>),", v.rust);
        } else {
            line!(code, "{}({ty}),", v.rust);
        }
    }
    code.doc("A tag this version of the spec does not list; the object as it was sent.");
    code.line("Unknown(::serde_json::Value),");
    code.close();

    code.open_fmt(format_args!("impl ::serde::Serialize for {name}"));
    code.line("fn serialize<S: ::serde::Serializer>(");
    code.line("    &self,");
    code.line("    serializer: S,");
    code.open(") -> ::std::result::Result<S::Ok, S::Error>");
    code.open("match self");
    for v in &t.variants {
        let tag = v.tags.first().map(String::as_str).unwrap_or_default();
        line!(
            code,
            "Self::{}(inner) => crate::runtime::serialize_tagged(inner, {property}, {}, serializer),",
            v.rust,
            string_literal(tag)
        );
    }
    code.line("Self::Unknown(value) => ::serde::Serialize::serialize(value, serializer),");
    code.close();
    code.close();
    code.close();

    code.open_fmt(format_args!(
        "impl<'de> ::serde::Deserialize<'de> for {name}"
    ));
    code.line("fn deserialize<D: ::serde::Deserializer<'de>>(");
    code.line("    deserializer: D,");
    code.open(") -> ::std::result::Result<Self, D::Error>");
    code.line(
        "let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;",
    );
    line!(
        code,
        "let tag = crate::runtime::tag_of(&value, {property});"
    );
    code.open("match tag.as_deref()");
    for v in &t.variants {
        let tags: Vec<String> = v
            .tags
            .iter()
            .map(|t| format!("::std::option::Option::Some({})", string_literal(t)))
            .collect();
        let read = if v.boxed {
            "crate::runtime::variant_of(value)".to_owned()
        } else {
            "crate::runtime::variant_of(value).map(|inner| *inner)".to_owned()
        };
        line!(
            code,
            "{} => {read}.map(Self::{}),",
            tags.join(" | "),
            v.rust
        );
    }
    code.line("_ => ::std::result::Result::Ok(Self::Unknown(value)),");
    code.close();
    code.close();
    code.close();
}

fn union_def(api: &Api, scope: &Scope, def: &TypeDef, u: &Union, code: &mut Code) {
    let name = &def.name;
    code.docs(def.docs.as_deref());
    code.line("#[derive(Clone, Debug, PartialEq, ::serde::Serialize, ::serde::Deserialize)]");
    code.line("#[serde(untagged)]");
    code.open_fmt(format_args!("pub enum {name}"));
    for v in &u.variants {
        let ty = type_text_in(&v.ty, scope);
        if v.boxed {
            line!(code, "{}(::std::boxed::Box<{ty}>),", v.rust);
        } else {
            line!(code, "{}({ty}),", v.rust);
        }
    }
    code.close();
    // A union of objects that all have ids has an id too.
    let all_objects = u.variants.iter().all(|v| match &v.ty {
        TypeRef::Named(n) => has_id(api, n),
        _ => false,
    });
    if all_objects {
        code.open_fmt(format_args!("impl crate::runtime::Object for {name}"));
        code.open("fn id(&self) -> &str");
        code.open("match self");
        for v in &u.variants {
            line!(
                code,
                "Self::{}(inner) => crate::runtime::Object::id(&**inner),",
                v.rust
            );
        }
        code.close();
        code.close();
        code.close();
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
