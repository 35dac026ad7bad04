//! Parameters in every location and style. The crate generated from
//! `fixtures/params/styles.yaml` must pass clippy with warnings denied every
//! feature way, and the tests of `tests/in_generated/styles.rs` must pass
//! inside it (the OpenAPI 3.0.3 style examples table both ways, the exact
//! bytes the generated client sends, the generated server reading them back).
//! Here: what lowering makes of parameters (path-item ones merged and
//! overridden, `Accept` left out, typed path parameters, styles with their
//! default `explode`), and the clear error for a value too deep for its style.

use apigen::ir::{ParamStyle, TypeRef};
use apigen_tests::{add_test, compile, fixture, generate, root, run_tests};

const DEV_DEPENDENCIES: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "time", "io-util"] }
"#;

#[test]
fn parameter_styles_work_end_to_end_in_a_generated_crate() {
    let package = "fixture-styles";
    let mut output = generate(&fixture("params/styles.yaml"), package);
    let source = std::fs::read_to_string(root().join("tests/in_generated/styles.rs"))
        .expect("tests/in_generated/styles.rs");
    add_test(&mut output, "styles", &source, DEV_DEPENDENCIES);
    compile(&output, package);
    let expected = source.matches("#[test]").count() + source.matches("#[tokio::test]").count();
    assert!(expected >= 7, "{expected}");
    assert_eq!(run_tests(package), expected);
}

/// Regression: a `$ref` to a primitive component (an alias) used as a path,
/// query or header parameter or as a form or JSON body field compiles (its
/// `validate()` call resolves) with clippy clean every feature way.
#[test]
fn aliases_of_primitives_work_as_parameters_and_body_fields() {
    let package = "fixture-alias-params";
    let output = generate(&fixture("params/alias_params.yaml"), package);
    let params: String = output
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("src/params/"))
        .map(|(_, text)| text.as_str())
        .collect();
    assert!(
        params.contains("crate::form::Validate::validate_at(value, \"owner\")"),
        "the alias is validated through its target"
    );
    compile(&output, package);
}

fn lowered(name: &str) -> apigen::ir::Api {
    let path = fixture(name);
    let spec = apigen::load::load_file(&path, name).unwrap_or_else(|e| panic!("{e}"));
    apigen::lower::lower(&spec).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn parameters_are_merged_typed_and_styled() {
    let api = lowered("params/styles.yaml");
    let op = |id: &str| {
        api.operations
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let get = op("GetPaint");
    // The operation's `paint_id` overrides the path item's; the path item's
    // `verbose` is kept.
    assert_eq!(get.path_params.len(), 1);
    assert_eq!(get.path_params[0].ty, TypeRef::Integer);
    assert_eq!(get.query_params[0].wire, "verbose");
    let headers: Vec<&str> = get.header_params.iter().map(|f| f.wire.as_str()).collect();
    assert_eq!(
        headers,
        ["X-Request-Tag", "X-Shades", "X-Trace-Id"],
        "Accept is left out"
    );
    assert!(get.header_params[0].required);
    let cookies: Vec<(&str, Option<ParamStyle>)> = get
        .cookie_params
        .iter()
        .map(|f| (f.wire.as_str(), f.style))
        .collect();
    assert_eq!(
        cookies,
        [
            ("session", Some(ParamStyle::Form { explode: true })),
            ("prefs", Some(ParamStyle::Form { explode: false })),
        ]
    );

    let find = op("FindPaints");
    let path: Vec<(&str, Option<ParamStyle>)> = find
        .path_params
        .iter()
        .map(|f| (f.wire.as_str(), f.style))
        .collect();
    assert_eq!(
        path,
        [
            ("shade", Some(ParamStyle::Simple { explode: false })),
            ("slot", Some(ParamStyle::Simple { explode: false })),
            ("ids", Some(ParamStyle::Label { explode: false })),
            ("color", Some(ParamStyle::Matrix { explode: true })),
        ]
    );
    assert_eq!(find.path_params[1].ty, TypeRef::Named("Slot".to_owned()));
    let styles: Vec<Option<ParamStyle>> = find.query_params.iter().map(|f| f.style).collect();
    assert_eq!(
        styles,
        [
            Some(ParamStyle::Form { explode: false }),
            Some(ParamStyle::SpaceDelimited { explode: false }),
            Some(ParamStyle::PipeDelimited { explode: false }),
            Some(ParamStyle::Form { explode: true }),
            Some(ParamStyle::Form { explode: true }),
            Some(ParamStyle::DeepObject),
            Some(ParamStyle::Form { explode: true }),
            Some(ParamStyle::Form { explode: true }),
        ]
    );
    assert_eq!(find.allow_reserved, ["redirect"]);
}

#[test]
fn path_parameters_follow_the_template() {
    let spec = |parameters: &str| {
        format!(
            "openapi: 3.0.3
info: {{title: Paths, version: '1'}}
paths:
  /v1/things/{{thing}}:
    get:
      parameters: {parameters}
      responses:
        '200': {{description: ok}}
"
        )
    };
    // A declared path parameter that the template does not hold is left out.
    let extra = spec(
        "[{name: thing, in: path, required: true, schema: {type: string}}, {name: other, in: path, required: true, schema: {type: string}}]",
    );
    let loaded = apigen::load::load_bytes(extra.as_bytes(), "extra.yaml").expect("loads");
    let api = apigen::lower::lower(&loaded).expect("lowers");
    let wires: Vec<&str> = api.operations[0]
        .path_params
        .iter()
        .map(|f| f.wire.as_str())
        .collect();
    assert_eq!(wires, ["thing"]);
    // A placeholder without a parameter is an error.
    let missing = spec("[]");
    let loaded = apigen::load::load_bytes(missing.as_bytes(), "missing.yaml").expect("loads");
    let error = apigen::lower::lower(&loaded)
        .expect_err("undeclared")
        .to_string();
    assert_eq!(
        error,
        "missing.yaml: #/paths/~1v1~1things~1{thing}/get: unsupported: the path template's placeholder '{thing}' has no path parameter"
    );
}

#[test]
fn a_value_too_deep_for_its_style_is_a_clear_error() {
    let spec = br#"openapi: 3.0.3
info: {title: Deep, version: '1'}
paths:
  /v1/things:
    get:
      parameters:
        - name: grid
          in: query
          explode: false
          schema:
            type: array
            items:
              type: array
              items: {type: integer}
      responses:
        '200': {description: ok}
"#;
    let loaded = apigen::load::load_bytes(spec, "deep.yaml").expect("the spec loads");
    let error = apigen::lower::lower(&loaded)
        .expect_err("too deep")
        .to_string();
    assert_eq!(
        error,
        "deep.yaml: #/paths/~1v1~1things/get/parameters/0/schema: unsupported: query parameter 'grid' (style: form, explode: false): arrays and objects of primitives only; nested values need `style: deepObject` or `content`"
    );
}
