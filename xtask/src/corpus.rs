//! `cargo xtask corpus <dir>`: generate and `cargo clippy` (warnings denied,
//! so also checked) a crate for every OpenAPI document in a folder, with all
//! features and with none (the feature gates must hold both ways), and print
//! a table (spec, operations, schemas, generate ms, clippy s of each run,
//! result). Files that are not OpenAPI documents are listed as skipped, not
//! failed. Exits 1 if any spec failed.
//!
//! A sub-folder is one spec split over many files (its `$ref`s name the
//! others). Its root is, in this order:
//! 1. the file named on the first line of a manifest `.apigen-root` in the
//!    folder (a path relative to the folder);
//! 2. `openapi.yaml`, `openapi.yml`, `openapi.json`, `main.yaml`, `main.yml`
//!    or `main.json` at the folder's top level, if it has an `openapi` key;
//! 3. the one `.yaml`/`.yml`/`.json` file at the top level with an `openapi`
//!    key (none or several: the folder is skipped, saying why).
//!
//! The other files of a folder are fragments and never generated alone.
//! Each spec's crate is `target/corpus/corpus-<name>`, the file or folder
//! name lower-cased with every run of other characters than `a-z0-9` made
//! one `-` (a clash gets `-2`, `-3`... in name order), so any file name makes
//! a valid package name. `--only NAME` (repeatable) runs the named files or
//! folders only; `--skip-clippy` generates without running clippy.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use apigen::load::LoadOptions;

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

impl Row {
    fn skipped(spec: String, why: &str) -> Row {
        Row {
            spec,
            operations: 0,
            schemas: 0,
            generate_ms: None,
            check_s: None,
            minimal_s: None,
            result: format!("skipped ({why})"),
            ok: true,
        }
    }
}

/// What one entry of the corpus folder is.
enum Entry {
    /// A spec: its root file, how the table names it.
    Spec(PathBuf, String),
    Skipped(String, String),
}

/// The manifest naming a split spec's root file.
pub const MANIFEST: &str = ".apigen-root";
const ROOT_NAMES: [&str; 6] = [
    "openapi.yaml",
    "openapi.yml",
    "openapi.json",
    "main.yaml",
    "main.yml",
    "main.json",
];

/// How each spec of a corpus run is checked.
struct Settings<'a> {
    skip_clippy: bool,
    /// Round-trip the examples too ([`crate::examples`]).
    examples: bool,
    load: &'a LoadOptions,
}

