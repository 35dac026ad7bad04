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

#[test]
fn all_of_members_of_different_types_name_both() {
    let message = error_of("allof_string_and_integer.yaml");
    assert!(
        message.starts_with("tests/fixtures/bad/allof_string_and_integer.yaml: #/components/schemas/Both/allOf/1: unsupported:"),
        "{message}"
    );
    assert!(
        message.contains("an integer beside a string at #/components/schemas/Both/allOf/0"),
        "{message}"
    );
}

#[test]
fn an_array_beside_an_object_in_all_of_is_a_clear_error() {
    let message = error_of("allof_array_and_object.yaml");
    assert!(
        message.contains("#/components/schemas/Both/allOf/1: unsupported: an `allOf` member that is an array beside the object at #/components/schemas/Both/allOf/0"),
        "{message}"
    );
}

#[test]
fn a_union_of_primitives_beside_an_object_in_all_of_is_a_clear_error() {
    let message = error_of("allof_primitive_union_and_object.yaml");
    assert!(
        message.contains("#/components/schemas/Both/allOf/1: unsupported: an `allOf` member that is a union of non-objects beside the object at #/components/schemas/Both/allOf/0"),
        "{message}"
    );
}
