//! Stage 3 of the pipeline: print the IR as the files of a Rust crate.
//! `models` emits the types, `params` the parameters of each operation (with
//! their wire encoding and validation), `routes` the route table and resource
//! traits, `errors` the error response type; `runtime`, `form` and `json` are
//! support modules emitted verbatim; `crate_files` writes the `Cargo.toml` and
//! `lib.rs`; `server` and `client` (features of the generated crate) are
//! support code emitted verbatim followed by the items that know the
//! operations. `models` and `params`, the bulk of a large crate, write
//! formatted text directly (see `text`); the small files are built as tokens
//! and formatted by `prettyplease`. Files are produced on all cores. Every
//! file starts with an `@generated` header naming the spec and its SHA-256.
//! `surface` lists a generated crate's public API, for snapshots.

mod client;
mod crate_files;
pub mod docs;
mod errors;
pub mod gates;
mod models;
mod params;
mod responses;
mod routes;
mod server;
pub mod surface;
pub mod text;
pub mod types;
mod webhooks;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proc_macro2::TokenStream;

use crate::error::{Error, Result};
use crate::ir::Api;
use crate::load::Spec;

/// What kind of crate to write.
#[derive(Clone, Debug)]
pub struct Options {
    /// The package name in `Cargo.toml`.
    pub package: String,
    /// Add an empty `[workspace]` table, for a crate outside any workspace.
    pub standalone: bool,
}

/// The files of a generated crate, by path relative to the crate directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub files: BTreeMap<String, String>,
}

/// The runtime module, emitted verbatim (it is compiled as part of every generated crate).
const RUNTIME: &str = include_str!("../../runtime/runtime.rs");
/// The wire encoding and validation support module, emitted verbatim.
const FORM: &str = include_str!("../../runtime/form.rs");
/// The JSON request body support module, emitted verbatim.
const JSON: &str = include_str!("../../runtime/json.rs");
/// The OpenAPI parameter styles support module, emitted verbatim.
const STYLE: &str = include_str!("../../runtime/style.rs");
/// What separates the verbatim half of `server.rs` and `client.rs` from the generated one.
const OPERATIONS: &str = "\n// ---------------------------------------------------------------------------\n// The operations of this API (generated from the route table)\n\n";
/// Bodies as bytes (files, multipart, content negotiation), emitted verbatim.
const PAYLOAD: &str = include_str!("../../runtime/payload.rs");
/// Security schemes and credentials, emitted verbatim.
const SECURITY: &str = include_str!("../../runtime/security.rs");
/// The support half of `server.rs` (feature `server`), emitted verbatim.
const SERVER: &str = include_str!("../../runtime/server.rs");
/// The support half of `client.rs` (feature `client`), emitted verbatim.
const CLIENT: &str = include_str!("../../runtime/client.rs");

pub fn emit(api: &Api, spec: &Spec, options: &Options) -> Result<Output> {
    let header = header(spec);
    let scope = types::Scope::new(api);
    let modules = params::layout(api, &scope);
    let index = params::ApiIndex::new(api);
    let mut files = BTreeMap::new();
    files.insert(
        "Cargo.toml".to_owned(),
        crate_files::cargo_toml(api, spec, options),
    );
    files.insert(
        "src/lib.rs".to_owned(),
        format!("{header}{}", crate_files::lib_rs(api, spec)),
    );
    files.insert("src/runtime.rs".to_owned(), format!("{header}{RUNTIME}"));
    files.insert("src/form.rs".to_owned(), format!("{header}{FORM}"));
    files.insert("src/json.rs".to_owned(), format!("{header}{JSON}"));
    files.insert("src/payload.rs".to_owned(), format!("{header}{PAYLOAD}"));
    files.insert("src/security.rs".to_owned(), format!("{header}{SECURITY}"));
    files.insert("src/style.rs".to_owned(), format!("{header}{STYLE}"));
    files.insert(
        "src/params/mod.rs".to_owned(),
        format!("{header}{}", space_items(&params::mod_rs(&modules))),
    );
    // The rest are independent jobs, run on all cores: the biggest first.
    let one = |path: &str, text: String| Ok(vec![(path.to_owned(), text)]);
    let mut jobs: Vec<Job<'_>> = vec![
        Box::new(|| {
            Ok(models::models(api, &scope, index.gates())
                .into_iter()
                .map(|(path, text)| (format!("src/{path}"), text))
                .collect())
        }),
        Box::new(|| {
            let items = format_items(server::server(api, &scope), "server")?;
            one("src/server.rs", format!("{SERVER}{OPERATIONS}{items}"))
        }),
        Box::new(|| {
            one(
                "src/routes.rs",
                format_items(routes::routes(api, &scope), "routes")?,
            )
        }),
        Box::new(|| {
            let items = format_items(client::client(api, spec, &scope), "client")?;
            one("src/client.rs", format!("{CLIENT}{OPERATIONS}{items}"))
        }),
        Box::new(|| {
            one(
                "src/errors.rs",
                format_items(errors::errors(api, &scope), "errors")?,
            )
        }),
        Box::new(|| {
            Ok(webhooks::webhooks(api, &scope)
                .map(|text| ("src/webhooks.rs".to_owned(), text))
                .into_iter()
                .collect())
        }),
        // The spec itself, normalized, so `codegen --check` can report the API drift.
        Box::new(|| {
            Ok(vec![(
                crate::diff::snapshot::FILE.to_owned(),
                crate::diff::snapshot::normalize(spec),
            )])
        }),
    ];
    let mut by_size: Vec<&params::ParamsModule> = modules.iter().collect();
    by_size.sort_by_key(|m| std::cmp::Reverse(m.ops.len() + m.nested.len()));
    for module in by_size {
        let (scope, index) = (&scope, &index);
        jobs.push(Box::new(move || {
            let text = space_items(&params::module_text(api, scope, index, module));
            one(&format!("src/params/{}.rs", module.module), text)
        }));
    }
    for (path, text) in run_parallel(&jobs)? {
        let text = if path.ends_with(".rs") {
            format!("{header}{text}")
        } else {
            text
        };
        files.insert(path, text);
    }
    Ok(Output { files })
}

