//! The checked-in `generated/` crate must be exactly what the spec gives:
//! `cargo test` alone catches a stale crate, with the same diff that
//! `cargo xtask codegen --check` prints.

use apigen::project::{GENERATED, PACKAGE, SPEC};
use apigen::sync::Stale;
use apigen_tests::root;

#[test]
fn generated_crate_is_fresh() {
    let root = root();
    let spec = root.join(SPEC);
    let display = apigen::project::display_path(&root, &spec);
    let options = apigen::Options {
        package: PACKAGE.to_owned(),
        standalone: false,
    };
    let output = apigen::generate(&spec, &display, &options).unwrap_or_else(|e| panic!("{e}"));
    let stale = apigen::sync::check(&root.join(GENERATED), &output).expect("read generated/");
    let report: Vec<String> = stale
        .iter()
        .map(|s| match s {
            Stale::Changed { diff, .. } => diff.clone(),
            Stale::Extra { path } => {
                format!("stale file {path}: the spec no longer generates it\n")
            }
        })
        .collect();
    assert!(
        stale.is_empty(),
        "generated/ is stale; run `cargo xtask codegen`:\n{}",
        report.concat()
    );
}
