//! The example round trip of `cargo xtask corpus --examples`: every
//! `example`/`examples` value of a spec is deserialized into the Rust type
//! generated for its schema and serialized back to an equal value, by a test
//! written into the generated crate (`apigen::examples`). Failures that are
//! the spec's own fault (an example that contradicts its schema) are listed,
//! with their pointers and why, in `tests/corpus-examples-known.txt`; any
//! other failure fails the run, and so does a listed example that now passes,
//! so the list only shrinks deliberately.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, ExitCode};

use crate::workspace_root;

/// `cargo xtask examples <spec>`: generate the spec's crate under
/// `target/examples/`, round-trip its examples, print the count and the
/// failures, and judge them against the known list.
pub fn command(spec_path: &Path, load: &apigen::load::LoadOptions) -> ExitCode {
    let root = workspace_root();
    let name = spec_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let package = package_name(&name);
    let display = apigen::project::display_path(&root, spec_path);
    let spec = match apigen::load::load_file_with(spec_path, &display, load) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = root.join("target/examples").join(&package);
    let written = apigen::generate_from(
        &spec,
        &apigen::Options {
            package: package.clone(),
            standalone: true,
        },
    )
    .map_err(|e| e.to_string())
    .and_then(|output| apigen::sync::write(&dir, &output).map_err(|e| e.to_string()))
    .and_then(|_| {
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))
            .map(drop)
            .map_err(|e| e.to_string())
    });
    if let Err(e) = written {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    let outcome = match run(&root, &dir, &spec, &package) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("error: {name}: {e}");
            return ExitCode::FAILURE;
        }
    };
    report(&name, &outcome, &known(&root))
}

/// Prints the count and failures of one spec; fails on unexpected ones.
pub fn report(name: &str, outcome: &Outcome, known: &BTreeSet<(String, String)>) -> ExitCode {
    println!(
        "{name}: {} examples round-trip, {} fail, {} untyped",
        outcome.passed,
        outcome.failed.len(),
        outcome.untyped.len()
    );
    for pointer in &outcome.untyped {
        println!("  untyped {pointer}");
    }
    let (unexpected, fixed) = judge(name, outcome, known);
    for (pointer, why) in &outcome.failed {
        println!("  fail {pointer}: {why}");
    }
    for pointer in &fixed {
        eprintln!(
            "error: {name} {pointer} passes now: remove it from tests/corpus-examples-known.txt"
        );
    }
    for failure in &unexpected {
        eprintln!("error: {name}: unexpected failure {failure}");
    }
    if unexpected.is_empty() && fixed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A valid cargo package name for a spec file name.
pub fn package_name(file: &str) -> String {
    let cleaned: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let parts: Vec<&str> = cleaned.split('-').filter(|p| !p.is_empty()).collect();
    format!("examples-{}", parts.join("-"))
}

/// What the round trip of one spec's examples gave.
#[derive(Debug, Default)]
pub struct Outcome {
    pub passed: usize,
    /// `(pointer, reason)` of each failure.
    pub failed: Vec<(String, String)>,
    /// Examples whose schema has no standalone serde type, by pointer.
    pub untyped: Vec<String>,
}

/// Writes the examples test into the crate at `dir` (package `package`) and runs it.
pub fn run(
    root: &Path,
    dir: &Path,
    spec: &apigen::load::Spec,
    package: &str,
) -> Result<Outcome, String> {
    let (api, uses) = apigen::lower::lower_with_uses(spec).map_err(|e| e.to_string())?;
    let collected = apigen::examples::collect(spec, &api, &uses);
    let krate = package.replace('-', "_");
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).map_err(|e| e.to_string())?;
    std::fs::write(
        tests.join("examples.rs"),
        apigen::examples::test_file(&collected, &krate),
    )
    .and_then(|_| {
        std::fs::write(
            tests.join("examples.json"),
            apigen::examples::values_file(&collected),
        )
    })
    .map_err(|e| e.to_string())?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "test",
            "--quiet",
            "--offline",
            "--all-features",
            "--test",
            "examples",
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .args(["--", "--nocapture"])
        .env("CARGO_TARGET_DIR", root.join("target/corpus-target"))
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(40).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "the examples test did not run ({}):\n{}",
            out.status,
            tail.join("\n")
        ));
    }
    let mut outcome = Outcome {
        untyped: collected.untyped.clone(),
        ..Outcome::default()
    };
    for line in stdout.lines() {
        if line.starts_with("example ok ") {
            outcome.passed += 1;
        } else if let Some(rest) = line.strip_prefix("example fail ") {
            let (pointer, reason) = rest.split_once(": ").unwrap_or((rest, ""));
            outcome.failed.push((pointer.to_owned(), reason.to_owned()));
        }
    }
    Ok(outcome)
}

/// The known failures: one `<spec> <pointer> <why…>` per line; lines
/// starting with `#` are comments.
pub fn known(root: &Path) -> BTreeSet<(String, String)> {
    let text =
        std::fs::read_to_string(root.join("tests/corpus-examples-known.txt")).unwrap_or_default();
    parse_known(&text)
}

fn parse_known(text: &str) -> BTreeSet<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .collect()
}

/// Failures not in the known list, and listed examples that now pass.
pub fn judge(
    spec: &str,
    outcome: &Outcome,
    known: &BTreeSet<(String, String)>,
) -> (Vec<String>, Vec<String>) {
    let failed: BTreeSet<&str> = outcome.failed.iter().map(|(p, _)| p.as_str()).collect();
    let unexpected = outcome
        .failed
        .iter()
        .filter(|(p, _)| !known.contains(&(spec.to_owned(), p.clone())))
        .map(|(p, why)| format!("{p}: {why}"))
        .collect();
    let fixed = known
        .iter()
        .filter(|(s, p)| s == spec && !failed.contains(p.as_str()))
        .map(|(_, p)| p.clone())
        .collect();
    (unexpected, fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_known_list_is_spec_pointer_reason() {
        let known = parse_known("# comment\n\na.yaml #/x/example the example has a string id\n");
        assert_eq!(
            known.into_iter().collect::<Vec<_>>(),
            [("a.yaml".to_owned(), "#/x/example".to_owned())]
        );
    }

    #[test]
    fn unknown_failures_and_fixed_entries_are_both_reported() {
        let known: BTreeSet<(String, String)> = [
            ("a.yaml".to_owned(), "#/x/example".to_owned()),
            ("a.yaml".to_owned(), "#/fixed/example".to_owned()),
            ("b.yaml".to_owned(), "#/y/example".to_owned()),
        ]
        .into();
        let outcome = Outcome {
            passed: 3,
            failed: vec![
                ("#/x/example".to_owned(), "listed".to_owned()),
                ("#/new/example".to_owned(), "deserialize: bad".to_owned()),
            ],
            untyped: Vec::new(),
        };
        let (unexpected, fixed) = judge("a.yaml", &outcome, &known);
        assert_eq!(unexpected, ["#/new/example: deserialize: bad"]);
        assert_eq!(fixed, ["#/fixed/example"]);
    }
}
