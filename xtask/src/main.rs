//! `cargo xtask`: the project's tasks, run through the alias in
//! `.cargo/config.toml`.
//!
//! - `cargo xtask codegen` regenerates `generated/` from `spec/promotion_codes.yaml`;
//!   `--spec` and `--out` choose another spec and output crate.
//! - `cargo xtask codegen --check` writes nothing, prints a unified diff of
//!   what is stale and exits 1 when the crate on disk differs from the spec.
//! - `cargo xtask bench compile` times compiling generated crates.
//! - `cargo xtask corpus <dir>` generates and checks a crate for every spec in a
//!   folder (a sub-folder is one split spec; `--only NAME`, `--skip-clippy`).
//! - `cargo xtask drift <old> <new>` reports the API drift between two specs
//!   (`--format terminal|markdown|json`, `--fail-on breaking|any`).
//!
//! `--map-url PREFIX=DIR` (on `codegen`, `drift` and `corpus`, repeatable)
//! reads a `$ref` to a URL starting with PREFIX from DIR instead (URLs are
//! never fetched). Warnings about repaired flaws of a spec go to stderr as
//! `warning: FILE: POINTER: message (repair)`.
//!
//! Exit codes: 0 success, 1 stale output or a bad spec (drift: 1 when
//! `--fail-on` trips, 2 for a bad spec).

mod bench;
mod codegen;
mod corpus;
mod drift;
mod examples;
mod fuzz;

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
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Benchmarks that are not `cargo bench`: `compile` (cold and
    /// incremental compile time of generated crates).
    Bench {
        /// Which benchmark: `compile`.
        what: String,
    },
    /// Generate and `cargo clippy` a crate for every OpenAPI document in a
    /// folder; print a table; exit 1 if any failed.
    Corpus {
        /// The folder: each YAML or JSON file with a top-level `openapi` key is
        /// a spec, each sub-folder one split spec (see `corpus.rs` for how its
        /// root is found); other files are listed as skipped.
        dir: PathBuf,
        /// Run only this spec (a file or sub-folder name; repeatable).
        #[arg(long = "only", value_name = "NAME")]
        only: Vec<String>,
        /// Generate only; do not run clippy on the generated crates.
        #[arg(long)]
        skip_clippy: bool,
        /// Also round-trip every example of each spec through its generated
        /// types (`cargo xtask examples`), judged against
        /// tests/corpus-examples-known.txt.
        #[arg(long)]
        examples: bool,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Generate a crate for a spec and round-trip every `example`/`examples`
    /// value of the spec through the generated types; exit 1 on a failure
    /// not listed in tests/corpus-examples-known.txt.
    Examples {
        /// The spec (YAML or JSON).
        spec: PathBuf,
        #[command(flatten)]
        load: LoadArgs,
    },
    /// Fuzz the generator: mutate real specs structurally and byte-wise and
    /// run load -> lower -> emit on each; exit 1 on a panic, a hang or an
    /// error without a location (inputs saved under target/fuzz/).
    Fuzz {
        /// Run for this many seconds (else --inputs, default 1000 inputs).
        #[arg(long)]
        seconds: Option<u64>,
        /// Stop after this many inputs.
        #[arg(long)]
        inputs: Option<u64>,
        /// The random seed: the same seed gives the same inputs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Report the API drift between two specs: what changed, whom it breaks,
    /// and the semver bump the generated crate needs.
    Drift {
        /// The spec existing clients were built from (YAML or JSON).
        old: PathBuf,
        /// The new spec (YAML or JSON).
        new: PathBuf,
        /// How to print the report.
        #[arg(long, value_enum, default_value = "terminal")]
        format: drift::OutputFormat,
        /// Exit 1 when some change breaks existing clients (`breaking`) or
        /// when anything changed (`any`).
        #[arg(long, value_enum)]
        fail_on: Option<drift::FailOn>,
        #[command(flatten)]
        load: LoadArgs,
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
            load,
        } => codegen::run(check, spec, out, package, &load.options()),
        Command::Bench { what } => bench::run(&what),
        Command::Corpus {
            dir,
            only,
            skip_clippy,
            examples,
            load,
        } => corpus::run(&dir, &only, skip_clippy, examples, &load.options()),
        Command::Examples { spec, load } => examples::command(&spec, &load.options()),
        Command::Fuzz {
            seconds,
            inputs,
            seed,
        } => fuzz::run(seconds, inputs, seed),
        Command::Drift {
            old,
            new,
            format,
            fail_on,
            load,
        } => drift::run(&old, &new, format, fail_on, &load.options()),
    }
}

/// How specs are loaded.
#[derive(clap::Args)]
struct LoadArgs {
    /// Read `$ref`s to URLs that start with PREFIX from the local DIR (or
    /// file, when the whole URL is the prefix); repeatable. URLs are never fetched.
    #[arg(long = "map-url", value_name = "PREFIX=DIR")]
    map_url: Vec<apigen::load::UrlMap>,
}

impl LoadArgs {
    fn options(&self) -> apigen::load::LoadOptions {
        apigen::load::LoadOptions {
            map_url: self.map_url.clone(),
        }
    }
}

/// Prints the flaws the loader repaired, one `warning:` line each, to stderr.
pub fn print_warnings(spec: &apigen::load::Spec) {
    for warning in &spec.warnings {
        eprintln!("warning: {warning}");
    }
}

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}
