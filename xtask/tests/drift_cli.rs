//! `cargo xtask drift` as a user runs it: the verdict on the promotion-code
//! fixture and on the real Stripe subsets (the `coupon` -> `promotion` move
//! breaks clients and needs a major release), the exit codes of `--fail-on`
//! and of an unreadable or invalid spec, and the three output formats.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/drift/promotion_codes_v1_embedded_coupon.yaml";
const SPEC: &str = "spec/promotion_codes.yaml";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("drift")
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("run xtask")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 output")
}

fn json(old: &str, new: &str) -> Value {
    let out = xtask(&[old, new, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("the report is JSON")
}

/// The one change of `kind` at `location`.
fn change<'r>(report: &'r Value, kind: &str, location: &str) -> &'r Value {
    let changes = report["changes"].as_array().expect("a list of changes");
    let found: Vec<&Value> = changes
        .iter()
        .filter(|c| c["kind"] == kind && c["location"] == location)
        .collect();
    assert_eq!(found.len(), 1, "one {kind} at {location} in {report:#}");
    found[0]
}

/// The `coupon` -> `promotion` move: the same verdict on the hand-written
/// fixture and on the real Stripe subsets.
fn assert_promotion_move(report: &Value) {
    assert_eq!(report["wire"], "breaking");
    assert_eq!(report["bump"], "major");
    let removed = change(report, "property_removed", "promotion_code.coupon");
    assert_eq!(removed["wire"], "breaking");
    assert_eq!(removed["side"], "response");
    assert_eq!(removed["rust"]["kind"], "field");
    assert_eq!(removed["rust"]["path"], "PromotionCode::coupon");
    assert_eq!(
        removed["old_pointer"],
        "#/components/schemas/promotion_code/properties/coupon"
    );
    assert_eq!(removed["new_pointer"], Value::Null);
    let added = change(report, "property_added", "promotion_code.promotion");
    assert_eq!(added["wire"], "compatible");
    assert_eq!(added["bump"], "major");
    let param = change(
        report,
        "parameter_removed",
        "POST /v1/promotion_codes body.coupon",
    );
    assert_eq!(param["wire"], "breaking");
    assert_eq!(param["rust"]["path"], "CreatePromotionCode::coupon");
    let param = change(
        report,
        "parameter_added",
        "POST /v1/promotion_codes body.promotion",
    );
    assert_eq!(param["wire"], "breaking");
    assert_eq!(param["side"], "request");
    assert_eq!(param["bump"], "major");
    let unexpandable = report["changes"]
        .as_array()
        .expect("a list of changes")
        .iter()
        .find(|c| c["detail"] == "coupon is no longer expandable")
        .expect("coupon's expandability is reported");
    assert_eq!(unexpandable["location"], "promotion_code");
    assert_eq!(unexpandable["wire"], "breaking");
}

#[test]
fn the_fixture_flags_the_coupon_to_promotion_move_as_breaking_and_major() {
    assert_promotion_move(&json(FIXTURE, SPEC));
}

#[test]
fn the_shared_stripe_subsets_give_the_same_verdict() {
    let shared = root().join("../shared/specs/stripe");
    if !shared.is_dir() {
        println!("skipped: ../shared not found");
        return;
    }
    let old = shared.join("promotion_codes.2023-08-16.json");
    let new = shared.join("promotion_codes.2026-09-30.endive.json");
    let report = json(
        old.to_str().expect("a UTF-8 path"),
        new.to_str().expect("a UTF-8 path"),
    );
    assert_promotion_move(&report);
    assert_eq!(report["old"]["version"], "2023-08-16");
    assert_eq!(report["new"]["version"], "2026-09-30.endive");
    // A new optional parameter is compatible on the wire, and a new setter of
    // the non-exhaustive params struct: minor.
    let added = change(
        &report,
        "parameter_added",
        "GET /v1/promotion_codes query.customer_account",
    );
    assert_eq!(
        (&added["wire"], &added["bump"]),
        (&"compatible".into(), &"minor".into())
    );
}

#[test]
fn reversing_the_specs_mirrors_the_verdicts() {
    let report = json(SPEC, FIXTURE);
    assert_eq!(report["wire"], "breaking");
    // Going back, `promotion` disappears from responses and `coupon` comes back.
    let removed = change(&report, "property_removed", "promotion_code.promotion");
    assert_eq!(removed["wire"], "breaking");
    let added = change(&report, "property_added", "promotion_code.coupon");
    assert_eq!(added["wire"], "compatible");
}

