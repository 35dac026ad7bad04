//! Which cargo features need each named type, so that a user who enables
//! only `promotion_codes` compiles only the types promotion codes reach.
//!
//! A feature's operations reach types through their parameters, bodies,
//! responses and error responses, and through every field of those types in
//! turn (the closure: a type is only compiled with what it refers to). A type
//! reached by every feature, or by none (a model no operation uses), or from
//! the error type `errors.rs` is built on, is always compiled; any other type
//! is compiled with the features that reach it and carries their `cfg`. By
//! construction a type's features include those of every type that refers to
//! it, and what an always-compiled type refers to is always compiled, so
//! turning on any set of features always compiles.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Api, TypeRef};

/// The cargo feature of the `Webhooks` trait and the types only webhook
/// payloads reach, when the spec has webhooks: `webhooks`, or
/// `receive_webhooks` when a resource already has that name.
pub fn webhook_feature(api: &Api) -> Option<&'static str> {
    if api.webhooks.is_empty() {
        None
    } else if api.operations.iter().any(|op| op.feature == "webhooks") {
        Some("receive_webhooks")
    } else {
        Some("webhooks")
    }
}

/// The features that gate each named type (absent: always compiled).
#[derive(Clone, Debug, Default)]
pub struct Gates {
    features: BTreeMap<String, BTreeSet<String>>,
}

impl Gates {
    pub fn new(api: &Api) -> Self {
        let mut roots: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for op in &api.operations {
            let uses = op
                .path_params
                .iter()
                .chain(&op.query_params)
                .chain(&op.header_params)
                .chain(&op.cookie_params)
                .chain(op.body.iter().flat_map(|b| &b.fields))
                .map(|f| &f.ty)
                .chain(&op.response)
                .chain(&op.error);
            roots
                .entry(op.feature.as_str())
                .or_default()
                .extend(uses.flat_map(TypeRef::named));
        }
        // Webhook payloads are compiled with the webhooks feature.
        if let Some(feature) = webhook_feature(api) {
            roots.entry(feature).or_default().extend(
                api.webhooks
                    .iter()
                    .filter_map(|h| h.payload.as_ref())
                    .flat_map(TypeRef::named),
            );
        }
        let always = match super::errors::common_error(api) {
            Some(error) => closure(api, error.named(), &BTreeSet::new()),
            None => BTreeSet::new(),
        };
        let mut features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (feature, roots) in &roots {
            // What the error type reaches is always compiled: no need to walk it.
            for name in closure(api, roots.clone(), &always) {
                features
                    .entry(name.to_owned())
                    .or_default()
                    .insert((*feature).to_owned());
            }
        }
        features.retain(|_, needed_by| needed_by.len() < roots.len());
        // A type no feature reaches is always compiled, and so is everything
        // it refers to (a component given as a request body is lowered to
        // its properties, so nothing reaches it, but its fields' types are).
        let unreached: Vec<&str> = api
            .types
            .keys()
            .map(String::as_str)
            .filter(|name| !features.contains_key(*name))
            .collect();
        for name in closure(api, unreached, &BTreeSet::new()) {
            features.remove(name);
        }
        Gates { features }
    }

    /// The features that compile the type, or `None` when it is always compiled.
    pub fn of(&self, name: &str) -> Option<&BTreeSet<String>> {
        self.features.get(name)
    }

    /// The `#[cfg(...)]` attribute of the type, or `None` when it is always compiled.
    pub fn cfg(&self, name: &str) -> Option<String> {
        self.of(name).map(cfg_any)
    }
}

/// `#[cfg(feature = "a")]`, or `#[cfg(any(feature = "a", feature = "b"))]`.
pub fn cfg_any<'a>(features: impl IntoIterator<Item = &'a String>) -> String {
    let features: Vec<String> = features
        .into_iter()
        .map(|f| format!("feature = {f:?}"))
        .collect();
    match features.as_slice() {
        [one] => format!("#[cfg({one})]"),
        many => format!("#[cfg(any({}))]", many.join(", ")),
    }
}

/// The named types reachable from `roots`, roots included, without walking
/// into `known` (a set closed under reachability, so nothing is missed).
fn closure<'a>(
    api: &'a Api,
    mut pending: Vec<&'a str>,
    known: &BTreeSet<&str>,
) -> BTreeSet<&'a str> {
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        let Some((name, def)) = api.types.get_key_value(name) else {
            continue;
        };
        if known.contains(name.as_str()) || !seen.insert(name.as_str()) {
            continue;
        }
        pending.extend(def.kind.named_uses());
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gates() -> Gates {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/promotion_codes.yaml");
        let spec = crate::load::load_file(path.as_ref(), "promotion_codes.yaml").unwrap();
        Gates::new(&crate::lower::lower(&spec).unwrap())
    }

    #[test]
    fn types_are_gated_by_the_features_that_reach_them() {
        let gates = gates();
        // Only promotion codes reach a promotion code …
        assert_eq!(
            gates.cfg("PromotionCode").as_deref(),
            Some("#[cfg(feature = \"promotion_codes\")]")
        );
        // … both resources reach a coupon, and the error type is always there.
        assert_eq!(gates.of("Coupon"), None);
        assert_eq!(gates.of("Error"), None);
        assert_eq!(gates.of("ApiErrors"), None);
    }

    #[test]
    fn several_features_are_any_of_them() {
        let features = ["a".to_owned(), "b".to_owned()];
        assert_eq!(
            cfg_any(&features),
            "#[cfg(any(feature = \"a\", feature = \"b\"))]"
        );
    }
}
