//! Sample JSON through the models generated from the schema fixtures
//! (allOf merging and hierarchies, allOf of unions and primitives, unions, nullable everywhere, typed enums,
//! aliases and read-only fields): each fixture's crate is generated, gets
//! `tests/in_generated/schemas.rs` (the helpers) plus the fixture's own
//! `schemas_<fixture>.rs` as an integration test, passes clippy with
//! warnings denied, and runs it.

use apigen_tests::{add_test, compile, fixture, generate, root, run_tests};

fn round_trips(name: &str) {
    let package = format!("schemas-{}", name.replace('_', "-"));
    let krate = package.replace('-', "_");
    let mut output = generate(&fixture(&format!("models/{name}.yaml")), &package);
    let read = |file: &str| {
        std::fs::read_to_string(root().join("tests/in_generated").join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
    };
    let helpers = read("schemas.rs");
    let tests = read(&format!("schemas_{name}.rs"));
    let (docs, body) = helpers.split_at(helpers.find("\nuse ").expect("a use line") + 1);
    let source = format!(
        "{docs}#![allow(unused_imports)]\n\nuse {krate}::models::*;\nuse {krate}::runtime::Nullable;\n{body}{tests}"
    );
    add_test(&mut output, "schemas", &source, "");
    compile(&output, &package);
    let expected = tests.matches("#[test]").count();
    assert!(expected > 0);
    assert_eq!(run_tests(&package), expected);
}

#[test]
fn allof_mixed() {
    round_trips("allof_mixed");
}

#[test]
fn compose() {
    round_trips("compose");
}

#[test]
fn unions() {
    round_trips("unions");
}

#[test]
fn nullable_everywhere() {
    round_trips("nullable_everywhere");
}

#[test]
fn typed_enums() {
    round_trips("typed_enums");
}
