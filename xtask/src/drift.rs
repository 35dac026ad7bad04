//! `cargo xtask drift <old> <new>`: the semantic diff of two OpenAPI 3.0 specs
//! (what changed, whom it breaks, which semver bump the generated crate needs),
//! printed for a terminal, as Markdown or as JSON. Both specs are loaded and
//! lowered to the IR, and the IRs are compared (see `apigen::diff`).
//!
//! Exit codes: 0, or 1 when `--fail-on` says the changes are too much; 2 when
//! a spec cannot be read, parsed or lowered.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use apigen::diff::render::{Format, render};
use clap::ValueEnum;

/// How to print the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable, coloured when stdout is a terminal (and NO_COLOR is unset).
    Terminal,
    /// A pull-request comment.
    Markdown,
    /// The report as JSON, for tools.
    Json,
}

/// When to exit with status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Some change breaks clients built from the old spec on the wire.
    Breaking,
    /// Anything changed at all.
    Any,
}

pub fn run(
    old: &Path,
    new: &Path,
    format: OutputFormat,
    fail_on: Option<FailOn>,
    options: &apigen::load::LoadOptions,
) -> ExitCode {
    let load = |path: &Path| {
        let display = path.display().to_string();
        apigen::load::load_file_with(path, &display, options)
            .inspect(crate::print_warnings)
            .and_then(|spec| apigen::lower::lower(&spec))
    };
    let (old_api, new_api) = match (load(old), load(new)) {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let report = apigen::diff::diff(&old_api, &new_api);
    let stdout = std::io::stdout();
    let color = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let format = match format {
        OutputFormat::Terminal => Format::Terminal,
        OutputFormat::Markdown => Format::Markdown,
        OutputFormat::Json => Format::Json,
    };
    let text = render(&report, format, color);
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = stdout.lock().write_all(text.as_bytes());
    let fail = match fail_on {
        Some(FailOn::Breaking) => report.is_breaking(),
        Some(FailOn::Any) => !report.is_empty(),
        None => false,
    };
    if fail {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
