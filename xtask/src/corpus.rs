//! `cargo xtask corpus <dir>`: generate and `cargo clippy` (warnings denied,
//! so also checked) a crate for every OpenAPI document in a folder, with all
//! features and with none (the feature gates must hold both ways), and print
//! a table (spec, operations, schemas, generate ms, clippy s of each run,
//! result). Files that are not OpenAPI
//! documents are listed as skipped, not failed. Exits 1 if any spec failed.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use crate::workspace_root;

struct Row {
    spec: String,
    operations: usize,
    schemas: usize,
    generate_ms: Option<u128>,
    /// `cargo clippy --all-features`.
    check_s: Option<f64>,
    /// `cargo clippy --no-default-features`.
    minimal_s: Option<f64>,
    result: String,
    ok: bool,
}

pub fn run(dir: &Path) -> ExitCode {
    let root = workspace_root();
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect(),
        Err(e) => {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    let work = root.join("target/corpus");
    let mut rows = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        rows.push(match openapi_document(&file) {
            Some(true) => corpus_row(&root, &work, &file, &name),
            Some(false) | None => Row {
                spec: name,
                operations: 0,
                schemas: 0,
                generate_ms: None,
                check_s: None,
                minimal_s: None,
                result: "skipped (not an OpenAPI document)".to_owned(),
                ok: true,
            },
        });
    }
    print_table(&rows);
    let failed = rows.iter().filter(|r| !r.ok).count();
    if failed > 0 {
        eprintln!("error: {failed} spec(s) failed");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// `Some(true)` for a YAML/JSON file with a top-level `openapi` key.
fn openapi_document(path: &Path) -> Option<bool> {
    let ext = path.extension()?.to_str()?;
    let text = std::fs::read_to_string(path).ok()?;
    match ext {
        // A top-level key starts at column 0 (the generator does the real parsing).
        "yaml" | "yml" => Some(text.lines().any(|l| l.starts_with("openapi:"))),
        "json" => {
            let value: serde_json::Value = serde_json::from_str(&text).ok()?;
            Some(value.get("openapi").is_some())
        }
        _ => None,
    }
}

fn corpus_row(root: &Path, work: &Path, file: &Path, name: &str) -> Row {
    let display = apigen::project::display_path(root, file);
    let package = format!("corpus-{}", name.replace(['.', '_'], "-").to_lowercase());
    let mut row = Row {
        spec: name.to_owned(),
        operations: 0,
        schemas: 0,
        generate_ms: None,
        check_s: None,
        minimal_s: None,
        result: String::new(),
        ok: false,
    };
    let started = Instant::now();
    let generated = apigen::load::load_file(file, &display).and_then(|spec| {
        row.operations = spec.api.operations().count();
        row.schemas = spec.api.components.as_ref().map_or(0, |c| c.schemas.len());
        apigen::generate_from(
            &spec,
            &apigen::Options {
                package: package.clone(),
                standalone: true,
            },
        )
    });
    row.generate_ms = Some(started.elapsed().as_millis());
    let output = match generated {
        Ok(output) => output,
        Err(e) => {
            row.result = format!("generate failed: {e}");
            return row;
        }
    };
    let dir = work.join(&package);
    if let Err(e) = apigen::sync::write(&dir, &output)
        .and_then(|_| std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")))
    {
        row.result = format!("write failed: {e}");
        return row;
    }
    // Every feature on, then none: the feature gates must hold both ways.
    for features in ["--all-features", "--no-default-features"] {
        let started = Instant::now();
        let checked = clippy(root, &dir, features);
        let seconds = Some(started.elapsed().as_secs_f64());
        if features == "--all-features" {
            row.check_s = seconds;
        } else {
            row.minimal_s = seconds;
        }
        match checked {
            Ok(out) if out.status.success() => {}
            Ok(out) => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                eprintln!("--- cargo clippy {features} of {name} ({}):", dir.display());
                for line in stderr.lines().take(60) {
                    eprintln!("{line}");
                }
                row.result = format!("cargo clippy {features} failed ({})", out.status);
                return row;
            }
            Err(e) => {
                row.result = format!("cannot run cargo: {e}");
                return row;
            }
        }
    }
    row.ok = true;
    row.result = "ok".to_owned();
    row
}

/// `cargo clippy` of the crate in `dir` with `features`, warnings denied.
fn clippy(root: &Path, dir: &Path, features: &str) -> std::io::Result<std::process::Output> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args([
            "clippy",
            "--quiet",
            "--offline",
            features,
            "--manifest-path",
        ])
        .arg(dir.join("Cargo.toml"))
        .args(["--", "-D", "warnings"])
        .env("CARGO_TARGET_DIR", root.join("target/corpus-target"))
        .env("RUSTFLAGS", "-D warnings")
        .output()
}

fn print_table(rows: &[Row]) {
    let width = rows.iter().map(|r| r.spec.len()).max().unwrap_or(4).max(4);
    println!(
        "| {:width$} | operations | schemas | generate ms | clippy s (all features) | clippy s (no features) | result |",
        "spec"
    );
    println!(
        "|-{}-|-----------:|--------:|------------:|------------------------:|-----------------------:|--------|",
        "-".repeat(width)
    );
    let seconds = |s: Option<f64>| s.map_or_else(|| "-".to_owned(), |s| format!("{s:.1}"));
    for r in rows {
        let ms = r
            .generate_ms
            .map_or_else(|| "-".to_owned(), |m| m.to_string());
        println!(
            "| {:width$} | {:>10} | {:>7} | {:>11} | {:>23} | {:>22} | {} |",
            r.spec,
            r.operations,
            r.schemas,
            ms,
            seconds(r.check_s),
            seconds(r.minimal_s),
            r.result
        );
    }
}
