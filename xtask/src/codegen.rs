//! `cargo xtask codegen [--check]`: generate a crate from a spec, or check that
//! the crate on disk is what the spec gives (printing a unified diff when not).

use std::path::PathBuf;
use std::process::ExitCode;

use crate::workspace_root;

pub fn run(
    check: bool,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    package: Option<String>,
    load: &apigen::load::LoadOptions,
) -> ExitCode {
    let root = workspace_root();
    let spec = spec.unwrap_or_else(|| root.join(apigen::project::SPEC));
    let default_out = root.join(apigen::project::GENERATED);
    let out = out.unwrap_or_else(|| default_out.clone());
    let is_default = out == default_out;
    let package = package.unwrap_or_else(|| {
        if is_default {
            apigen::project::PACKAGE.to_owned()
        } else {
            out.file_name().map_or_else(
                || "generated".to_owned(),
                |n| n.to_string_lossy().into_owned(),
            )
        }
    });
    let options = apigen::Options {
        package,
        standalone: !is_default,
    };
    let display = apigen::project::display_path(&root, &spec);
    let loaded = apigen::load::load_file_with(&spec, &display, load).inspect(crate::print_warnings);
    let output = match loaded.and_then(|loaded| apigen::generate_from(&loaded, &options)) {
        Ok(output) => output,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shown = apigen::project::display_path(&root, &out);
    if check {
        match apigen::sync::check(&out, &output) {
            Ok(stale) if stale.is_empty() => {
                println!("{shown} is up to date with {display}");
                ExitCode::SUCCESS
            }
            Ok(stale) => {
                report_drift(&out, &shown, &spec, &display, load);
                for s in &stale {
                    match s {
                        apigen::sync::Stale::Changed { diff, .. } => print!("{diff}"),
                        apigen::sync::Stale::Extra { path } => {
                            println!("stale file {path}: the spec no longer generates it")
                        }
                    }
                }
                eprintln!(
                    "error: {shown} is stale ({} file(s)); run `cargo xtask codegen`",
                    stale.len()
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: {shown}: {e}");
                ExitCode::FAILURE
            }
        }
    } else {
        match apigen::sync::write(&out, &output) {
            Ok(touched) if touched.is_empty() => {
                println!("{shown} was already up to date with {display}");
                ExitCode::SUCCESS
            }
            Ok(touched) => {
                for path in &touched {
                    let done = if out.join(path).exists() {
                        "wrote"
                    } else {
                        "removed"
                    };
                    println!("{done} {shown}/{path}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: writing {shown}: {e}");
                ExitCode::FAILURE
            }
        }
    }
}

/// Before the diff of a stale crate, what changed in the API since the spec
/// the crate was generated from (its normalized copy, `openapi.json`).
fn report_drift(
    out: &std::path::Path,
    shown: &str,
    spec: &std::path::Path,
    display: &str,
    load: &apigen::load::LoadOptions,
) {
    use std::io::IsTerminal;
    let file = apigen::diff::snapshot::FILE;
    let Ok(snapshot) = std::fs::read_to_string(out.join(file)) else {
        return;
    };
    let report = apigen::load::load_file_with(spec, display, load).and_then(|current| {
        apigen::diff::snapshot::drift_since(&snapshot, &format!("{shown}/{file}"), &current)
    });
    match report {
        Ok(report) if report.is_empty() => {}
        Ok(report) => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            print!("{}", apigen::diff::render::terminal(&report, color));
            println!();
        }
        Err(e) => eprintln!("warning: cannot report the API drift since {shown}/{file}: {e}"),
    }
}
