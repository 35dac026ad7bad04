
#[test]
fn a_one_of_member_is_flattened_beside_the_object_members() {
    let b: BadRequest = round_trip(json!({"took": 0.5, "error": "item_missing", "item": "x"}));
    assert_eq!(b.took, 0.5);
    assert!(matches!(&b.variant, NoPayloadOrItemMissing::ItemMissing(m) if m.item == "x"));
    let b: BadRequest = round_trip(json!({"took": 1.0, "error": "no_payload"}));
    assert!(matches!(b.variant, NoPayloadOrItemMissing::NoPayload(_)));
    // Every member must be satisfied: the object's `took` and one alternative.
    assert!(serde_json::from_value::<BadRequest>(json!({"error": "no_payload"})).is_err());
    assert!(serde_json::from_value::<BadRequest>(json!({"took": 1.0})).is_err());
}

#[test]
fn a_ref_to_a_union_is_flattened_beside_an_inline_object() {
    let r: Results = round_trip(json!({"hits": ["a"], "page": 1, "totalPages": 3}));
    assert!(matches!(&r.variant, Paging::Page(p) if p.total_pages == 3));
    let r: Results = round_trip(json!({"hits": [], "offset": 20, "limit": 10}));
    assert!(matches!(&r.variant, Paging::Offset(o) if o.limit == 10));
}

#[test]
fn properties_and_one_of_in_one_member_merge_with_the_others() {
    let s: Source = round_trip(json!({"took": 2.0, "label": "l", "ids": [1, 2]}));
    assert_eq!(s.label.as_deref(), Some("l"));
    assert!(matches!(&s.variant, SourceVariant::Ids(i) if i.ids == [1, 2]));
}

#[test]
fn an_any_of_of_required_lists_keeps_the_properties_optional() {
    let c: Contact = round_trip(json!({"city": "Paris", "company": "Acme"}));
    assert_eq!((c.name, c.company.as_deref()), (None, Some("Acme")));
}

#[test]
fn primitive_members_with_constraints_are_that_primitive() {
    let p: Profile = round_trip(json!({"handle": "me", "count": 3, "colour": "green", "size": 4}));
    assert_eq!(p.handle.as_deref(), Some("me"));
    assert_eq!(p.count, 3);
    assert_eq!(p.colour.map(|c| c.to_string()), Some("green".to_owned()));
    assert_eq!(p.size, Some(4));
    // `nullable: true` beside the `$ref` lets the handle be null.
    let p: Profile = round_trip(json!({"handle": null, "count": 0}));
    assert_eq!(p.handle, None);
}
