//! `cargo xtask bench compile`: the compile time of generated crates, cold and
//! incremental, as a table. A benchmark, not a test: numbers depend on the
//! machine, so each row also gives the ratio to the small crate's cold build
//! in the same run.
//!
//! Cold: the generated crate rebuilt from scratch (its dependencies already
//! built in the shared target directory). Incremental: one doc line changed in
//! the models file, then rebuilt. Crates: the checked-in `generated/` crate's
//! spec and, with `../shared` beside the workspace, the full Stripe spec with
//! every resource (`full`) and with only `promotion_codes`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::workspace_root;

pub fn run(what: &str) -> ExitCode {
    if what != "compile" {
        eprintln!(
            "error: unknown benchmark '{what}' (known: compile; generation: `cargo bench -p apigen`)"
        );
        return ExitCode::FAILURE;
    }
    let root = workspace_root();
    let mut crates = vec![("promotion codes", root.join(apigen::project::SPEC), "full")];
    let full = root.join("../shared/specs/stripe/spec3.2023-08-16.yaml");
    if full.exists() {
        crates.push(("full Stripe spec", full.clone(), "full"));
        crates.push(("full Stripe spec", full, "promotion_codes"));
    } else {
        println!("(../shared not found: the full Stripe spec is skipped)");
    }
    println!(
        "| crate | features | lines | cold check s | incremental check s | cold / small cold |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    let mut baseline = None;
    for (label, spec, features) in crates {
        let package = format!("bench-{}", label.replace(' ', "-").to_lowercase());
        match measure(&root, &spec, &package, features) {
            Ok((lines, cold, incremental)) => {
                let base = *baseline.get_or_insert(cold);
                println!(
                    "| {label} | {features} | {lines} | {cold:.1} | {incremental:.1} | {:.1}x |",
                    cold / base
                );
            }
            Err(e) => {
                eprintln!("error: {label}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

fn measure(
    root: &Path,
    spec: &Path,
    package: &str,
    features: &str,
) -> Result<(usize, f64, f64), String> {
    let display = apigen::project::display_path(root, spec);
    let options = apigen::Options {
        package: package.to_owned(),
        standalone: true,
    };
    let output = apigen::generate(spec, &display, &options).map_err(|e| e.to_string())?;
    let lines = output.files.values().map(|f| f.lines().count()).sum();
    let dir = root.join("target/bench").join(package);
    apigen::sync::write(&dir, &output).map_err(|e| e.to_string())?;
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let target = root.join("target/bench-target");
    // Build the dependencies once, untimed.
    check(&dir, &target, features)?;
    clean(&dir, &target, package)?;
    let cold = check(&dir, &target, features)?;
    let models = dir.join("src/models/mod.rs");
    let text = std::fs::read_to_string(&models).map_err(|e| e.to_string())?;
    std::fs::write(
        &models,
        format!("{text}\n/// Touched by the benchmark.\npub type BenchTouched = ();\n"),
    )
    .map_err(|e| e.to_string())?;
    let incremental = check(&dir, &target, features)?;
    std::fs::write(&models, text).map_err(|e| e.to_string())?;
    Ok((lines, cold, incremental))
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// `cargo check` with `features` (`full` is the default set).
fn check(dir: &Path, target: &PathBuf, features: &str) -> Result<f64, String> {
    let started = Instant::now();
    let status = cargo()
        .args([
            "check",
            "--quiet",
            "--offline",
            "--no-default-features",
            "--features",
            features,
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("cargo check failed in {}", dir.display()));
    }
    Ok(started.elapsed().as_secs_f64())
}

fn clean(dir: &Path, target: &PathBuf, package: &str) -> Result<(), String> {
    let status = cargo()
        .args([
            "clean",
            "--quiet",
            "--offline",
            "-p",
            package,
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err("cargo clean failed".to_owned())
    }
}