#[test]
fn fail_on_sets_the_exit_code() {
    let code = |args: &[&str]| xtask(args).status.code();
    assert_eq!(code(&[FIXTURE, SPEC]), Some(0));
    assert_eq!(code(&[FIXTURE, SPEC, "--fail-on", "breaking"]), Some(1));
    assert_eq!(code(&[FIXTURE, SPEC, "--fail-on", "any"]), Some(1));
    assert_eq!(code(&[SPEC, SPEC, "--fail-on", "any"]), Some(0));
    assert_eq!(code(&[SPEC, SPEC, "--fail-on", "breaking"]), Some(0));

    // A compatible change trips `any` but not `breaking`.
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("drift_fail_on");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    let spec = fs::read_to_string(root().join(SPEC)).expect("the spec");
    let edited = spec.replacen(
        "summary: List all promotion codes",
        "summary: List every promotion code",
        1,
    );
    assert_ne!(spec, edited, "the spec has the summary this test edits");
    let new = dir.join("docs_only.yaml");
    fs::write(&new, edited).expect("write the edited spec");
    let new = new.to_str().expect("a UTF-8 path");
    assert_eq!(code(&[SPEC, new, "--fail-on", "breaking"]), Some(0));
    assert_eq!(code(&[SPEC, new, "--fail-on", "any"]), Some(1));
    let report = json(SPEC, new);
    assert_eq!(
        (&report["wire"], &report["bump"]),
        (&"compatible".into(), &"patch".into())
    );
}

#[test]
fn an_unreadable_or_invalid_spec_exits_2_with_the_error() {
    let out = xtask(&[FIXTURE, "no/such/spec.yaml", "--fail-on", "any"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.starts_with("error: no/such/spec.yaml: cannot read the spec"),
        "{err}"
    );

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("drift_invalid");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    let swagger = dir.join("swagger.yaml");
    fs::write(&swagger, "swagger: '2.0'\ninfo: {title: x, version: '1'}\n").expect("write");
    let out = xtask(&[swagger.to_str().expect("a UTF-8 path"), SPEC]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("#/swagger: not an OpenAPI 3.0 or 3.1 document"),
        "{err}"
    );
}

#[test]
fn the_terminal_format_is_plain_when_not_a_terminal() {
    let out = xtask(&[FIXTURE, SPEC]);
    let text = stdout(&out);
    assert!(!text.contains('\x1b'), "no colour codes in a pipe:\n{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "API drift: Stripe API (promotion codes) (2023-08-16) -> Stripe API (promotion codes) (2026-09-30.endive)"
    );
    assert_eq!(
        lines[1],
        "wire: BREAKING (8 of 15 changes break existing clients)"
    );
    assert_eq!(lines[2], "rust: major bump for the generated crate");
    // Breaking changes come first.
    assert!(lines[4].starts_with("breaking"), "{text}");
    assert!(
        text.contains(
            "breaking   major promotion_code.coupon: property removed (was required Coupon)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "response | field PromotionCode::coupon | #/components/schemas/promotion_code/properties/coupon"
        ),
        "{text}"
    );
    let out = xtask(&[SPEC, SPEC]);
    assert!(
        stdout(&out).ends_with("no changes; the generated crate needs no release\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_markdown_format_is_a_pull_request_comment() {
    let out = xtask(&[FIXTURE, SPEC, "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.starts_with("### API drift: `2023-08-16` -> `2026-09-30.endive`\n"),
        "{text}"
    );
    assert!(
        text.contains("- Wire: :x: **breaking**: 8 of 15 changes break existing clients\n"),
        "{text}"
    );
    assert!(
        text.contains("- Generated crate: **major** version bump"),
        "{text}"
    );
    assert!(
        text.contains("| Wire | Bump | Where | Change | Side | Rust item | Pointer |"),
        "{text}"
    );
    assert!(
        text.contains(
            "| :x: breaking | major | `promotion_code.coupon` | property removed: was required Coupon | response | `field PromotionCode::coupon` | `#/components/schemas/promotion_code/properties/coupon` |"
        ),
        "{text}"
    );
}

#[test]
fn the_json_format_is_stable() {
    let a = stdout(&xtask(&[FIXTURE, SPEC, "--format", "json"]));
    let b = stdout(&xtask(&[FIXTURE, SPEC, "--format", "json"]));
    assert_eq!(a, b);
    let report: Value = serde_json::from_str(&a).expect("JSON");
    // The promotion move (4) and `maxLength: 500` on the four metadata
    // request parameters (a tightened request constraint breaks old clients).
    assert_eq!(report["breaking"], 8);
    let changes = report["changes"].as_array().expect("changes");
    let locations: Vec<&str> = changes
        .iter()
        .map(|c| c["location"].as_str().expect("a location"))
        .collect();
    let mut sorted = locations.clone();
    sorted.sort();
    assert_eq!(locations, sorted, "changes are sorted by location");
}

/// Split specs and mapped URLs load in drift as in codegen.
#[test]
fn drift_reads_split_specs_and_mapped_urls() {
    let split = "tests/fixtures/load/split/openapi.yaml";
    let same = xtask(&[split, split, "--fail-on", "any"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    let url = "tests/fixtures/load/url_ref.yaml";
    let refused = xtask(&[url, url]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("--map-url"),
        "{}",
        stderr(&refused)
    );
    let map = "https://example.com/specs/v1=tests/fixtures/load/mapped";
    let mapped = xtask(&[url, url, "--map-url", map, "--fail-on", "any"]);
    assert_eq!(mapped.status.code(), Some(0), "{}", stderr(&mapped));
}
