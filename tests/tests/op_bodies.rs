//! Request bodies of every media type, end to end: the crate generated from
//! `fixtures/ops/bodies.yaml` must pass clippy with warnings denied, and the
//! tests of `tests/in_generated/bodies.rs` must pass inside it (the generated
//! client against the generated server, exact bytes on the wire).

use apigen_tests::{add_test, compile, fixture, generate, root, run_tests};

const DEV_DEPENDENCIES: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "time"] }
"#;

#[test]
fn every_kind_of_request_body_works_end_to_end() {
    let package = "fixture-ops-bodies";
    let mut output = generate(&fixture("ops/bodies.yaml"), package);
    let source = std::fs::read_to_string(root().join("tests/in_generated/bodies.rs"))
        .expect("tests/in_generated/bodies.rs");
    add_test(&mut output, "bodies", &source, DEV_DEPENDENCIES);
    compile(&output, package);
    let expected = source.matches("#[test]").count() + source.matches("#[tokio::test]").count();
    assert!(expected >= 10, "{expected}");
    assert_eq!(run_tests(package), expected);
}

#[test]
fn bodies_keep_every_media_type_in_the_ir() {
    let spec = apigen::load::load_file(&fixture("ops/bodies.yaml"), "bodies.yaml").unwrap();
    let api = apigen::lower::lower(&spec).unwrap();
    let op = |id: &str| {
        api.operations
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };
    let mixed = op("PostMixed").body.as_ref().unwrap();
    let types: Vec<&str> = mixed
        .media
        .iter()
        .map(|m| m.content_type.as_str())
        .collect();
    assert_eq!(
        types,
        [
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "application/json",
            "text/json"
        ]
    );
    assert_eq!(mixed.content_type, "application/json");
    assert!(!mixed.whole);
    let upload = op("PostUpload").body.as_ref().unwrap();
    assert_eq!(
        upload.media[0].files,
        [
            ("file".to_owned(), Some("image/png".to_owned())),
            ("attachments".to_owned(), None)
        ]
    );
    assert_eq!(upload.media[0].json_parts, ["meta"]);
    let msgpack = op("PostMsgpack").body.as_ref().unwrap();
    assert_eq!(msgpack.kind, apigen::ir::MediaKind::Binary);
    assert!(msgpack.whole && !msgpack.required);
}

#[test]
fn bodies_beside_headers_generate_and_non_objects_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("apigen-bodies-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, content: &str, extra: &str| {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /v1/x:\n    post:\n      operationId: PostX\n{extra}      requestBody:\n        content:\n          {content}\n      responses:\n        '200': {{description: ok}}\n"
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
    let header =
        "      parameters:\n        - {name: X-Trace, in: header, schema: {type: string}}\n";
    let generates = |path: &std::path::Path| {
        apigen::generate(
            path,
            "spec.yaml",
            &apigen::Options {
                package: "x".to_owned(),
                standalone: true,
            },
        )
        .unwrap()
    };
    // Multipart and text bodies beside a header parameter are fine.
    let multipart = generates(&write(
        "multipart.yaml",
        "multipart/form-data: {schema: {type: object, properties: {a: {type: string}}}}",
        header,
    ));
    // The server reads the header from the request beside the parts.
    assert!(multipart.files.values().any(|text| text.contains(
        "pub fn from_parts(query: &str, headers: &[(::std::string::String, ::std::string::String)], form: &str"
    )));
    generates(&write(
        "text.yaml",
        "text/plain: {schema: {type: string}}",
        header,
    ));
    // A form body that is not an object cannot be one field per property.
    let form = error(&write(
        "form.yaml",
        "application/x-www-form-urlencoded: {schema: {type: array, items: {type: string}}}",
        "",
    ));
    assert!(
        form.contains(
            "#/paths/~1v1~1x/post/requestBody/content/application~1x-www-form-urlencoded/schema"
        ) && form.contains("not an object"),
        "{form}"
    );
}
