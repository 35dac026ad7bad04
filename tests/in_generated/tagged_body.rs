//! Discriminated unions in request bodies, run inside the crate generated
//! from `tests/fixtures/params/tagged_body.yaml` (package
//! `fixture-tagged-body`): `tests/tests/tagged_bodies.rs` writes this file
//! into that crate as `tests/tagged_body.rs`, lints it with the crate and
//! runs it. A union as a property of a JSON body, of a form body and as a
//! whole JSON body: the tag is written (added when the variant's type does
//! not carry it), read back to the same variant (every tag of a variant
//! selects it), an unknown or missing tag is a validation error naming
//! `param[kind]`, the held variant's rules are checked, and arbitrary values
//! round-trip every way.

#![cfg(all(feature = "full", feature = "proptest"))]

use fixture_tagged_body::form::{Rule, ValidationError};
use fixture_tagged_body::models::{Cat, Dog, Pet};
use fixture_tagged_body::params::{CreateAdoption, CreatePet, UpdatePet};
use fixture_tagged_body::runtime::Params;
use proptest::prelude::*;

const TAGS: &[&str] = &["dog", "puppy", "cat"];

fn dog() -> Pet {
    Pet::Dog(Box::new(Dog::new("dog", "woof")))
}

fn cat() -> Pet {
    Pet::Cat(Box::new(Cat::new(7)))
}

#[test]
fn a_json_body_property_writes_the_tag_and_reads_the_variant_back() {
    let params = CreatePet::new("rex", cat());
    let body = params.to_body();
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!({"name": "rex", "pet": {"lives": 7, "kind": "cat"}})
    );
    assert_eq!(CreatePet::from_wire("", &body), Ok(params));

    let params = CreatePet::new("rex", dog());
    let body = params.to_body();
    let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(json["pet"], serde_json::json!({"kind": "dog", "bark": "woof"}));
    assert_eq!(CreatePet::from_wire("", &body), Ok(params));
}

#[test]
fn every_tag_of_a_variant_selects_it() {
    let read = CreatePet::from_wire("", r#"{"name": "rex", "pet": {"kind": "puppy", "bark": "yip"}}"#)
        .expect("puppy is a dog");
    assert_eq!(read.pet, Pet::Dog(Box::new(Dog::new("puppy", "yip"))));
    let read = UpdatePet::from_wire("", "pet[kind]=puppy&pet[bark]=yip").expect("puppy is a dog");
    assert_eq!(read.pet, Some(Pet::Dog(Box::new(Dog::new("puppy", "yip")))));
}

#[test]
fn a_form_body_property_writes_the_tag_and_reads_the_variant_back() {
    let params = UpdatePet::new().pet(cat());
    let body = params.to_body();
    assert_eq!(body, "pet[lives]=7&pet[kind]=cat");
    assert_eq!(UpdatePet::from_wire("", &body), Ok(params));

    // The dog carries its tag: written once.
    let params = UpdatePet::new().pet(dog());
    let body = params.to_body();
    assert_eq!(body, "pet[kind]=dog&pet[bark]=woof");
    assert_eq!(UpdatePet::from_wire("", &body), Ok(params));
}

#[test]
fn a_whole_json_body_round_trips() {
    for pet in [cat(), dog()] {
        let params = CreateAdoption::new(pet);
        let body = Params::to_body(&params);
        assert_eq!(<CreateAdoption as Params>::from_wire("", &body), Ok(params));
    }
}

#[test]
fn an_unknown_tag_is_a_validation_error_naming_the_tag() {
    let error = CreatePet::from_wire("", r#"{"name": "rex", "pet": {"kind": "parrot"}}"#)
        .expect_err("parrots are not listed");
    assert_eq!(error, ValidationError::new("pet[kind]", Rule::Enum(TAGS)));
    assert_eq!(error.code(), "parameter_invalid_enum");

    let error = UpdatePet::from_wire("", "pet[kind]=parrot").expect_err("not listed");
    assert_eq!(error, ValidationError::new("pet[kind]", Rule::Enum(TAGS)));

    let error = CreateAdoption::from_wire("", r#"{"kind": "parrot"}"#).expect_err("not listed");
    assert_eq!(error, ValidationError::new("body[kind]", Rule::Enum(TAGS)));

    // A value of a tag this spec does not list cannot be sent either.
    let unknown = Pet::Unknown(serde_json::json!({"kind": "parrot"}));
    let error = CreatePet::new("rex", unknown).validate().expect_err("not listed");
    assert_eq!(error, ValidationError::new("pet[kind]", Rule::Enum(TAGS)));
}

#[test]
fn a_missing_tag_and_the_variants_rules_are_errors() {
    let error = UpdatePet::from_wire("", "pet[lives]=3").expect_err("no tag");
    assert_eq!(error, ValidationError::new("pet[kind]", Rule::Missing));
    let error = CreatePet::from_wire("", r#"{"name": "rex", "pet": {"lives": 3}}"#)
        .expect_err("no tag");
    assert_eq!(error, ValidationError::new("pet[kind]", Rule::Missing));

    // The cat reads no `kind` of its own, yet the tag is no unknown key;
    // another key is.
    let error = UpdatePet::from_wire("", "pet[kind]=cat&pet[lives]=3&pet[bark]=x")
        .expect_err("cats do not bark");
    assert_eq!(error, ValidationError::new("pet[bark]", Rule::Unknown));

    let error = UpdatePet::new()
        .pet(Pet::Cat(Box::new(Cat::new(12))))
        .validate()
        .expect_err("too many lives");
    assert_eq!(
        error,
        ValidationError::new(
            "pet[lives]",
            Rule::Maximum {
                limit: 9.0,
                exclusive: false
            }
        )
    );
    let error = CreateAdoption::new(Pet::Dog(Box::new(Dog::new("dog", "w".repeat(11)))))
        .validate()
        .expect_err("too loud");
    assert_eq!(error, ValidationError::new("body[bark]", Rule::MaxLength(10)));
}

proptest! {
    #[test]
    fn arbitrary_values_round_trip(
        create in any::<CreatePet>(),
        update in any::<UpdatePet>(),
        adopt in any::<CreateAdoption>(),
    ) {
        prop_assert_eq!(CreatePet::from_wire("", &create.to_body()), Ok(create));
        prop_assert_eq!(UpdatePet::from_wire("", &update.to_body()), Ok(update));
        let body = Params::to_body(&adopt);
        prop_assert_eq!(<CreateAdoption as Params>::from_wire("", &body), Ok(adopt));
    }
}
