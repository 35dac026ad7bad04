//! Stage 1 of the pipeline: read a spec file (YAML or JSON), check that it is
//! OpenAPI 3.0.x or 3.1.x, bundle the other files its `$ref`s name into one document
//! (`bundle/`; a URL is never fetched, only mapped to a local path by
//! [`LoadOptions`]), check that every `$ref` resolves, repair the small flaws
//! whose meaning is clear (`repair.rs`, each a [`Warning`]), and deserialize
//! it into `openapiv3::OpenAPI`. The raw JSON tree is kept beside the typed
//! document so later stages can resolve references and report JSON pointers;
//! `walk.rs` knows which parts of a document are data (examples, defaults,
//! `x-` extensions), never resolved or checked. A single-file spec without
//! external refs skips bundling entirely. A 3.1 document is then rewritten
//! into the 3.0 document it means (`v31.rs`), with a warning for what the
//! Rust types cannot carry.

mod bundle;
mod locate;
mod parse;
mod repair;
pub mod v31;
mod walk;

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::{Error, Location, Result};
use crate::pointer::Pointer;

/// A loaded, reference-checked OpenAPI 3.0 document.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file as the user named it; used in messages and `@generated` headers.
    pub file: String,
    /// Lower-case hex SHA-256 of the file's bytes (of a split spec: of the
    /// root's hash and every other file read, with their paths).
    pub sha256: String,
    /// The document as a JSON tree (YAML is converted; map keys become
    /// strings). A split spec is bundled: every `$ref` in it is local.
    pub raw: Value,
    /// The typed document.
    pub api: openapiv3::OpenAPI,
    /// The flaws repaired while loading, in the order they were found.
    pub warnings: Vec<Warning>,
    /// Where the pieces of a bundled spec came from (empty for one file).
    pub origins: Vec<Origin>,
}

impl Spec {
    /// A location in this spec: for a piece brought in from another file, the
    /// place in that file.
    pub fn at(&self, pointer: &Pointer) -> Location {
        locate(&self.origins, &self.file, pointer)
    }
}

/// A piece of a bundled spec that came from another file: the pointer it has
/// in the bundled document and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub bundled: String,
    pub at: Location,
}

/// The location the user wrote for `pointer` of the bundled document: the
/// origin with the longest matching prefix, else `file` itself.
fn locate(origins: &[Origin], file: &str, pointer: &Pointer) -> Location {
    let text = pointer.as_str();
    let best = origins
        .iter()
        .filter(|o| {
            text.strip_prefix(o.bundled.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .max_by_key(|o| o.bundled.len());
    match best {
        Some(origin) => {
            let rest = &text[origin.bundled.len()..];
            Location {
                file: origin.at.file.clone(),
                pointer: format!("{}{rest}", origin.at.pointer),
            }
        }
        None => Location {
            file: file.to_owned(),
            pointer: text.to_owned(),
        },
    }
}

/// A flaw the loader repaired: where, what, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Warning {
    pub at: Location,
    pub message: String,
    pub repair: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.at, self.message, self.repair)
    }
}

/// How to load: what the loader may read besides the spec's own files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// URL prefixes read from local paths instead (a `$ref` to a URL is never
    /// fetched). The longest matching prefix wins.
    pub map_url: Vec<UrlMap>,
}

/// `PREFIX=PATH`: a `$ref` to a URL that starts with `prefix` reads
/// `path` joined with the rest of the URL (`path` itself when nothing is left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlMap {
    pub prefix: String,
    pub path: PathBuf,
}

impl std::str::FromStr for UrlMap {
    type Err = String;

    /// Parses `PREFIX=PATH` (the last `=` splits: URLs may hold one).
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        match text.rsplit_once('=') {
            Some((prefix, path)) if !prefix.is_empty() && !path.is_empty() => Ok(UrlMap {
                prefix: prefix.to_owned(),
                path: PathBuf::from(path),
            }),
            _ => Err(format!("expected PREFIX=DIR, found {text:?}")),
        }
    }
}

