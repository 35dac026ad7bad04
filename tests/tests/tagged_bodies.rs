//! Discriminated unions in request bodies. The crate generated from
//! `fixtures/params/tagged_body.yaml` (a union with a mapping as a property
//! of a JSON body and of a form body, and as a whole JSON body) must pass
//! clippy with warnings denied every feature way, and the tests of
//! `tests/in_generated/tagged_body.rs` must pass inside it (the round trips
//! through `to_body`/`from_wire`, the tag added when the variant does not
//! carry it, unknown and missing tags as validation errors).

use apigen_tests::{add_test, compile, fixture, generate, root, run_tests};

#[test]
fn tagged_unions_work_in_request_bodies_of_a_generated_crate() {
    let package = "fixture-tagged-body";
    let mut output = generate(&fixture("params/tagged_body.yaml"), package);
    let source = std::fs::read_to_string(root().join("tests/in_generated/tagged_body.rs"))
        .expect("tests/in_generated/tagged_body.rs");
    add_test(&mut output, "tagged_body", &source, "");
    compile(&output, package);
    // Every test of the file ran (none was compiled away) and passed.
    let expected = source.matches("#[test]").count();
    assert!(expected >= 7, "{expected}");
    assert_eq!(run_tests(package), expected);
}
