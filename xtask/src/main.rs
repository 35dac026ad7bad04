//! `cargo xtask`: the project's tasks, run through the alias in
//! `.cargo/config.toml`.
//!
//! - `cargo xtask codegen` regenerates `generated/` from `spec/promotion_codes.yaml`;
//!   `--spec` and `--out` choose another spec and output crate.
//! - `cargo xtask codegen --check` writes nothing, prints a unified diff of
//!   what is stale and exits 1 when the crate on disk differs from the spec.
//!
//! Exit codes: 0 success, 1 stale output or a bad spec.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Project tasks for the apigen workspace")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a Rust crate from an OpenAPI 3.0 spec.
    Codegen {
        /// Write nothing; print a diff and exit 1 if the output crate is stale.
        #[arg(long)]
        check: bool,
        /// The spec (YAML or JSON). Default: spec/promotion_codes.yaml.
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The crate directory to write. Default: generated/.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The package name of the generated crate. Default: promo-api for
        /// generated/, else the output directory's name.
        #[arg(long)]
        package: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen {
            check,
            spec,
            out,
            package,
        } => codegen(check, spec, out, package),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

fn codegen(
    check: bool,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    package: Option<String>,
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
    let output = match apigen::generate(&spec, &display, &options) {
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
                    println!("wrote {shown}/{path}");
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
