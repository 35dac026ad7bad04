//! Operations with `application/json` request bodies send and read JSON. The
//! crate generated from `fixtures/params/json_body.yaml` must pass clippy
//! with warnings denied every feature way, and the tests of
//! `tests/in_generated/json_body.rs` must pass inside it (the JSON
//! `to_body`/`from_wire` round trip, the errors, the generated server and
//! client speaking JSON). A spec without JSON bodies gets no JSON code, and a
//! form operation beside a JSON one stays a form.

use apigen_tests::{add_test, compile, fixture, generate, root, run_tests};

/// What the tests inside the generated crate need beyond its own dependencies.
const DEV_DEPENDENCIES: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "time"] }
"#;

#[test]
fn json_bodies_work_end_to_end_in_a_generated_crate() {
    let package = "fixture-json-body";
    let mut output = generate(&fixture("params/json_body.yaml"), package);
    let source = std::fs::read_to_string(root().join("tests/in_generated/json_body.rs"))
        .expect("tests/in_generated/json_body.rs");
    add_test(&mut output, "json_body", &source, DEV_DEPENDENCIES);
    compile(&output, package);
    // Every test of the file ran (none was compiled away) and passed.
    let expected = source.matches("#[test]").count() + source.matches("#[tokio::test]").count();
    assert!(expected >= 15, "{expected}");
    assert_eq!(run_tests(package), expected);
}

/// The params source of a generated crate, all modules.
fn params_text(output: &apigen::Output) -> String {
    output
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("src/params/"))
        .map(|(_, text)| text.as_str())
        .collect()
}

#[test]
fn only_json_operations_read_and_write_json() {
    let promo = apigen::generate(
        &root().join("spec/promotion_codes.yaml"),
        "spec/promotion_codes.yaml",
        &apigen::Options {
            package: "promo-api".to_owned(),
            standalone: false,
        },
    )
    .expect("the spec generates");
    let params = params_text(&promo);
    assert!(
        !params.contains("crate::json::"),
        "a form-only spec uses no JSON code"
    );
    assert!(params.contains("crate::form::parse(body)"));

    // One form and one JSON operation side by side.
    let edge = generate(&fixture("params/edge_cases.yaml"), "edge-cases");
    let params = params_text(&edge);
    let section = |name: &str| {
        let start = params
            .find(&format!("\nimpl {name} {{\n    /// Checks every rule"))
            .unwrap_or_else(|| panic!("{name}'s methods"));
        let end = params[start..].find("\n}\n").expect("the impl ends") + start;
        params[start..end].to_owned()
    };
    let form = section("CreateWidget");
    assert!(form.contains("crate::form::parse(body)"), "{form}");
    assert!(!form.contains("crate::json::"), "{form}");
    let json = section("PostWidgetsWidgetPolish");
    assert!(json.contains("crate::json::parse(body)"), "{json}");
    assert!(json.contains("crate::json::JsonWriter::new()"), "{json}");
    assert!(!json.contains("crate::form::parse(body)"), "{json}");
}
