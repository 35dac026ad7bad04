//! Bundling a spec split over several files into one document, so that the
//! rest of the pipeline only ever meets local `#/...` references.
//!
//! A `$ref` to another file (`./schemas/pet.yaml#/Pet`, `common.yaml`, a
//! mapped URL) is resolved from the folder of the file that holds it, and
//! what it names is brought in according to where the `$ref` stands:
//!
//! - a **schema** is hoisted into `#/components/schemas/<name>` once per
//!   target (so cycles across files close, and the type keeps a name) and the
//!   `$ref` points there. The name is the target's key under `components/<kind>/`
//!   or `definitions/` (nested keys joined by `_`), the file stem for a whole
//!   file; a name already taken gets the file stem in front, then `_2`, `_3`...
//!   Names are given in document order, so they are the same on every run.
//!   A target that is itself only a `$ref` to another file takes that file's
//!   schema (no alias in between), and a root component that is only a
//!   `$ref` to another file becomes that schema under the component's name;
//! - anything else (path items, parameters, responses, request bodies,
//!   headers, examples, whole `content` maps) is copied in place of the `$ref`;
//! - a target inside the root file becomes a local `$ref` to it;
//! - a discriminator `mapping` value that names a file or a pointer is a
//!   schema reference too (one into a piece already placed points there).
//!
//! Keys OpenAPI does not define for an object, and data (examples,
//! defaults, `x-` extensions), are copied as written (see `walk.rs`).
//!
//! Every file is read and parsed once (keyed by its canonical path). The
//! [`Origin`]s record where each piece came from, so that a later error in a
//! hoisted or copied piece names the file and pointer the user wrote.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

mod files;

use super::walk::{Kind, Obj, child};
use super::{LoadOptions, Origin};
use crate::error::{Error, Location, Result};
use crate::pointer::Pointer;

/// The bundled document, where its pieces came from, and a hash of every file read.
pub struct Bundled {
    pub raw: Value,
    pub origins: Vec<Origin>,
    /// SHA-256 over the root's hash, then each other file's path (relative to
    /// the root's folder) and bytes, in the order they were first read.
    pub sha256: Vec<u8>,
}

/// Bundles `raw`, read from `root` (named `display` in messages).
pub fn bundle(
    raw: Value,
    root: &Path,
    display: &str,
    root_sha: &str,
    options: &LoadOptions,
) -> Result<Bundled> {
    let root_path = root.canonicalize().map_err(|source| Error::Read {
        file: display.to_owned(),
        source,
    })?;
    let taken = raw
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|k| fold(k)).collect())
        .unwrap_or_default();
    let mut hasher = Sha256::new();
    hasher.update(root_sha.as_bytes());
    let root_doc = Rc::new(raw);
    let mut bundler = Bundler {
        options,
        root_dir: root_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        root_display: display.to_owned(),
        root: root_path.clone(),
        files: HashMap::from([(root_path.clone(), Rc::clone(&root_doc))]),
        hasher,
        hoisted: HashMap::new(),
        taken,
        adopt: HashMap::new(),
        schemas: Vec::new(),
        inlining: Vec::new(),
        origins: Vec::new(),
        placed: Vec::new(),
    };
    let here = Here {
        file: Rc::new(root_path),
        display: Rc::from(display),
        at: Pointer::root(),
        out: Pointer::root(),
    };
    bundler.adopt_components(&root_doc, &here);
    let mut out = bundler.value(&root_doc, Kind::ROOT, &here)?;
    if !bundler.schemas.is_empty() {
        let root = out
            .as_object_mut()
            .expect("the root was checked to be a mapping");
        let components = root
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(components) = components.as_object_mut() else {
            return Err(Error::Invalid {
                at: Location {
                    file: display.to_owned(),
                    pointer: "#/components".to_owned(),
                },
                message: "`components` is not a mapping".to_owned(),
            });
        };
        let schemas = components
            .entry("schemas")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(schemas) = schemas.as_object_mut() else {
            return Err(Error::Invalid {
                at: Location {
                    file: display.to_owned(),
                    pointer: "#/components/schemas".to_owned(),
                },
                message: "`components/schemas` is not a mapping".to_owned(),
            });
        };
        for (name, schema) in std::mem::take(&mut bundler.schemas) {
            schemas.insert(name, schema);
        }
    }
    Ok(Bundled {
        raw: out,
        origins: bundler.origins,
        sha256: bundler.hasher.finalize().to_vec(),
    })
}

