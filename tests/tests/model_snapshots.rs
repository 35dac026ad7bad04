//! Snapshot tests of the generator's output for the small fixture specs in
//! `tests/fixtures/models/`, one per construct (open enums, nullable vs
//! optional, expandable references, maps, nested inline objects, names that
//! collide or are keywords, recursive types). Snapshots live in `tests/snapshots/`.

use apigen_tests::{fixture, generate};

fn snapshot(name: &str) {
    let output = generate(&fixture(&format!("models/{name}.yaml")), name);
    let models = &output.files["src/models/mod.rs"];
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(format!("models_{name}"), models);
    });
}

#[test]
fn open_enums() {
    snapshot("open_enums");
}

#[test]
fn nullable_optional() {
    snapshot("nullable_optional");
}

#[test]
fn expandable() {
    snapshot("expandable");
}

#[test]
fn maps() {
    snapshot("maps");
}

#[test]
fn nested_inline() {
    snapshot("nested_inline");
}

#[test]
fn names() {
    snapshot("names");
}

#[test]
fn output_is_identical_on_every_run() {
    let spec = apigen_tests::root().join(apigen::project::SPEC);
    let first = generate(&spec, "a");
    for _ in 0..3 {
        assert_eq!(generate(&spec, "a"), first);
    }
}
