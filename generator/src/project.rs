//! This workspace's conventions, shared by `cargo xtask codegen` and the
//! freshness test so both always generate the same bytes: where the spec and
//! the generated crate live, and how a path is named in messages and headers.

use std::path::{Component, Path};

/// The spec the checked-in crate is generated from, relative to the workspace root.
pub const SPEC: &str = "spec/promotion_codes.yaml";
/// The checked-in generated crate, relative to the workspace root.
pub const GENERATED: &str = "generated";
/// Its package name.
pub const PACKAGE: &str = "promo-api";

/// `path` as shown in messages and `@generated` headers: relative to the
/// workspace root (`spec/x.yaml`, `../shared/y.json`) so that it is the same
/// on every machine; absolute only when it shares nothing with the root.
pub fn display_path(root: &Path, path: &Path) -> String {
    let absolute = |p: &Path| {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                std::env::current_dir().unwrap_or_default().join(p)
            }
        })
    };
    let (root, path) = (absolute(root), absolute(path));
    let root_parts: Vec<Component> = root.components().collect();
    let path_parts: Vec<Component> = path.components().collect();
    let common = root_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return path.to_string_lossy().into_owned();
    }
    let ups = root_parts.len() - common;
    let mut parts: Vec<String> = vec!["..".to_owned(); ups];
    parts.extend(
        path_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}
