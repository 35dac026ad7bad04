
#[test]
fn string_components_share_one_type() {
    let c: Contact = round_trip(json!("a@example.com"));
    assert!(matches!(c, Contact::Email(e) if *e == "a@example.com"));
}

#[test]
fn objects_with_more_required_properties_go_first() {
    assert!(matches!(round_trip::<Sized>(json!({"a": "x", "b": "y"})), Sized::Big(_)));
    assert!(matches!(round_trip::<Sized>(json!({"a": "x"})), Sized::Small(_)));
}

#[test]
fn shapes_are_tried_most_specific_first() {
    assert!(matches!(round_trip::<Mixed>(json!(3)), Mixed::Integer(3)));
    assert!(matches!(round_trip::<Mixed>(json!(3.5)), Mixed::Number(n) if n == 3.5));
    assert!(matches!(round_trip::<Mixed>(json!("s")), Mixed::String(_)));
    assert!(matches!(round_trip::<Mixed>(json!(["a"])), Mixed::Array(_)));
    assert!(matches!(round_trip::<Mixed>(json!({"k": 1})), Mixed::Map(_)));
    assert!(matches!(round_trip::<Inline>(json!({"iban": "DE00"})), Inline::Iban(_)));
}

#[test]
fn overlapping_any_of_keeps_everything() {
    let v: Overlapping = round_trip(json!({"a": "x", "b": "y", "c": 1}));
    assert_eq!(v["c"], 1);
}

#[test]
fn discriminated_unions_dispatch_on_the_tag() {
    assert!(matches!(round_trip::<Block>(json!({"type": "text", "text": "hi"})), Block::Text(_)));
    assert!(matches!(round_trip::<Block>(json!({"type": "picture", "url": "u"})), Block::Image(_)));
    assert!(matches!(round_trip::<Block>(json!({"type": "video", "src": "v"})), Block::Unknown(_)));
    assert!(matches!(round_trip::<Implicit>(json!({"type": "Image", "url": "u"})), Implicit::Image(_)));
    // A known tag with the wrong shape is an error, not an unknown value.
    assert!(serde_json::from_value::<Block>(json!({"type": "text"})).is_err());
}

#[test]
fn any_of_with_null_is_nullable() {
    let o: OptionalRef = round_trip(json!({"small": null}));
    assert_eq!(o.small, Nullable::Null);
    let o: OptionalRef = round_trip(json!({}));
    assert_eq!(o.small, Nullable::Absent);
}