/// Files by path, as a job produces them.
type Files = Vec<(String, String)>;

/// A part of the crate that can be produced on its own.
type Job<'a> = Box<dyn Fn() -> Result<Files> + Send + Sync + 'a>;

/// Runs the jobs on as many threads as there are cores, each thread taking
/// the next job; the files of all of them, or the first error in job order.
/// Their CPU time is summed into [`StageTimes::cpu`].
fn run_parallel(jobs: &[Job<'_>]) -> Result<Files> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<Files>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        let started = Instant::now();
                        out.push((i, job()));
                        add_time(&JOB_NANOS, started);
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("an emit worker panicked"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    let mut files = Vec::new();
    for (_, result) in done {
        files.extend(result?);
    }
    Ok(files)
}

/// The comment that opens every generated Rust file.
pub fn header(spec: &Spec) -> String {
    format!(
        "// @generated by apigen {} from {}\n// spec sha256: {}\n// Do not edit: change the spec or the generator, then run `cargo xtask codegen`.\n\n",
        env!("CARGO_PKG_VERSION"),
        spec.file,
        spec.sha256,
    )
}

/// Parses emitted tokens as a file and pretty-prints them.
fn format_items(tokens: TokenStream, context: &str) -> Result<String> {
    let started = Instant::now();
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Emit {
        context: context.to_owned(),
        message: e.to_string(),
    })?;
    let text = space_items(&prettyplease::unparse(&file));
    add_time(&FORMAT_NANOS, started);
    Ok(text)
}

/// Adds the time since `started` to a counter read by [`emit_profiled`].
fn add_time(counter: &AtomicU64, started: Instant) {
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    counter.fetch_add(nanos, Ordering::Relaxed);
}

/// Time spent in `syn` + `prettyplease`, summed over threads.
static FORMAT_NANOS: AtomicU64 = AtomicU64::new(0);
/// Time spent in the parallel jobs of [`emit`], summed over threads.
static JOB_NANOS: AtomicU64 = AtomicU64::new(0);

/// How long [`emit`] took, and where the time went.
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    /// Wall time of the whole of `emit`, on all threads.
    pub wall: Duration,
    /// CPU time of the files produced in parallel (nearly all of `emit`),
    /// summed over threads.
    pub cpu: Duration,
    /// Of that, the CPU time of the formatting stage proper: parsing tokens
    /// with `syn` and printing them with `prettyplease` (the small files:
    /// routes, server, client, errors). Models and params are written as
    /// formatted text, with no separate formatting stage.
    pub format_cpu: Duration,
}

/// [`emit`], also saying how long it took and how much of it was formatting
/// (for the generation benchmark). Not meant to run twice at once.
pub fn emit_profiled(api: &Api, spec: &Spec, options: &Options) -> Result<(Output, StageTimes)> {
    FORMAT_NANOS.store(0, Ordering::Relaxed);
    JOB_NANOS.store(0, Ordering::Relaxed);
    let started = Instant::now();
    let output = emit(api, spec, options)?;
    let wall = started.elapsed();
    let times = StageTimes {
        wall,
        cpu: Duration::from_nanos(JOB_NANOS.load(Ordering::Relaxed)),
        format_cpu: Duration::from_nanos(FORMAT_NANOS.load(Ordering::Relaxed)),
    };
    Ok((output, times))
}

/// Puts a blank line between top-level items, as a person would.
fn space_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len() + code.len() / 16);
    let mut previous_closed_item = false;
    for line in code.lines() {
        if previous_closed_item && !line.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        // A doc comment or an attribute may end in `;` too; neither ends an item.
        let code_line =
            !line.starts_with(' ') && !line.starts_with("//") && !line.starts_with("#[");
        previous_closed_item = line == "}" || (line.ends_with(';') && code_line);
    }
    out
}