/// Where the walk is: the file (canonical) and its display name, the pointer
/// in that file, and the pointer of the same node in the bundled document.
#[derive(Clone)]
struct Here {
    file: Rc<PathBuf>,
    display: Rc<str>,
    at: Pointer,
    out: Pointer,
}

impl Here {
    fn push(&self, token: impl std::fmt::Display + Copy) -> Here {
        Here {
            file: Rc::clone(&self.file),
            display: Rc::clone(&self.display),
            at: self.at.push(token),
            out: self.out.push(token),
        }
    }

    fn location(&self, pointer: &Pointer) -> Location {
        Location {
            file: self.display.to_string(),
            pointer: pointer.to_string(),
        }
    }
}

struct Bundler<'o> {
    options: &'o LoadOptions,
    root: PathBuf,
    root_dir: PathBuf,
    root_display: String,
    /// Parsed files by canonical path (the root included).
    files: HashMap<PathBuf, Rc<Value>>,
    hasher: Sha256,
    /// (file, pointer) of a hoisted schema -> its name in `components/schemas`.
    hoisted: HashMap<(PathBuf, String), String>,
    /// Names given, folded (lower case, letters and digits only): names that
    /// differ only in case or punctuation would make the same Rust name.
    taken: HashSet<String>,
    /// Root `components/schemas` entries that are only a `$ref` to another
    /// file (by their pointer): the entry takes the target's content and name.
    adopt: HashMap<String, (PathBuf, String)>,
    /// Hoisted schemas in the order they were named.
    schemas: Vec<(String, Value)>,
    /// The non-schema targets being copied, to refuse a cycle of them.
    inlining: Vec<(PathBuf, String)>,
    origins: Vec<Origin>,
    /// Where each piece of another file was placed: (file, pointer in it,
    /// pointer in the bundled document).
    placed: Vec<(PathBuf, String, Pointer)>,
}

