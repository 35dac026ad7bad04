//! Finding and reading the files a split spec's `$ref`s name: a relative
//! path from the folder of the file holding the `$ref`, a URL only through
//! [`LoadOptions::map_url`](crate::load::LoadOptions), each file read and
//! parsed once; and how messages name those files (relative to the root's
//! folder, after the root's name as the user gave it).

use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;
use sha2::Digest;

use super::{Bundler, Here};
use crate::error::{Error, Location, Result};
use crate::load::parse;

impl Bundler<'_> {
    /// The canonical file and the fragment (`""` or `/a/b`) a `$ref` names,
    /// relative to the file at `here`.
    pub(super) fn resolve(
        &self,
        target: &str,
        here: &Here,
        site: &Location,
    ) -> Result<(PathBuf, String)> {
        let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
        let fragment = percent_decode(fragment);
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(Error::Unsupported {
                at: site.clone(),
                message: format!(
                    "$ref '{target}': the part after `#` must be a JSON pointer (`#/...`)"
                ),
            });
        }
        if path.is_empty() {
            return Ok(((*here.file).clone(), fragment));
        }
        let file = if is_url(path) {
            self.options.map(path).ok_or_else(|| Error::UrlRef {
                at: site.clone(),
                url: target.to_owned(),
            })?
        } else {
            let folder = here.file.parent().unwrap_or(Path::new("."));
            folder.join(percent_decode(path))
        };
        let file = file.canonicalize().map_err(|source| Error::RefFile {
            at: site.clone(),
            // A mapped URL's path is relative to the working folder: as given.
            file: if file.is_absolute() {
                self.display(&file)
            } else {
                file.display().to_string()
            },
            target: target.to_owned(),
            source,
        })?;
        Ok((file, fragment))
    }

    /// A parsed file (read once) and its display name.
    pub(super) fn file(
        &mut self,
        file: &Path,
        target: &str,
        site: &Location,
    ) -> Result<(Rc<Value>, Rc<str>)> {
        let display: Rc<str> = Rc::from(self.display(file).as_str());
        if let Some(doc) = self.files.get(file) {
            return Ok((Rc::clone(doc), display));
        }
        let bytes = std::fs::read(file).map_err(|source| Error::RefFile {
            at: site.clone(),
            file: display.to_string(),
            target: target.to_owned(),
            source,
        })?;
        let relative = relative(&self.root_dir, file);
        self.hasher.update(relative.to_string_lossy().as_bytes());
        self.hasher.update(&bytes);
        let doc = Rc::new(parse::read(&bytes, &display)?);
        self.files.insert(file.to_path_buf(), Rc::clone(&doc));
        Ok((doc, display))
    }

    /// How messages name `file`: its path relative to the root's folder, put
    /// after the folder of the root as the user named it.
    pub(super) fn display(&self, file: &Path) -> String {
        if file == self.root {
            return self.root_display.clone();
        }
        let base = Path::new(&self.root_display)
            .parent()
            .unwrap_or(Path::new(""));
        let joined = base.join(relative(&self.root_dir, file));
        joined.to_string_lossy().replace('\\', "/")
    }
}

/// `to` relative to the folder `from` (both canonical), with `..` as needed.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to_parts[common..] {
        out.push(part.as_os_str());
    }
    out
}

fn is_url(path: &str) -> bool {
    path.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// `%XX` escapes of a URI reference, decoded (invalid ones are kept).
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_with_dots() {
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/b/c/d.yaml")),
            Path::new("c/d.yaml")
        );
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/x/d.yaml")),
            Path::new("../x/d.yaml")
        );
    }

    #[test]
    fn urls_and_escapes() {
        assert!(is_url("https://example.com/a.yaml"));
        assert!(!is_url("./a.yaml"));
        assert_eq!(percent_decode("a%20b%zz"), "a b%zz");
    }
}
