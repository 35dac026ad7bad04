//! Stage 3 of the pipeline: print the IR as the files of a Rust crate.
//! `models` emits the types, `params` the parameters of each operation (with
//! their wire encoding and validation), `routes` the route table and resource
//! traits, `errors` the error response type; `runtime` and `form` are support
//! modules emitted verbatim; `crate_files` writes the `Cargo.toml` and
//! `lib.rs`; `server` and `client` (features of the generated crate) are
//! support code emitted verbatim followed by the items that know the
//! operations. Items are built as tokens and formatted by `prettyplease`,
//! except that `params` writes formatted text directly (see `text`). Every
//! file starts with an `@generated` header naming the spec and its SHA-256.
//! `surface` lists a generated crate's public API, for snapshots.

mod client;
mod crate_files;
pub mod docs;
mod errors;
mod models;
mod params;
mod routes;
mod server;
pub mod surface;
pub mod text;
pub mod types;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
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
/// What separates the verbatim half of `server.rs` and `client.rs` from the generated one.
const OPERATIONS: &str = "\n// ---------------------------------------------------------------------------\n// The operations of this API (generated from the route table)\n\n";
/// The support half of `server.rs` (feature `server`), emitted verbatim.
const SERVER: &str = include_str!("../../runtime/server.rs");
/// The support half of `client.rs` (feature `client`), emitted verbatim.
const CLIENT: &str = include_str!("../../runtime/client.rs");

pub fn emit(api: &Api, spec: &Spec, options: &Options) -> Result<Output> {
    let header = header(spec);
    let scope = types::Scope::new(api);
    let modules = params::layout(api, &scope);
    let mut files = BTreeMap::new();
    files.insert(
        "Cargo.toml".to_owned(),
        crate_files::cargo_toml(api, spec, options),
    );
    files.insert(
        "src/lib.rs".to_owned(),
        format!("{header}{}", crate_files::lib_rs(api, spec)),
    );
    // The spec itself, normalized, so `codegen --check` can report the API drift.
    files.insert(
        crate::diff::snapshot::FILE.to_owned(),
        crate::diff::snapshot::normalize(spec),
    );
    files.insert("src/runtime.rs".to_owned(), format!("{header}{RUNTIME}"));
    files.insert("src/form.rs".to_owned(), format!("{header}{FORM}"));
    files.insert(
        "src/models.rs".to_owned(),
        format!(
            "{header}{}",
            format_items(models::models(api, &scope), "models")?
        ),
    );
    files.insert(
        "src/params/mod.rs".to_owned(),
        format!("{header}{}", space_items(&params::mod_rs(&modules))),
    );
    for (module, text) in modules.iter().zip(params_parallel(api, &scope, &modules)) {
        files.insert(
            format!("src/params/{}.rs", module.module),
            format!("{header}{text}"),
        );
    }
    files.insert(
        "src/routes.rs".to_owned(),
        format!(
            "{header}{}",
            format_items(routes::routes(api, &scope), "routes")?
        ),
    );
    files.insert(
        "src/errors.rs".to_owned(),
        format!(
            "{header}{}",
            format_items(errors::errors(api, &scope), "errors")?
        ),
    );
    files.insert(
        "src/server.rs".to_owned(),
        format!(
            "{header}{SERVER}{OPERATIONS}{}",
            format_items(server::server(api, &scope), "server")?
        ),
    );
    files.insert(
        "src/client.rs".to_owned(),
        format!(
            "{header}{CLIENT}{OPERATIONS}{}",
            format_items(client::client(api, spec, &scope), "client")?
        ),
    );
    Ok(Output { files })
}

/// The params modules (the bulk of a large crate), written on as many threads
/// as there are cores, each thread taking the next module. The time it takes
/// counts as formatting (see [`StageTimes::format_cpu`]).
fn params_parallel(
    api: &Api,
    scope: &types::Scope,
    modules: &[params::ParamsModule],
) -> Vec<String> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let index = params::ApiIndex::new(api);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut texts: Vec<Option<String>> = (0..modules.len()).map(|_| None).collect();
    let done: Vec<Vec<(usize, String)>> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(module) = modules.get(i) else { break };
                        let started = Instant::now();
                        let text = space_items(&params::module_text(api, scope, &index, module));
                        count_format_time(started);
                        out.push((i, text));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a params worker panicked"))
            .collect()
    });
    for (i, text) in done.into_iter().flatten() {
        texts[i] = Some(text);
    }
    texts
        .into_iter()
        .map(|t| t.expect("every module was written"))
        .collect()
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
    count_format_time(started);
    Ok(text)
}

/// Adds the time since `started` to [`FORMAT_NANOS`].
fn count_format_time(started: Instant) {
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    FORMAT_NANOS.fetch_add(nanos, Ordering::Relaxed);
}

/// Time spent formatting (summed over threads), read by [`emit_profiled`].
static FORMAT_NANOS: AtomicU64 = AtomicU64::new(0);

/// How long [`emit`] took, and how much of its work was formatting.
#[derive(Clone, Copy, Debug, Default)]
pub struct StageTimes {
    /// Wall time of the whole of `emit` (tokens and formatting, on all threads).
    pub wall: Duration,
    /// CPU time spent formatting, summed over threads: parsing tokens with
    /// `syn` and printing them with `prettyplease`, and writing the params
    /// modules as text (which needs no separate formatting).
    pub format_cpu: Duration,
}

/// [`emit`], also saying how long it took and how much of it was formatting
/// (for the generation benchmark).
pub fn emit_profiled(api: &Api, spec: &Spec, options: &Options) -> Result<(Output, StageTimes)> {
    FORMAT_NANOS.store(0, Ordering::Relaxed);
    let started = Instant::now();
    let output = emit(api, spec, options)?;
    let wall = started.elapsed();
    let format_cpu = Duration::from_nanos(FORMAT_NANOS.load(Ordering::Relaxed));
    Ok((output, StageTimes { wall, format_cpu }))
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
        previous_closed_item = line == "}" || (line.ends_with(';') && !line.starts_with(' '));
    }
    out
}