impl Bundler<'_> {
    /// A root component schema that is only a `$ref` to another file is that
    /// file's schema under the component's name (registered before the walk,
    /// so every `$ref` to the same target uses the name).
    fn adopt_components(&mut self, root: &Value, here: &Here) {
        let Some(schemas) = root
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        else {
            return;
        };
        for (key, schema) in schemas {
            let target = match schema.as_object() {
                Some(map) if map.len() == 1 => map.get("$ref").and_then(Value::as_str),
                _ => None,
            };
            let Some(target) = target else { continue };
            let here = here.push("components").push("schemas").push(key.as_str());
            let site = here.location(&here.at.push("$ref"));
            let Ok((file, fragment)) = self.resolve(target, &here, &site) else {
                continue;
            };
            let id = (file.clone(), fragment.clone());
            if file == self.root || self.hoisted.contains_key(&id) {
                continue;
            }
            self.hoisted.insert(id, key.clone());
            self.adopt.insert(here.out.to_string(), (file, fragment));
        }
    }

    /// The bundled copy of `node`, a node of `kind` at `here`.
    fn value(&mut self, node: &Value, kind: Kind, here: &Here) -> Result<Value> {
        match node {
            _ if kind == Kind::Data => Ok(node.clone()),
            Value::Object(map) => {
                if let Kind::Obj(obj) = kind
                    && let Some(Value::String(target)) = map.get("$ref")
                {
                    return self.reference(map, target, obj, here);
                }
                let mut out = Map::with_capacity(map.len());
                for (key, value) in map {
                    let copied = if kind == Kind::Obj(Obj::Discriminator) && key == "mapping" {
                        self.mapping(value, &here.push(key.as_str()))?
                    } else {
                        self.value(value, child(kind, key), &here.push(key.as_str()))?
                    };
                    out.insert(key.clone(), copied);
                }
                Ok(Value::Object(out))
            }
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| self.value(item, child(kind, ""), &here.push(i)))
                .collect::<Result<Vec<_>>>()
                .map(Value::Array),
            other => Ok(other.clone()),
        }
    }

    /// Records that the piece of a file at `here.at` is at `here.out`.
    fn place(&mut self, here: &Here) {
        let fragment = here.at.json_pointer().to_owned();
        self.placed
            .push(((*here.file).clone(), fragment, here.out.clone()));
    }

    /// Where the piece of `file` at `fragment` already is in the bundled
    /// document: inside the longest placed piece that holds it.
    fn placed(&self, file: &Path, fragment: &str) -> Option<Pointer> {
        let (_, inside, out) = self
            .placed
            .iter()
            .filter(|(f, inside, _)| {
                f == file
                    && fragment
                        .strip_prefix(inside.as_str())
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .max_by_key(|(_, inside, _)| inside.len())?;
        let rest = &fragment[inside.len()..];
        Pointer::from_ref(&format!("{out}{rest}"))
    }

    /// A discriminator's `mapping`: values that name a file or a pointer are
    /// schema references too. A pointer into a piece already placed (a
    /// mapping to `#/oneOf/0` of the schema itself) points where it is now.
    fn mapping(&mut self, node: &Value, here: &Here) -> Result<Value> {
        let Value::Object(map) = node else {
            return Ok(node.clone());
        };
        let mut out = Map::with_capacity(map.len());
        for (key, value) in map {
            let here = here.push(key.as_str());
            let copied = match value {
                Value::String(target) if target.contains('#') || looks_like_file(target) => {
                    let site = here.location(&here.at);
                    let (file, fragment) = self.resolve(target, &here, &site)?;
                    if file == self.root {
                        Value::String(format!("#{fragment}"))
                    } else if let Some(now) = self.placed(&file, &fragment) {
                        Value::String(now.to_string())
                    } else {
                        let name = self.hoist(&file, &fragment, target, &site)?;
                        Value::String(format!("#/components/schemas/{}", escape(&name)))
                    }
                }
                other => other.clone(),
            };
            out.insert(key.clone(), copied);
        }
        Ok(Value::Object(out))
    }

    /// An object with a `$ref` to `target`, standing for an `obj`.
    fn reference(
        &mut self,
        map: &Map<String, Value>,
        target: &str,
        obj: Obj,
        here: &Here,
    ) -> Result<Value> {
        let site = here.location(&here.at.push("$ref"));
        let (file, fragment) = self.resolve(target, here, &site)?;
        if file == self.root {
            let doc = Rc::clone(&self.files[&self.root]);
            if doc.pointer(&fragment).is_none() {
                return Err(Error::DanglingRef {
                    at: site,
                    target: target.to_owned(),
                });
            }
            let mut out = map.clone();
            out.insert("$ref".to_owned(), Value::String(format!("#{fragment}")));
            return Ok(Value::Object(out));
        }
        if obj == Obj::Schema
            && let Some((file, fragment)) = self.adopt.remove(here.out.as_str())
        {
            let (doc, display) = self.file(&file, target, &site)?;
            let node = doc.pointer(&fragment).ok_or_else(|| Error::DanglingRef {
                at: site.clone(),
                target: target.to_owned(),
            })?;
            let inner = Here {
                file: Rc::new(file),
                display: Rc::clone(&display),
                at: Pointer::from_ref(&format!("#{fragment}")).unwrap_or_else(Pointer::root),
                out: here.out.clone(),
            };
            self.place(&inner);
            self.origins.push(Origin {
                bundled: here.out.to_string(),
                at: inner.location(&inner.at),
            });
            return self.value(node, Kind::Obj(obj), &inner);
        }
        if obj == Obj::Schema {
            let name = self.hoist(&file, &fragment, target, &site)?;
            let mut out = map.clone();
            out.insert(
                "$ref".to_owned(),
                Value::String(format!("#/components/schemas/{}", escape(&name))),
            );
            return Ok(Value::Object(out));
        }
        let key = (file.clone(), fragment.clone());
        if self.inlining.contains(&key) {
            return Err(Error::Unsupported {
                at: site,
                message: format!(
                    "$ref '{target}' leads back to itself through other files; only schemas may form cycles"
                ),
            });
        }
        let (doc, display) = self.file(&file, target, &site)?;
        let node = doc.pointer(&fragment).ok_or_else(|| Error::DanglingRef {
            at: site.clone(),
            target: target.to_owned(),
        })?;
        let inner = Here {
            file: Rc::new(file),
            display: Rc::clone(&display),
            at: Pointer::from_ref(&format!("#{fragment}")).unwrap_or_else(Pointer::root),
            out: here.out.clone(),
        };
        self.place(&inner);
        self.origins.push(Origin {
            bundled: here.out.to_string(),
            at: Location {
                file: display.to_string(),
                pointer: inner.at.to_string(),
            },
        });
        self.inlining.push(key);
        let copied = self.value(node, Kind::Obj(obj), &inner);
        self.inlining.pop();
        let mut copied = copied?;
        // A path item's own fields beside its `$ref` complete the target.
        if obj == Obj::PathItem
            && let Value::Object(out) = &mut copied
        {
            for (key, value) in map.iter().filter(|(k, _)| *k != "$ref") {
                if !out.contains_key(key) {
                    let value =
                        self.value(value, child(Kind::Obj(obj), key), &here.push(key.as_str()))?;
                    out.insert(key.clone(), value);
                }
            }
        }
        Ok(copied)
    }

    /// The name in `components/schemas` of the schema at `fragment` of `file`,
    /// hoisting it (and what it references) the first time.
    fn hoist(
        &mut self,
        file: &Path,
        fragment: &str,
        target: &str,
        site: &Location,
    ) -> Result<String> {
        let mut file = file.to_path_buf();
        let mut fragment = fragment.to_owned();
        let mut site = site.clone();
        let mut target = target.to_owned();
        let mut aliases = Vec::new();
        // Follow targets that are only a `$ref` to another file.
        let node = loop {
            let key = (file.clone(), fragment.clone());
            if let Some(name) = self.hoisted.get(&key) {
                let name = name.clone();
                for alias in aliases {
                    self.hoisted.insert(alias, name.clone());
                }
                return Ok(name);
            }
            let (doc, display) = self.file(&file, &target, &site)?;
            let node = doc.pointer(&fragment).ok_or_else(|| Error::DanglingRef {
                at: site.clone(),
                target: target.clone(),
            })?;
            let next = match node.as_object() {
                Some(map) if map.len() == 1 => map.get("$ref").and_then(Value::as_str),
                _ => None,
            };
            let Some(next) = next.filter(|_| aliases.len() < 32) else {
                break node.clone();
            };
            let here = Here {
                file: Rc::new(file.clone()),
                display: Rc::clone(&display),
                at: Pointer::from_ref(&format!("#{fragment}")).unwrap_or_else(Pointer::root),
                out: Pointer::root(),
            };
            let next_site = here.location(&here.at.push("$ref"));
            let (next_file, next_fragment) = self.resolve(next, &here, &next_site)?;
            if next_file == self.root {
                break node.clone();
            }
            aliases.push(key);
            file = next_file;
            fragment = next_fragment;
            site = next_site;
            target = next.to_owned();
        };
        let name = self.name(&file, &fragment);
        for alias in aliases {
            self.hoisted.insert(alias, name.clone());
        }
        self.hoisted
            .insert((file.clone(), fragment.clone()), name.clone());
        let slot = self.schemas.len();
        self.schemas.push((name.clone(), Value::Null));
        let display = self.display(&file);
        let here = Here {
            file: Rc::new(file),
            display: Rc::from(display.as_str()),
            at: Pointer::from_ref(&format!("#{fragment}")).unwrap_or_else(Pointer::root),
            out: Pointer::root()
                .push("components")
                .push("schemas")
                .push(&name),
        };
        self.place(&here);
        self.origins.push(Origin {
            bundled: here.out.to_string(),
            at: Location {
                file: display,
                pointer: here.at.to_string(),
            },
        });
        let copied = self.value(&node, Kind::Obj(Obj::Schema), &here)?;
        self.schemas[slot].1 = copied;
        Ok(name)
    }

    /// A fresh, readable name for the schema at `fragment` of `file`.
    fn name(&mut self, file: &Path, fragment: &str) -> String {
        let pointer = Pointer::from_ref(&format!("#{fragment}")).unwrap_or_else(Pointer::root);
        let tokens: Vec<String> = pointer.tokens().collect();
        let rest = match tokens.first().map(String::as_str) {
            Some("components") if tokens.len() > 2 => &tokens[2..],
            Some("definitions") if tokens.len() > 1 => &tokens[1..],
            _ => &tokens[..],
        };
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "schema".to_owned());
        let base = if rest.is_empty() {
            stem.clone()
        } else {
            rest.join("_")
        };
        let mut candidates = vec![base.clone()];
        if base != stem {
            candidates.push(format!("{stem}_{base}"));
        }
        let last = candidates.last().cloned().unwrap_or_default();
        let name = candidates
            .into_iter()
            .chain((2..).map(|n| format!("{last}_{n}")))
            .find(|c| !self.taken.contains(&fold(c)))
            .expect("an unbounded sequence of names has a free one");
        self.taken.insert(fold(&name));
        name
    }
}

/// A name as it matters for clashes: lower case, letters and digits only.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a `$ref` target names a file (a discriminator mapping may be a bare name).
fn looks_like_file(target: &str) -> bool {
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| target.ends_with(ext))
}

/// A key as a JSON pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}
