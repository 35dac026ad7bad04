//! Generated code must compile with warnings denied and pass clippy, for every
//! fixture spec and for both real Stripe subsets in `../shared` (skipped with a
//! message when `../shared` is absent). One test compiles them all, in turn,
//! sharing one target directory.

use apigen_tests::{compile, fixture, generate, shared};

#[test]
fn generated_crates_compile_without_warnings() {
    let mut specs: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(fixture("models"))
        .expect("fixtures/models")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            (
                format!(
                    "fixture-{}",
                    p.file_stem().unwrap().to_string_lossy().replace('_', "-")
                ),
                p,
            )
        })
        .collect();
    if let Some(shared) = shared("the real Stripe subsets") {
        for (name, file) in [
            ("stripe-2023-08-16", "promotion_codes.2023-08-16.json"),
            (
                "stripe-2026-09-30",
                "promotion_codes.2026-09-30.endive.json",
            ),
        ] {
            specs.push((name.to_owned(), shared.join("specs/stripe").join(file)));
        }
    }
    specs.sort();
    for (package, spec) in &specs {
        compile(&generate(spec, package), package);
    }
}
