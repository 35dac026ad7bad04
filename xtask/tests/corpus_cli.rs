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
