//! Snapshot tests of the generator's output for the small fixture specs in
//! `tests/fixtures/models/`, one per construct (open enums, nullable vs
//! optional, expandable references, maps, nested inline objects, names that
//! collide or are keywords, recursive types; allOf merging and hierarchies,
//! unions, nullable everywhere, typed enums and aliases, names from other
//! generators, types gated by several features). Snapshots live in
//! `tests/snapshots/`.

use apigen_tests::{fixture, generate};

fn snapshot(name: &str) {
    snapshot_file(name, "src/models/mod.rs");
}

fn snapshot_file(name: &str, file: &str) {
    let output = generate(&fixture(&format!("models/{name}.yaml")), name);
    let models = &output.files[file];
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
fn compose() {
    snapshot("compose");
}

#[test]
fn unions() {
    snapshot("unions");
}

#[test]
fn nullable_everywhere() {
    snapshot("nullable_everywhere");
}

#[test]
fn typed_enums() {
    snapshot("typed_enums");
}

#[test]
fn generated_names() {
    snapshot("generated_names");
}

/// A type two of three features share sits in `shared_types.rs` behind a
/// `cfg`; its doc paragraphs end in `;`, which must not end the item (the
/// `cfg` goes above the docs, never inside them).
#[test]
fn gated_docs() {
    snapshot_file("gated_docs", "src/models/shared_types.rs");
    let output = generate(&fixture("models/gated_docs.yaml"), "gated_docs");
    let shared = &output.files["src/models/shared_types.rs"];
    let lines: Vec<&str> = shared.lines().collect();
    for pair in lines.windows(2) {
        assert!(
            !(pair[0].starts_with("///") && pair[1].starts_with("#[cfg")),
            "a cfg inside a doc comment:\n{}\n{}",
            pair[0],
            pair[1]
        );
        assert!(
            !(pair[0].starts_with("///") && pair[1].is_empty()),
            "a blank line after a doc comment: {}",
            pair[0]
        );
    }
}

#[test]
fn union_params() {
    snapshot("union_params");
}

#[test]
fn output_is_identical_on_every_run() {
    let spec = apigen_tests::root().join(apigen::project::SPEC);
    let first = generate(&spec, "a");
    for _ in 0..3 {
        assert_eq!(generate(&spec, "a"), first);
    }
}

#[test]
fn allof_mixed() {
    snapshot("allof_mixed");
}
