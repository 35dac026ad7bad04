//! OpenAPI 3.1 webhooks: `fixtures/v31/webhooks.yaml` (no `paths`, three
//! webhooks) lowers to three `ir::Webhook`s with typed payloads, and its
//! crate passes clippy with every feature set; the tests of
//! `tests/in_generated/webhooks.rs` run inside it (the router receiving
//! typed payloads).

use apigen::ir::TypeRef;
use apigen_tests::{add_test, compile, fixture, generate, root, run_tests};

#[test]
fn webhooks_lower_with_typed_payloads() {
    let spec = apigen::load::load_file(&fixture("v31/webhooks.yaml"), "webhooks.yaml").unwrap();
    let api = apigen::lower::lower(&spec).unwrap();
    let hooks: Vec<(&str, &str, Option<&TypeRef>, bool)> = api
        .webhooks
        .iter()
        .map(|h| {
            (
                h.name.as_str(),
                h.rust.as_str(),
                h.payload.as_ref(),
                h.required,
            )
        })
        .collect();
    let named = |n: &str| TypeRef::Named(n.to_owned());
    assert_eq!(
        hooks,
        [
            (
                "invoice.paid",
                "invoice_paid",
                Some(&named("InvoicePaidWebhook")),
                true
            ),
            (
                "customer.deleted",
                "customer_deleted",
                Some(&named("Customer")),
                false
            ),
            ("ping", "ping", None, false),
        ]
    );
    assert!(api.operations.is_empty());
}

#[test]
fn webhooks_are_received_by_the_generated_router() {
    let package = "fixture-v31-webhooks";
    let mut output = generate(&fixture("v31/webhooks.yaml"), package);
    assert!(output.files["Cargo.toml"].contains("full = [\"webhooks\"]"));
    assert!(output.files["src/lib.rs"].contains("#[cfg(feature = \"webhooks\")]"));
    let source = std::fs::read_to_string(root().join("tests/in_generated/webhooks.rs"))
        .expect("tests/in_generated/webhooks.rs");
    add_test(
        &mut output,
        "webhooks",
        &source,
        "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"io-util\"] }\naxum = { version = \"0.8\", default-features = false, features = [\"http1\", \"tokio\"] }\n",
    );
    compile(&output, package);
    assert_eq!(run_tests(package), 2);
}
