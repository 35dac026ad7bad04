//! Schema constructs that cannot be expressed give a clear error naming the
//! file and the JSON pointer of the place that uses them (and, for allOf
//! members that disagree, both places); nothing is generated.

use apigen_tests::{fixture, root};

fn error_of(file: &str) -> String {
    let path = fixture(&format!("bad/{file}"));
    let display = apigen::project::display_path(&root(), &path);
    let options = apigen::Options {
        package: "bad".to_owned(),
        standalone: true,
    };
    match apigen::generate(&path, &display, &options) {
        Ok(_) => panic!("{file} generated"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn conflicting_all_of_members_name_both_places() {
    let message = error_of("allof_conflict.yaml");
    assert!(
        message.starts_with("tests/fixtures/bad/allof_conflict.yaml: #/components/schemas/Derived/allOf/1/properties/size: unsupported:"),
        "{message}"
    );
    assert!(
        message.contains("string here but integer at #/components/schemas/Base/properties/size"),
        "{message}"
    );
}

#[test]
fn properties_beside_one_of_in_a_request_body_are_a_clear_error() {
    let message = error_of("flattened_in_params.yaml");
    assert!(
        message.contains("#/paths/~1v1~1pets/post/requestBody/content/application~1json/schema/properties/pet: unsupported: `Pet` (properties beside oneOf/anyOf)"),
        "{message}"
    );
}
