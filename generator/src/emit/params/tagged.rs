//! The params impls of a discriminated union (`ir::Tagged`) that parameters
//! or request bodies reach: `FormEncode` (the held variant's pairs, plus
//! `key[property]=tag` when the variant's type does not carry the tag),
//! `FormDecode` and `JsonDecode` (read the tag, hand the object to the
//! variant whose `tags` list it, without the tag entry when its type does
//! not carry the property; a tag no variant lists is an `enum` error naming
//! `param[property]`), `Validate` (the held variant's checks; `Unknown`, a
//! tag this spec does not list, is that same error) and `Arbitrary` (one of
//! the variants, with a tag that selects it). JSON bodies are written through
//! the models' `Serialize`, which adds the tag the same way.

use super::arbitrary::{arbitrary_impl, strategy};
use crate::emit::text::{Code, line, string_literal};
use crate::emit::types::Scope;
use crate::ir::{Api, Tagged, TaggedVariant, TypeDef, TypeKind, TypeRef};

/// Every impl of a tagged union that parameters reach, but `JsonDecode`.
pub(super) fn nested_tagged(code: &mut Code, api: &Api, scope: &Scope, def: &TypeDef, t: &Tagged) {
    let name = scope.path_text(&def.name);
    let property = string_literal(&t.property);
    encode_impl(code, &name, &property, t);
    decode_impl(code, api, &name, &property, t, &FORM);
    validate_impl(code, &name, &property, t);
    arbitrary(code, api, scope, &name, &property, t);
}

/// `JsonDecode` of a tagged union that the bodies of JSON operations reach.
pub(super) fn json_tagged(code: &mut Code, api: &Api, scope: &Scope, def: &TypeDef, t: &Tagged) {
    let name = scope.path_text(&def.name);
    let property = string_literal(&t.property);
    decode_impl(code, api, &name, &property, t, &JSON);
}

/// Whether the variant's type has the tag property among its own fields
/// (it then writes and reads the tag itself).
fn carries_tag(api: &Api, ty: &TypeRef, property: &str) -> bool {
    let TypeRef::Named(name) = api.resolve_alias(ty) else {
        return false;
    };
    match api.types.get(name).map(|d| &d.kind) {
        Some(TypeKind::Struct(s)) => s.fields.iter().any(|f| f.wire == property),
        _ => false,
    }
}

/// The tag that encoding writes for a variant (its first).
fn first_tag(v: &TaggedVariant) -> String {
    string_literal(v.tags.first().map(String::as_str).unwrap_or_default())
}

/// Every tag of every variant, as the elements of a `&[..]` literal.
fn all_tags(t: &Tagged) -> String {
    let tags: Vec<String> = t
        .variants
        .iter()
        .flat_map(|v| &v.tags)
        .map(|tag| string_literal(tag))
        .collect();
    tags.join(", ")
}

/// A `match` pattern for the tags of a variant (`"a" | "b"`).
fn tag_pattern(v: &TaggedVariant) -> String {
    let tags: Vec<String> = v.tags.iter().map(|tag| string_literal(tag)).collect();
    tags.join(" | ")
}

fn encode_impl(code: &mut Code, name: &str, property: &str, t: &Tagged) {
    code.open_fmt(format_args!("impl crate::form::FormEncode for {name}"));
    code.open("fn encode_form(&self, key: &str, out: &mut crate::form::FormWriter)");
    code.open("match self");
    for v in &t.variants {
        line!(
            code,
            "Self::{}(inner) => crate::form::encode_tagged(inner, key, {property}, {}, out),",
            v.rust,
            first_tag(v)
        );
    }
    code.line("Self::Unknown(value) => crate::form::FormEncode::encode_form(value, key, out),");
    code.close();
    code.close();
    code.close();
}

/// The parts of a decoder that differ between forms and JSON.
struct Wire {
    trait_path: &'static str,
    method: &'static str,
    input: &'static str,
    /// The runtime module with `tag` and `untagged`.
    module: &'static str,
    /// How the tag read from the input is matched (`tag` or `tag.as_str()`).
    scrutinee: &'static str,
}

const FORM: Wire = Wire {
    trait_path: "crate::form::FormDecode",
    method: "decode_form",
    input: "node: &crate::form::FormNode",
    module: "crate::form",
    scrutinee: "tag",
};

const JSON: Wire = Wire {
    trait_path: "crate::json::JsonDecode",
    method: "decode_json",
    input: "value: &::serde_json::Value",
    module: "crate::json",
    scrutinee: "tag.as_str()",
};

fn decode_impl(code: &mut Code, api: &Api, name: &str, property: &str, t: &Tagged, wire: &Wire) {
    let Wire {
        trait_path,
        method,
        input,
        module,
        scrutinee,
    } = wire;
    let arg = input.split(':').next().unwrap_or_default();
    code.open_fmt(format_args!("impl {trait_path} for {name}"));
    code.open_fmt(format_args!(
        "fn {method}({input}, path: &str) -> ::std::result::Result<Self, crate::form::ValidationError>"
    ));
    line!(code, "let tag = {module}::tag({arg}, {property}, path)?;");
    code.open_fmt(format_args!("match {scrutinee}"));
    for v in &t.variants {
        let from = if carries_tag(api, &v.ty, &t.property) {
            arg.to_owned()
        } else {
            format!("&{module}::untagged({arg}, {property})")
        };
        line!(
            code,
            "{} => {trait_path}::{method}({from}, path).map(Self::{}),",
            tag_pattern(v),
            v.rust
        );
    }
    line!(
        code,
        "_ => ::std::result::Result::Err(crate::form::unknown_tag({property}, &[{}], path)),",
        all_tags(t)
    );
    code.close();
    code.close();
    code.close();
}

fn validate_impl(code: &mut Code, name: &str, property: &str, t: &Tagged) {
    code.open_fmt(format_args!("impl crate::form::Validate for {name}"));
    code.open("fn validate_at(&self, path: &str) -> ::std::result::Result<(), crate::form::ValidationError>");
    code.open("match self");
    for v in &t.variants {
        line!(
            code,
            "Self::{}(inner) => crate::form::Validate::validate_at(inner, path),",
            v.rust
        );
    }
    line!(
        code,
        "Self::Unknown(_) => ::std::result::Result::Err(crate::form::unknown_tag({property}, &[{}], path)),",
        all_tags(t)
    );
    code.close();
    code.close();
    code.close();
}

/// One of the variants; a variant whose type carries the tag with its first
/// tag set, so that the value decodes as the same variant.
fn arbitrary(code: &mut Code, api: &Api, scope: &Scope, name: &str, property: &str, t: &Tagged) {
    arbitrary_impl(code, name, &[], |code| {
        code.line("::proptest::strategy::Strategy::boxed(::proptest::prop_oneof![");
        code.indent_in();
        for (i, v) in t.variants.iter().enumerate() {
            let mut s = strategy(api, scope, &v.ty);
            if v.boxed {
                s = format!("crate::form::arbitrary::boxed({s})");
            }
            if carries_tag(api, &v.ty, &t.property) {
                s = format!(
                    "crate::form::arbitrary::tagged({s}, {property}, {})",
                    first_tag(v)
                );
            }
            let comma = if i + 1 < t.variants.len() { "," } else { "" };
            line!(
                code,
                "::proptest::strategy::Strategy::prop_map({s}, Self::{}){comma}",
                v.rust
            );
        }
        code.indent_out();
        code.line("])");
    });
}
