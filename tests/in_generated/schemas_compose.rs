
#[test]
fn all_of_merges_every_member() {
    let w: Widget = round_trip(json!({"id": "w1", "name": "n", "created": 1, "updated": null, "size": 3}));
    assert_eq!((w.id.as_str(), w.name.as_str(), w.created, w.size), ("w1", "n", 1, 3));
    assert_eq!(w.updated, Nullable::Null);
    // A required property of any member is required.
    assert!(serde_json::from_value::<Widget>(json!({"id": "w1", "name": "n", "created": 1})).is_err());
}

#[test]
fn single_member_all_of_is_the_ref() {
    let w: Wrapper = round_trip(json!({"maybe_widget": null}));
    assert_eq!(w.maybe_widget, Nullable::Null);
    assert!(w.widget.is_none());
}

#[test]
fn hierarchy_base_is_tagged_by_its_subtypes() {
    let owner: Owner = round_trip(json!({
        "pets": [
            {"petType": "cat", "name": "Tom", "lives": 9},
            {"petType": "dog", "name": "Rex", "good": true},
            {"petType": "parrot", "name": "Polly", "words": 12}
        ],
        "favourite_cat": {"petType": "cat", "name": "Kit"},
        "shape": {"kind": "Circle", "radius": 1.5}
    }));
    assert!(matches!(&owner.pets[0], Pet::Cat(c) if c.lives == Some(9)));
    assert!(matches!(&owner.pets[1], Pet::Dog(d) if d.good));
    assert!(matches!(&owner.pets[2], Pet::Unknown(v) if v["words"] == 12));
    assert!(matches!(owner.shape, Some(Shape::Circle(c)) if c.radius == 1.5));
    // A subtype used directly is its struct.
    assert_eq!(owner.favourite_cat.map(|c| c.name), Some("Kit".to_owned()));
}

#[test]
fn properties_beside_one_of_are_both_kept() {
    let l: Labelled = round_trip(json!({"label": "a", "count": 2}));
    assert_eq!(l.label, "a");
    assert!(matches!(l.variant, LabelledVariant::Count(c) if c.count == 2));
    let l: Labelled = round_trip(json!({"label": "b", "text": "t"}));
    assert!(matches!(l.variant, LabelledVariant::Text(_)));
}
