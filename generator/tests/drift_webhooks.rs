//! Drift of OpenAPI 3.1 webhooks: a new webhook is a minor bump (the
//! `Webhooks` trait's methods have defaults), a removed one a major bump, and
//! a payload whose type changes breaks receivers.

use apigen::diff::{Bump, ChangeKind, Wire, diff};
use apigen::ir::Api;

fn api(webhooks: &str) -> Api {
    let yaml = format!(
        "openapi: 3.1.0
info: {{title: Hooks, version: '1'}}
webhooks:
{webhooks}"
    );
    let spec = apigen::load::load_bytes(yaml.as_bytes(), "hooks.yaml").unwrap();
    apigen::lower::lower(&spec).unwrap()
}

const PAID: &str = "  paid:
    post:
      requestBody: {content: {application/json: {schema: {type: object, properties: {id: {type: string}}}}}}
      responses: {'200': {description: ok}}
";
const PING: &str = "  ping:
    post:
      responses: {'200': {description: ok}}
";
const PAID_AS_TEXT: &str = "  paid:
    post:
      requestBody: {content: {application/json: {schema: {type: string}}}}
      responses: {'200': {description: ok}}
";

#[test]
fn webhooks_added_removed_and_retyped() {
    let one = api(PAID);
    let two = api(&format!("{PAID}{PING}"));
    let added = diff(&one, &two);
    assert_eq!(added.changes.len(), 1, "{:#?}", added.changes);
    let c = &added.changes[0];
    assert_eq!(
        (c.kind, c.wire, c.bump),
        (ChangeKind::OperationAdded, Wire::Compatible, Bump::Minor)
    );
    assert_eq!(c.rust.path, "Webhooks::ping");
    let removed = diff(&two, &one);
    assert_eq!(removed.bump, Bump::Major);
    let retyped = diff(&one, &api(PAID_AS_TEXT));
    assert!(
        retyped
            .changes
            .iter()
            .any(|c| c.kind == ChangeKind::TypeChanged && c.wire == Wire::Breaking),
        "{:#?}",
        retyped.changes
    );
    assert!(diff(&two, &two).changes.is_empty());
}
