//! Shared helpers of the integration tests in `tests/tests/`: where the
//! workspace, the fixtures and `../shared` are, generating a fixture spec in
//! memory, compiling a generated crate with `cargo` (warnings denied), adding
//! tests to a generated crate and running them, and an in-memory
//! implementation of the generated route traits ([`fake`]).

pub mod fake;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// `../shared` beside the workspace, or `None` (after saying the test is
/// skipped) when it is absent. CI always has it.
pub fn shared(test: &str) -> Option<PathBuf> {
    let dir = root().join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped {test}: ../shared not found beside the workspace");
        None
    }
}

/// Generates the crate for the spec at `path` (standalone, package `package`).
pub fn generate(path: &Path, package: &str) -> apigen::Output {
    let display = apigen::project::display_path(&root(), path);
    let options = apigen::Options {
        package: package.to_owned(),
        standalone: true,
    };
    apigen::generate(path, &display, &options).unwrap_or_else(|e| panic!("{e}"))
}

/// Where [`compile`] writes the crate of `package`, and the target directory it builds in.
fn crate_dirs(package: &str) -> (PathBuf, PathBuf) {
    let target = root().join("target");
    (
        target.join("apigen-tests").join(package),
        target.join("apigen-tests-target"),
    )
}

/// Adds an integration test to a generated crate: `source` as
/// `tests/<name>.rs`, and `dev_dependencies` (TOML lines) as the crate's
/// `[dev-dependencies]`. [`compile`] then lints it with the crate, and
/// [`run_tests`] runs it.
pub fn add_test(output: &mut apigen::Output, name: &str, source: &str, dev_dependencies: &str) {
    output
        .files
        .insert(format!("tests/{name}.rs"), source.to_owned());
    let manifest = output
        .files
        .get_mut("Cargo.toml")
        .expect("a generated crate has a Cargo.toml");
    manifest.push_str(
        "
[dev-dependencies]
",
    );
    manifest.push_str(dev_dependencies);
}

/// Runs `cargo test` with all features on the crate that [`compile`] wrote
/// for `package`, and returns how many tests passed; panics with cargo's
/// output when anything failed.
pub fn run_tests(package: &str) -> usize {
    let (dir, target) = crate_dirs(package);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let result = Command::new(cargo)
        .args([
            "test",
            "--quiet",
            "--offline",
            "--all-features",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "the tests of the crate generated for {package} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .filter_map(|l| l.split(' ').next()?.parse::<usize>().ok())
        .sum()
}

/// Writes `output` as a crate under `target/apigen-tests/<package>` and runs
/// `cargo clippy --all-targets` on it with warnings denied (which also
/// compiles it), with all features (the `server` and `client` glue, every
/// resource) and with none.
/// Dependencies come from the workspace's lock file and target directory, so
/// this needs no network and rebuilds little.
pub fn compile(output: &apigen::Output, package: &str) {
    let (dir, target) = crate_dirs(package);
    apigen::sync::write(&dir, output).expect("write the generated crate");
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("copy Cargo.lock");
    // Everything on, nothing on, then each resource alone: every feature
    // gate must hold every way.
    let resources = output.files["Cargo.toml"]
        .lines()
        .find_map(|l| l.strip_prefix("full = ["))
        .map(|list| {
            list.trim_end_matches(']')
                .split(", ")
                .filter(|f| !f.is_empty())
                .map(|f| format!("--features={}", f.trim_matches('"')))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let runs = [
        vec!["--all-features".to_owned()],
        vec!["--no-default-features".to_owned()],
    ]
    .into_iter()
    .chain(
        resources
            .into_iter()
            .map(|f| vec!["--no-default-features".to_owned(), f]),
    );
    for features in runs {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let result = Command::new(cargo)
            .args(["clippy", "--quiet", "--offline", "--all-targets"])
            .args(&features)
            .arg("--manifest-path")
            .arg(dir.join("Cargo.toml"))
            .args(["--", "-D", "warnings"])
            .env("CARGO_TARGET_DIR", &target)
            .env("RUSTFLAGS", "-D warnings")
            .output()
            .expect("run cargo");
        assert!(
            result.status.success(),
            "the crate generated for {package} does not compile cleanly with {}:\n{}",
            features.join(" "),
            String::from_utf8_lossy(&result.stderr)
        );
    }
}
