//! Rust names: how spec names become identifiers, and how collisions are
//! resolved. Collisions get a numeric suffix in first-come order; lowering
//! visits the spec in a fixed order, so the same spec always gets the same names.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Words that cannot be identifiers in Rust 2024 (strict and reserved keywords).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Keeps ASCII letters, digits and separators; anything else separates words.
fn ascii_words(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// `promotion_codes_resource_promotion` -> `PromotionCodesResourcePromotion`.
pub fn type_name(raw: &str) -> String {
    let mut name = ascii_words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = "Unnamed".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

/// `minimum_amount` -> `minimum_amount`, `type` -> `type_`, `3d` -> `n3d`.
pub fn field_name(raw: &str) -> String {
    let mut name = ascii_words(raw).to_snake_case();
    if name.is_empty() {
        name = "field".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

/// An enum value as a variant: `repeating` -> `Repeating`, `""` -> `Empty`.
pub fn variant_name(raw: &str) -> String {
    if raw.is_empty() {
        return "Empty".to_owned();
    }
    let mut name = ascii_words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = "Value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

/// Hands out unique names within one scope (the crate's types, one struct's
/// fields, one enum's variants …).
#[derive(Debug, Default, Clone)]
pub struct Namer {
    taken: BTreeSet<String>,
}

impl Namer {
    /// A namer in which `reserved` are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Namer {
            taken: reserved.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// `want` if it is free, else `want2`, `want3`, … (`want_2` for snake_case
    /// names, so that `foo` and `foo_2` read as related).
    pub fn claim(&mut self, want: &str) -> String {
        if self.taken.insert(want.to_owned()) {
            return want.to_owned();
        }
        let snake = want
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
        (2..)
            .map(|n| {
                if snake && !want.ends_with('_') {
                    format!("{want}_{n}")
                } else if snake {
                    // `type_` -> `type_2`, never a double underscore.
                    format!("{want}{n}")
                } else {
                    format!("{want}{n}")
                }
            })
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }

    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_rust_conventions() {
        assert_eq!(
            type_name("promotion_codes_resource_promotion"),
            "PromotionCodesResourcePromotion"
        );
        assert_eq!(type_name("issuing.card"), "IssuingCard");
        assert_eq!(type_name("3d_secure"), "T3dSecure");
        assert_eq!(type_name("self"), "Self_");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("minimumAmount"), "minimum_amount");
        assert_eq!(field_name("3d"), "n3d");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("card_error"), "CardError");
        assert_eq!(variant_name("2fa"), "V2fa");
    }

    #[test]
    fn collisions_get_stable_suffixes() {
        let mut types = Namer::default();
        assert_eq!(types.claim("Coupon"), "Coupon");
        assert_eq!(types.claim("Coupon"), "Coupon2");
        let mut fields = Namer::default();
        assert_eq!(fields.claim("foo_bar"), "foo_bar");
        assert_eq!(fields.claim("foo_bar"), "foo_bar_2");
        assert_eq!(fields.claim("type_"), "type_");
        assert_eq!(fields.claim("type_"), "type_2");
    }

    #[test]
    fn names_from_other_generators_are_readable() {
        assert_eq!(type_name("io.k8s.api.core.v1.Pod"), "IoK8sApiCoreV1Pod");
        assert_eq!(type_name("Page«Foo»"), "PageFoo");
        assert_eq!(type_name("Page<Foo>"), "PageFoo");
        assert_eq!(type_name("2fa-settings"), "T2faSettings");
        assert_eq!(field_name("@type"), "type_");
        assert_eq!(field_name("api-version"), "api_version");
    }
}
