//! Errors of the whole pipeline. Every error that comes from the spec carries a
//! [`Location`]: the spec file as the user named it and the JSON pointer of the
//! offending node, so a message reads `spec.yaml: #/paths/~1v1~1x/post: problem`.

use std::fmt;

/// Where in which spec something is: the file as given and a JSON pointer
/// (RFC 6901, written as a URI fragment: `#/components/schemas/coupon`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: String,
    pub pointer: String,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.pointer)
    }
}

/// Everything that can go wrong between reading a spec and having Rust source.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: cannot read the spec: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not valid {format}: {message}")]
    Syntax {
        file: String,
        format: &'static str,
        message: String,
    },
    #[error("{at}: not an OpenAPI 3.0 or 3.1 document: {message}")]
    Version { at: Location, message: String },
    #[error("{at}: invalid OpenAPI document: {message}")]
    Invalid { at: Location, message: String },
    #[error("{at}: dangling $ref '{target}': nothing in the document at that pointer")]
    DanglingRef { at: Location, target: String },
    #[error(
        "{at}: $ref to the URL '{url}', which is never fetched: map its prefix to a local folder (`--map-url PREFIX=DIR`)"
    )]
    UrlRef { at: Location, url: String },
    #[error("{at}: cannot read '{file}', named by $ref '{target}': {source}")]
    RefFile {
        at: Location,
        file: String,
        target: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: unsupported: {message}")]
    Unsupported { at: Location, message: String },
    #[error("internal error: emitted Rust did not parse ({context}): {message}")]
    Emit { context: String, message: String },
}

impl Error {
    /// The spec location this error points at, when it has one.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Version { at, .. }
            | Error::Invalid { at, .. }
            | Error::DanglingRef { at, .. }
            | Error::UrlRef { at, .. }
            | Error::RefFile { at, .. }
            | Error::Unsupported { at, .. } => Some(at),
            Error::Read { .. } | Error::Syntax { .. } | Error::Emit { .. } => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