impl LoadOptions {
    /// The local path a URL maps to, if some prefix matches.
    fn map(&self, url: &str) -> Option<PathBuf> {
        let map = self
            .map_url
            .iter()
            .filter(|m| url.starts_with(m.prefix.as_str()))
            .max_by_key(|m| m.prefix.len())?;
        let rest = url[map.prefix.len()..].trim_start_matches('/');
        Some(if rest.is_empty() {
            map.path.clone()
        } else {
            map.path.join(rest)
        })
    }
}

/// Reads and loads the spec at `path`; `display` is how messages name the file.
pub fn load_file(path: &Path, display: &str) -> Result<Spec> {
    load_file_with(path, display, &LoadOptions::default())
}

/// Reads and loads the spec at `path`, bundling the other files its `$ref`s
/// name (relative to the file holding each `$ref`, URLs through `options`).
pub fn load_file_with(path: &Path, display: &str, options: &LoadOptions) -> Result<Spec> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        file: display.to_owned(),
        source,
    })?;
    load(&bytes, display, Some(path), options)
}

/// Loads a spec from its bytes. JSON is expected when `display` ends in
/// `.json`; anything else is read as YAML (which also accepts JSON). A spec
/// given as bytes cannot `$ref` other files.
pub fn load_bytes(bytes: &[u8], display: &str) -> Result<Spec> {
    load(bytes, display, None, &LoadOptions::default())
}

