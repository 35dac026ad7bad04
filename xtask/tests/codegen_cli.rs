//! `cargo xtask codegen` as a user runs it: bad specs give a clear error (file,
//! JSON pointer, problem), exit 1 and leave the output crate untouched; a
//! one-word spec edit makes `--check` fail with a readable diff, and
//! regenerating makes it pass again.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run xtask")
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir` with its bytes, to prove nothing changed.
fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn bad_specs_fail_clearly_and_touch_nothing() {
    let out = scratch("bad-specs-out");
    let good = xtask(&["codegen", "--out", out.to_str().unwrap()]);
    assert!(
        good.status.success(),
        "{}",
        String::from_utf8_lossy(&good.stderr)
    );
    let before = snapshot_dir(&out);
    let cases = [
        (
            "not_yaml.yaml",
            "not valid YAML: did not find expected ',' or '}' at line 3",
        ),
        (
            "not_json.json",
            "not valid JSON: EOF while parsing an object at line 3",
        ),
        (
            "swagger2.yaml",
            "#/swagger: not an OpenAPI 3.0 or 3.1 document: this is a Swagger 2.0 document",
        ),
        (
            "openapi32.yaml",
            "#/openapi: not an OpenAPI 3.0 or 3.1 document: `openapi` is \"3.2.0\"",
        ),
        (
            "dangling_ref.yaml",
            "#/paths/~1v1~1promotion_codes/post/requestBody/content/application~1x-www-form-urlencoded/schema/properties/coupon/$ref: dangling $ref '#/components/schemas/coupon_params'",
        ),
        (
            "unsupported_not.yaml",
            "#/components/schemas/anything_but_a_string/not: unsupported: `not` schemas",
        ),
        (
            "invalid_structure.yaml",
            "#/paths/~1v1~1coupons/get/parameters/0: invalid OpenAPI document: invalid type: string \"maybe\", expected a boolean",
        ),
    ];
    for (file, expected) in cases {
        let spec = format!("tests/fixtures/bad/{file}");
        let result = xtask(&["codegen", "--spec", &spec, "--out", out.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(
            result.status.code(),
            Some(1),
            "{file}: exit code; stderr: {stderr}"
        );
        assert!(
            stderr.starts_with(&format!("error: {spec}: ")),
            "{file}: names the file: {stderr}"
        );
        assert!(
            stderr.contains(expected),
            "{file}: expected {expected:?} in {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{file}: {stderr}");
        let check = xtask(&[
            "codegen",
            "--check",
            "--spec",
            &spec,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(check.status.code(), Some(1), "{file}: --check exit code");
        assert_eq!(
            snapshot_dir(&out),
            before,
            "{file}: the output crate was modified"
        );
    }
    let missing = xtask(&[
        "codegen",
        "--spec",
        "tests/fixtures/bad/no_such_file.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr)
            .contains("no_such_file.yaml: cannot read the spec")
    );
}

#[test]
fn a_one_word_edit_makes_check_fail_until_regenerated() {
    let dir = scratch("one-word-edit");
    let spec = dir.join("spec.yaml");
    let out = dir.join("crate");
    fs::copy(root().join("spec/promotion_codes.yaml"), &spec).unwrap();
    let (spec_arg, out_arg) = (spec.to_str().unwrap(), out.to_str().unwrap());
    assert!(
        xtask(&["codegen", "--spec", spec_arg, "--out", out_arg])
            .status
            .success()
    );
    let fresh = xtask(&["codegen", "--check", "--spec", spec_arg, "--out", out_arg]);
    assert!(
        fresh.status.success(),
        "{}",
        String::from_utf8_lossy(&fresh.stderr)
    );

    let text = fs::read_to_string(&spec).unwrap();
    let edited = text.replacen(
        "Number of times this promotion code has been used.",
        "Number of times this promotion code has been redeemed.",
        1,
    );
    assert_ne!(text, edited, "the spec has the sentence this test edits");
    fs::write(&spec, edited).unwrap();

    let stale = xtask(&["codegen", "--check", "--spec", spec_arg, "--out", out_arg]);
    let stdout = String::from_utf8_lossy(&stale.stdout);
    assert_eq!(stale.status.code(), Some(1));
    assert!(
        stdout.contains("-    /// Number of times this promotion code has been used."),
        "{stdout}"
    );
    assert!(
        stdout.contains("+    /// Number of times this promotion code has been redeemed."),
        "{stdout}"
    );
    assert!(
        stdout.contains("--- a/src/models/promotion_codes.rs (on disk)"),
        "{stdout}"
    );
    // Before the diff: the API drift since the spec the crate was generated from.
    assert!(
        stdout.contains("promotion_code.times_redeemed: docs changed"),
        "{stdout}"
    );
    assert!(stdout.contains("rust: patch bump"), "{stdout}");
    assert!(String::from_utf8_lossy(&stale.stderr).contains("is stale"));

    assert!(
        xtask(&["codegen", "--spec", spec_arg, "--out", out_arg])
            .status
            .success()
    );
    assert!(
        xtask(&["codegen", "--check", "--spec", spec_arg, "--out", out_arg])
            .status
            .success()
    );
}

#[test]
fn generated_files_the_spec_no_longer_gives_are_stale() {
    let out = scratch("extra-file");
    assert!(
        xtask(&["codegen", "--out", out.to_str().unwrap()])
            .status
            .success()
    );
    fs::write(
        out.join("src/old_module.rs"),
        "// @generated by apigen 0.0.1 from an older spec\n",
    )
    .unwrap();
    fs::write(out.join("src/hand_written.rs"), "// not generated\n").unwrap();
    let check = xtask(&["codegen", "--check", "--out", out.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&check.stdout).contains("stale file src/old_module.rs"));
    assert!(
        xtask(&["codegen", "--out", out.to_str().unwrap()])
            .status
            .success()
    );
    assert!(
        !out.join("src/old_module.rs").exists(),
        "stale generated file removed"
    );
    assert!(
        out.join("src/hand_written.rs").exists(),
        "files without the header are never removed"
    );
}

#[test]
fn check_against_a_breaking_spec_prints_the_drift_report() {
    let out = scratch("breaking-drift");
    assert!(
        xtask(&["codegen", "--out", out.to_str().unwrap()])
            .status
            .success()
    );
    let old_shape = "tests/fixtures/drift/promotion_codes_v1_embedded_coupon.yaml";
    let check = xtask(&[
        "codegen",
        "--check",
        "--spec",
        old_shape,
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1));
    assert!(stdout.starts_with("API drift: "), "{stdout}");
    assert!(stdout.contains("wire: BREAKING"), "{stdout}");
    assert!(stdout.contains("rust: major bump"), "{stdout}");
    assert!(
        stdout.contains("promotion_code.coupon: property added"),
        "{stdout}"
    );
}

/// Repaired flaws are printed as `warning: FILE: POINTER: message (repair)`
/// and do not fail the run; a URL `$ref` fails until `--map-url` maps it.
#[test]
fn warnings_go_to_stderr_and_map_url_reads_a_local_copy() {
    let out = scratch("flaws-out");
    let run = xtask(&[
        "codegen",
        "--spec",
        "tests/fixtures/load/flaws.yaml",
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.lines().any(|l| l
            == "warning: tests/fixtures/load/flaws.yaml: #/description: `description` at the root of the document (OpenAPI puts it in `info`) (ignored)"),
        "{stderr}"
    );
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("warning: "))
            .count(),
        8,
        "{stderr}"
    );

    let out = scratch("url-ref-out");
    let spec = "tests/fixtures/load/url_ref.yaml";
    let refused = xtask(&["codegen", "--spec", spec, "--out", out.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr.contains("https://example.com/specs/v1/common.yaml"),
        "{stderr}"
    );
    assert!(stderr.contains("--map-url"), "{stderr}");
    let mapped = xtask(&[
        "codegen",
        "--spec",
        spec,
        "--out",
        out.to_str().unwrap(),
        "--map-url",
        "https://example.com/specs/v1/=tests/fixtures/load/mapped",
    ]);
    let stderr = String::from_utf8_lossy(&mapped.stderr);
    assert!(mapped.status.success(), "{stderr}");
}
