//! A snapshot of the generated crate's public API (types, fields, variants,
//! function and method signatures, traits, route constants), listed from the
//! checked-in `generated/src/**/*.rs` by `apigen::emit::surface`. A spec or
//! generator change that touches the Rust API shows here as a plain diff.

use apigen_tests::{compile, fixture, generate, root};

#[test]
fn generated_api_surface() {
    let crate_dir = root().join("generated");
    let mut files: Vec<(String, String)> = Vec::new();
    let mut pending = vec![crate_dir.join("src")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a generated directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path
                    .strip_prefix(&crate_dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                let text = std::fs::read_to_string(&path).expect("read a generated file");
                files.push((name, text));
            }
        }
    }
    files.sort();
    let surface = apigen::emit::surface::api_surface(
        files
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str())),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("api_surface", surface);
    });
}

/// The params generator on a spec made of edge cases (keyword and
/// method-like names, a body field named like a query parameter, nullable,
/// deprecated and clearable fields, unions, arrays of objects, a JSON body, an
/// integer path parameter): the crate compiles without warnings, and its
/// parameters, routes and errors are snapshotted.
#[test]
fn edge_case_params_surface() {
    let package = "params-edge-cases";
    let output = generate(&fixture("params/edge_cases.yaml"), package);
    compile(&output, package);
    let surface = apigen::emit::surface::api_surface(
        output
            .files
            .iter()
            .filter(|(path, _)| {
                path.starts_with("src/params/")
                    || ["src/routes.rs", "src/errors.rs"].contains(&path.as_str())
            })
            .map(|(path, text)| (path.as_str(), text.as_str())),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("api_surface_edge_cases", surface);
    });
}