fn load(bytes: &[u8], display: &str, path: Option<&Path>, options: &LoadOptions) -> Result<Spec> {
    let file = display.to_owned();
    let mut sha256 = hex(&Sha256::digest(bytes));
    let mut raw = parse::read(bytes, display)?;
    check_version(&raw, &file)?;
    if let Some(path) = path {
        split_component_maps(&mut raw, path, display)?;
    }
    let refs = walk::scan_refs(&raw);
    let mut origins = Vec::new();
    if let Some((at, target)) = refs.external {
        let Some(path) = path else {
            return Err(Error::Unsupported {
                at: Location {
                    file,
                    pointer: at.to_string(),
                },
                message: format!(
                    "external $ref '{target}' in a spec read from memory: load it from its file"
                ),
            });
        };
        let bundled = bundle::bundle(raw, path, display, &sha256, options)?;
        raw = bundled.raw;
        origins = bundled.origins;
        sha256 = hex(&bundled.sha256);
        if let Some((at, target)) = walk::scan_refs(&raw).dangling {
            return Err(Error::DanglingRef {
                at: locate(&origins, &file, &at),
                target,
            });
        }
    } else if let Some((at, target)) = refs.dangling {
        return Err(Error::DanglingRef {
            at: Location {
                file,
                pointer: at.to_string(),
            },
            target,
        });
    }
    let mut warnings = Vec::new();
    // A 3.1 document is read as the 3.0 document it means (`v31.rs`).
    if v31::is_31(&raw) {
        let notes = v31::normalize(&mut raw).map_err(|(pointer, message)| Error::Unsupported {
            at: locate(&origins, &file, &pointer),
            message,
        })?;
        warnings.extend(notes.into_iter().map(|note| Warning {
            at: locate(
                &origins,
                &file,
                &Pointer::from_ref(&note.pointer).unwrap_or_else(Pointer::root),
            ),
            message: note.message,
            repair: "OpenAPI 3.1 read as 3.0".to_owned(),
        }));
    }
    warnings.extend(repair::repair(&mut raw, &file, &origins));
    // The plain deserializer first: tracking the path costs a third of the
    // time, and is only needed to say where an invalid document goes wrong.
    if let Ok(api) = <openapiv3::OpenAPI as serde::Deserialize>::deserialize(&raw) {
        return Ok(Spec {
            file,
            sha256,
            raw,
            api,
            warnings,
            origins,
        });
    }
    let api = serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&raw).map_err(|e| {
        // Prefer the deepest invalid node; serde loses the path below `flatten`.
        let (pointer, message) = locate::locate(&raw)
            .unwrap_or_else(|| (path_to_pointer(e.path()), e.into_inner().to_string()));
        Error::Invalid {
            at: locate(&origins, &file, &pointer),
            message,
        }
    })?;
    Ok(Spec {
        file,
        sha256,
        raw,
        api,
        warnings,
        origins,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A whole map of components given by a `$ref` to another file
/// (`components: {schemas: {$ref: ./schemas/_index.yaml}}`) becomes one
/// entry per key of that file, each a `$ref` to `file#/key`, so the bundler
/// hoists them under their own names and resolves what they refer to from
/// that file's folder.
fn split_component_maps(raw: &mut Value, path: &Path, display: &str) -> Result<()> {
    let Some(Value::Object(components)) = raw.get_mut("components") else {
        return Ok(());
    };
    for (kind, map) in components.iter_mut() {
        let Some(target) = map
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.get("$ref"))
            .and_then(Value::as_str)
            .filter(|t| !t.starts_with('#') && !t.contains("://") && !t.contains('#'))
            .map(str::to_owned)
        else {
            continue;
        };
        let at = Pointer::root().push("components").push(kind).push("$ref");
        let file = path.parent().unwrap_or(Path::new(".")).join(&target);
        let bytes = std::fs::read(&file).map_err(|e| Error::Unsupported {
            at: Location {
                file: display.to_owned(),
                pointer: at.to_string(),
            },
            message: format!("cannot read '{target}': {e}"),
        })?;
        let content = parse::read(&bytes, &target)?;
        let Value::Object(entries) = content else {
            return Err(Error::Invalid {
                at: Location {
                    file: display.to_owned(),
                    pointer: at.to_string(),
                },
                message: format!("'{target}' is not a mapping of components"),
            });
        };
        // An entry that is itself only a `$ref` to another file is referred
        // to directly (relative to the root's folder), so it is hoisted once,
        // under the entry's name.
        let folder = Path::new(&target).parent().unwrap_or(Path::new(""));
        *map = Value::Object(
            entries
                .iter()
                .map(|(key, entry)| {
                    let direct = entry
                        .as_object()
                        .filter(|m| m.len() == 1)
                        .and_then(|m| m.get("$ref"))
                        .and_then(Value::as_str)
                        .filter(|t| !t.starts_with('#') && !t.contains("://"));
                    let reference = match direct {
                        Some(other) => folder.join(other).to_string_lossy().replace('\\', "/"),
                        None => format!("{target}{}", Pointer::root().push(key).as_str()),
                    };
                    (key.clone(), serde_json::json!({ "$ref": reference }))
                })
                .collect(),
        );
    }
    Ok(())
}

fn check_version(raw: &Value, file: &str) -> Result<()> {
    let at = || Location {
        file: file.to_owned(),
        pointer: "#/openapi".to_owned(),
    };
    if !raw.is_object() {
        return Err(Error::Version {
            at: Location {
                file: file.to_owned(),
                pointer: "#".to_owned(),
            },
            message: "the document is not a mapping".to_owned(),
        });
    }
    match raw.get("openapi") {
        Some(Value::String(v)) if v.starts_with("3.0.") || v.starts_with("3.1.") => Ok(()),
        Some(Value::String(v)) => Err(Error::Version {
            at: at(),
            message: format!("`openapi` is \"{v}\"; only 3.0.x and 3.1.x are supported"),
        }),
        Some(other) => Err(Error::Version {
            at: at(),
            message: format!("`openapi` must be a string such as \"3.0.3\", found {other}"),
        }),
        None if raw.get("swagger").is_some() => Err(Error::Version {
            at: Location {
                file: file.to_owned(),
                pointer: "#/swagger".to_owned(),
            },
            message: "this is a Swagger 2.0 document; convert it to OpenAPI 3.0 first".to_owned(),
        }),
        None => Err(Error::Version {
            at: at(),
            message: "the `openapi` field is missing".to_owned(),
        }),
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    path.iter()
        .fold(Pointer::root(), |p, segment| match segment {
            Segment::Seq { index } => p.push(index),
            Segment::Map { key } => p.push(key),
            Segment::Enum { variant } => p.push(variant),
            Segment::Unknown => p,
        })
}
