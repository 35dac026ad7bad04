//! Responses by status end to end: the crate generated from
//! `fixtures/ops/responses.yaml` must pass clippy with warnings denied
//! (including an array of maps of maps of objects, which gets a type alias instead of
//! tripping `clippy::type_complexity` in the route trait), and the tests of
//! `tests/in_generated/responses.rs` must pass inside it. Also the IR: every
//! declared status with its media type, type and headers.

use apigen::ir::{MediaKind, Status, TypeRef};
use apigen_tests::{add_test, compile, fixture, generate, root, run_tests};

const DEV_DEPENDENCIES: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "time"] }
"#;

#[test]
fn responses_by_status_work_end_to_end() {
    let package = "fixture-ops-responses";
    let mut output = generate(&fixture("ops/responses.yaml"), package);
    let routes = &output.files["src/routes.rs"];
    // The nested answer type (an array of maps of maps) is named, so the
    // route trait's signature stays simple (clippy's type_complexity).
    assert!(
        routes.contains("::std::vec::Vec<crate::models::ListGroupsResponseItem>"),
        "{routes}"
    );
    let source = std::fs::read_to_string(root().join("tests/in_generated/responses.rs"))
        .expect("tests/in_generated/responses.rs");
    add_test(&mut output, "responses", &source, DEV_DEPENDENCIES);
    compile(&output, package);
    let expected = source.matches("#[test]").count() + source.matches("#[tokio::test]").count();
    assert!(expected >= 5, "{expected}");
    assert_eq!(run_tests(package), expected);
}

#[test]
fn every_status_is_in_the_ir() {
    let spec = apigen::load::load_file(&fixture("ops/responses.yaml"), "responses.yaml").unwrap();
    let api = apigen::lower::lower(&spec).unwrap();
    let op = |id: &str| api.operations.iter().find(|o| o.id == id).unwrap();
    let put = op("PutThing");
    let statuses: Vec<Status> = put.responses.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            Status::Code(200),
            Status::Code(201),
            Status::Code(204),
            Status::Default
        ]
    );
    assert_eq!(
        put.responses[1].ty,
        Some(TypeRef::Named("Receipt".to_owned()))
    );
    assert_eq!(put.responses[2].kind, None);
    let get = op("GetThing");
    let headers: Vec<(&str, bool)> = get.responses[0]
        .headers
        .iter()
        .map(|h| (h.wire.as_str(), h.required))
        .collect();
    assert_eq!(headers, [("ETag", true), ("X-Rate-Limit-Remaining", false)]);
    assert_eq!(get.responses[1].status, Status::Code(404));
    assert_eq!(get.error, Some(TypeRef::Named("Error".to_owned())));
    let report = &op("GetReport").responses[0];
    assert_eq!(report.kind, Some(MediaKind::Text));
    assert_eq!(report.content_type.as_deref(), Some("text/csv"));
    assert_eq!(op("TouchThing").responses[0].status, Status::Range(2));
}
