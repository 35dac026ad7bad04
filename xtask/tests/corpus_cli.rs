//! `cargo xtask corpus <dir>` as CI runs it: every OpenAPI document in the
//! folder is generated and linted with all features and with none, files
//! that are not OpenAPI documents are listed as skipped, and one spec that
//! cannot be generated fails the whole run with exit code 1.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

#[test]
fn corpus_lists_every_file_and_fails_on_a_bad_spec() {
    let dir = root().join("target/xtask-tests/corpus");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let fixtures = root().join("tests/fixtures");
    fs::copy(
        fixtures.join("models/open_enums.yaml"),
        dir.join("open_enums.yaml"),
    )
    .unwrap();
    fs::copy(
        fixtures.join("bad/dangling_ref.yaml"),
        dir.join("dangling_ref.yaml"),
    )
    .unwrap();
    fs::write(dir.join("notes.json"), r#"{"id": "promo_1"}"#).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("corpus")
        .arg(&dir)
        .current_dir(root())
        .output()
        .expect("run xtask");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let row = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {name} ")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{stdout}"))
            .to_owned()
    };
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(row("open_enums.yaml").ends_with("| ok |"), "{stdout}");
    assert!(row("notes.json").contains("skipped"), "{stdout}");
    let bad = row("dangling_ref.yaml");
    assert!(bad.contains("generate failed"), "{bad}");
    assert!(
        bad.contains("#/"),
        "the failure names the spec location: {bad}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

/// Split-spec folders (root by convention or by the `.apigen-root`
/// manifest), file names that are no package names, `--only` and
/// `--skip-clippy` (so this runs no clippy).
#[test]
fn corpus_handles_split_folders_any_file_name_and_only() {
    let dir = root().join("target/xtask-tests/corpus-folders");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let fixtures = root().join("tests/fixtures");
    let enums = fixtures.join("models/open_enums.yaml");
    fs::copy(&enums, dir.join("a__b.c.yaml")).unwrap();
    fs::copy(&enums, dir.join("A-B.c.yaml")).unwrap();
    copy_dir(&fixtures.join("load/split"), &dir.join("split"));
    copy_dir(&fixtures.join("load/split"), &dir.join("manifested/api"));
    fs::write(dir.join("manifested/.apigen-root"), "api/openapi.yaml\n").unwrap();
    fs::create_dir_all(dir.join("ambiguous")).unwrap();
    fs::copy(&enums, dir.join("ambiguous/one.yaml")).unwrap();
    fs::copy(&enums, dir.join("ambiguous/two.yaml")).unwrap();

    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .arg("corpus")
            .arg(&dir)
            .args(args)
            .current_dir(root())
            .output()
            .expect("run xtask");
        (
            output.status.code(),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, stdout, stderr) = run(&["--skip-clippy"]);
    let row = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {name} ")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{stdout}\n{stderr}"))
            .to_owned()
    };
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for spec in [
        "a__b.c.yaml",
        "A-B.c.yaml",
        "split/openapi.yaml",
        "manifested/api/openapi.yaml",
    ] {
        assert!(row(spec).ends_with("| ok, clippy skipped |"), "{stdout}");
    }
    assert!(
        row("ambiguous/").contains("skipped (2 OpenAPI documents"),
        "{stdout}"
    );
    // Valid, distinct package names, in name order.
    let package = |name: &str| {
        let manifest = root().join("target/corpus").join(name).join("Cargo.toml");
        fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()))
    };
    assert!(package("corpus-a-b-c-yaml").contains("name = \"corpus-a-b-c-yaml\""));
    assert!(package("corpus-a-b-c-yaml-2").contains("name = \"corpus-a-b-c-yaml-2\""));
    assert!(package("corpus-split").contains("name = \"corpus-split\""));

    let (code, stdout, _) = run(&["--skip-clippy", "--only", "split"]);
    assert_eq!(code, Some(0), "{stdout}");
    let rows: Vec<&str> = stdout.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "{stdout}");
    assert!(rows[0].starts_with("| split/openapi.yaml "), "{stdout}");

    let (code, _, stderr) = run(&["--only", "nothing-here"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("--only nothing-here"), "{stderr}");
}
