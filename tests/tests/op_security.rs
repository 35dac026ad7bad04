//! Security schemes end to end: the crate generated from
//! `fixtures/ops/security.yaml` must pass clippy with warnings denied, and
//! the tests of `tests/in_generated/security.rs` must pass inside it (the
//! generated client against the generated server, the exact credentials on
//! the wire). Also the IR: every scheme and each operation's requirements.

use apigen::ir::{ApiKeyLocation, SchemeKind};
use apigen_tests::{add_test, compile, fixture, generate, root, run_tests};

const DEV_DEPENDENCIES: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "time"] }
"#;

#[test]
fn every_security_scheme_works_end_to_end() {
    let package = "fixture-ops-security";
    let mut output = generate(&fixture("ops/security.yaml"), package);
    let source = std::fs::read_to_string(root().join("tests/in_generated/security.rs"))
        .expect("tests/in_generated/security.rs");
    add_test(&mut output, "security", &source, DEV_DEPENDENCIES);
    compile(&output, package);
    let expected = source.matches("#[test]").count() + source.matches("#[tokio::test]").count();
    assert!(expected >= 4, "{expected}");
    assert_eq!(run_tests(package), expected);
}

#[test]
fn schemes_and_requirements_are_in_the_ir() {
    let spec = apigen::load::load_file(&fixture("ops/security.yaml"), "security.yaml").unwrap();
    let api = apigen::lower::lower(&spec).unwrap();
    let kinds: Vec<(&str, &SchemeKind)> = api
        .security_schemes
        .iter()
        .map(|s| (s.key.as_str(), &s.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "key_header",
                &SchemeKind::ApiKey {
                    location: ApiKeyLocation::Header,
                    name: "X-API-Key".to_owned()
                }
            ),
            (
                "key_query",
                &SchemeKind::ApiKey {
                    location: ApiKeyLocation::Query,
                    name: "api_key".to_owned()
                }
            ),
            (
                "key_cookie",
                &SchemeKind::ApiKey {
                    location: ApiKeyLocation::Cookie,
                    name: "session".to_owned()
                }
            ),
            ("bearer", &SchemeKind::Bearer),
            ("basic", &SchemeKind::Basic),
            ("oauth", &SchemeKind::Bearer),
            ("oidc", &SchemeKind::Bearer),
        ]
    );
    let security = |id: &str| {
        api.operations
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.security.clone())
            .unwrap()
    };
    assert_eq!(security("GetDefault"), [["bearer"]]);
    assert!(security("GetPublic").is_empty());
    assert_eq!(security("GetBoth"), [["key_header", "key_query"]]);
    assert_eq!(security("GetEither"), [["basic"], ["key_header"]]);
}

#[test]
fn an_unsupported_scheme_is_an_error_and_an_undefined_one_a_repair() {
    let dir = std::env::temp_dir().join(format!("apigen-security-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, scheme: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /v1/x:\n    get:\n      operationId: GetX\n      security:\n        - {scheme}: []\n      responses:\n        '200': {{description: ok}}\ncomponents:\n  securitySchemes:\n    digest: {{type: http, scheme: digest}}\n"
            ),
        )
        .unwrap();
        path
    };
    let error = |path: &std::path::Path| {
        apigen::generate(
            path,
            "spec.yaml",
            &apigen::Options {
                package: "x".to_owned(),
                standalone: true,
            },
        )
        .map(|_| ())
        .unwrap_err()
        .to_string()
    };
    let digest = error(&write("digest.yaml", "digest"));
    assert!(
        digest.contains("#/paths/~1v1~1x/get/security/0/digest") && digest.contains("http bearer"),
        "{digest}"
    );
    // A scheme no `securitySchemes` entry defines is a published flaw the
    // loader repairs with a warning: the operation's `security` goes, so
    // the document's default (here none) applies.
    let unknown = write("unknown.yaml", "nope");
    let spec = apigen::load::load_file(&unknown, "spec.yaml").unwrap();
    assert_eq!(spec.warnings.len(), 1, "{:?}", spec.warnings);
    assert_eq!(
        spec.warnings[0].at.pointer,
        "#/paths/~1v1~1x/get/security/0/nope"
    );
    let api = apigen::lower::lower(&spec).unwrap();
    assert!(api.operations[0].security.is_empty());
}
