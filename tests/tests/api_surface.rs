//! A snapshot of the generated crate's public API (types, fields, variants,
//! function and method signatures, traits, route constants), listed from the
//! checked-in `generated/src/*.rs` by `apigen::emit::surface`. A spec or
//! generator change that touches the Rust API shows here as a plain diff.

use apigen_tests::{compile, fixture, generate, root};

#[test]
fn generated_api_surface() {
    let dir = root().join("generated/src");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("generated/src")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let name = format!("src/{}", p.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&p).expect("read a generated file");
            (name, text)
        })
        .collect();
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
        ["src/params.rs", "src/routes.rs", "src/errors.rs"]
            .into_iter()
            .map(|path| (path, output.files[path].as_str())),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("api_surface_edge_cases", surface);
    });
}