pub fn run(
    dir: &Path,
    only: &[String],
    skip_clippy: bool,
    examples: bool,
    load: &LoadOptions,
) -> ExitCode {
    let settings = Settings {
        skip_clippy,
        examples,
        load,
    };
    let known = crate::examples::known(&workspace_root());
    let root = workspace_root();
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            eprintln!("error: {}: {e}", dir.display());
            return ExitCode::FAILURE;
        }
    };
    paths.sort();
    let name_of = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let missing: Vec<&String> = only
        .iter()
        .filter(|o| !paths.iter().any(|p| &name_of(p) == *o))
        .collect();
    if !missing.is_empty() {
        for name in missing {
            eprintln!(
                "error: --only {name}: no such file or folder in {}",
                dir.display()
            );
        }
        return ExitCode::FAILURE;
    }
    let work = root.join("target/corpus");
    let mut packages = BTreeSet::new();
    let mut rows = Vec::new();
    for path in paths {
        let name = name_of(&path);
        if !only.is_empty() && !only.contains(&name) {
            continue;
        }
        let entry = if path.is_dir() {
            split_root(&path, &name)
        } else if openapi_document(&path) == Some(true) {
            Entry::Spec(path.clone(), name.clone())
        } else {
            Entry::Skipped(name.clone(), "not an OpenAPI document".to_owned())
        };
        rows.push(match entry {
            Entry::Spec(file, spec) => {
                let package = package_name(&name, &mut packages);
                corpus_row(&root, &work, (&file, &spec, &package), &settings, &known)
            }
            Entry::Skipped(spec, why) => Row::skipped(spec, &why),
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

/// The root of the split spec in the folder `dir` (named `name`), by the
/// manifest or the conventions above.
fn split_root(dir: &Path, name: &str) -> Entry {
    let spec = |file: &Path| {
        let shown = file.strip_prefix(dir).unwrap_or(file).display();
        Entry::Spec(file.to_path_buf(), format!("{name}/{shown}"))
    };
    if let Ok(text) = std::fs::read_to_string(dir.join(MANIFEST)) {
        let named = text.lines().next().unwrap_or("").trim();
        let file = dir.join(named);
        return if !named.is_empty() && file.is_file() {
            spec(&file)
        } else {
            Entry::Skipped(
                format!("{name}/"),
                format!("{MANIFEST} names {named:?}, which is not a file in the folder"),
            )
        };
    }
    for candidate in ROOT_NAMES {
        let file = dir.join(candidate);
        if file.is_file() && openapi_document(&file) == Some(true) {
            return spec(&file);
        }
    }
    let mut roots: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && openapi_document(p) == Some(true))
        .collect();
    roots.sort();
    match roots.as_slice() {
        [one] => spec(one),
        [] => Entry::Skipped(
            format!("{name}/"),
            "no OpenAPI document at its top level".to_owned(),
        ),
        _ => Entry::Skipped(
            format!("{name}/"),
            format!(
                "{} OpenAPI documents at its top level: name the root in {MANIFEST}",
                roots.len()
            ),
        ),
    }
}

/// `corpus-<name>` as a valid, unique cargo package name.
fn package_name(name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut base = String::from("corpus");
    for part in name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        base.push('-');
        base.push_str(part);
    }
    let name = std::iter::once(base.clone())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|c| !taken.contains(c))
        .expect("some suffix is free");
    taken.insert(name.clone());
    name
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

fn corpus_row(
    root: &Path,
    work: &Path,
    (file, name, package): (&Path, &str, &str),
    settings: &Settings<'_>,
    known: &BTreeSet<(String, String)>,
) -> Row {
    let load = settings.load;
    let display = apigen::project::display_path(root, file);
    let package = package.to_owned();
    let mut warnings = 0;
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
    let mut loaded = None;
    let generated = apigen::load::load_file_with(file, &display, load).and_then(|spec| {
        crate::print_warnings(&spec);
        warnings = spec.warnings.len();
        row.operations = spec.api.operations().count();
        row.schemas = spec.api.components.as_ref().map_or(0, |c| c.schemas.len());
        let output = apigen::generate_from(
            &spec,
            &apigen::Options {
                package: package.clone(),
                standalone: true,
            },
        );
        loaded = Some(spec);
        output
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
    let ok = match warnings {
        0 => "ok".to_owned(),
        1 => "ok (1 warning)".to_owned(),
        n => format!("ok ({n} warnings)"),
    };
    if settings.skip_clippy {
        row.ok = true;
        row.result = format!("{ok}, clippy skipped");
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
    let mut ok = ok;
    if let (true, Some(spec)) = (settings.examples, &loaded) {
        match crate::examples::run(root, &dir, spec, &package) {
            Ok(outcome) => {
                let judged = crate::examples::report(name, &outcome, known);
                ok = format!(
                    "{ok}, examples {}/{} round-trip",
                    outcome.passed,
                    outcome.passed + outcome.failed.len()
                );
                if judged != ExitCode::SUCCESS {
                    row.result = format!("{ok}: unexpected example results");
                    return row;
                }
            }
            Err(e) => {
                eprintln!("--- examples of {name}: {e}");
                row.result = "examples test failed to build".to_owned();
                return row;
            }
        }
    }
    row.ok = true;
    row.result = ok;
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
