//! apigen: an OpenAPI 3.0 to Rust code generator.
//!
//! The pipeline is visible in the modules: [`load`] reads a YAML or JSON spec
//! and checks its references, [`lower`] turns it into the [`ir`] (deciding all
//! Rust names), and [`emit`] prints the IR as the files of a crate. [`generate`]
//! runs all three and returns the files in memory; nothing is written until
//! the caller has the whole result, so a bad spec never leaves a half-written
//! crate behind.

pub mod diff;
pub mod emit;
pub mod error;
pub mod examples;
pub mod ir;
pub mod load;
pub mod lower;
pub mod pointer;
pub mod project;
pub mod sync;

use std::path::Path;

pub use emit::{Options, Output};
pub use error::{Error, Location, Result};

/// Loads, lowers and emits the spec at `path` (named `display` in messages and headers).
pub fn generate(path: &Path, display: &str, options: &Options) -> Result<Output> {
    let spec = load::load_file(path, display)?;
    generate_from(&spec, options)
}

/// Lowers and emits an already loaded spec.
pub fn generate_from(spec: &load::Spec, options: &Options) -> Result<Output> {
    let api = lower::lower(spec)?;
    emit::emit(&api, spec, options)
}
