
#[test]
fn integer_and_number_enums_are_open() {
    let t: Task = round_trip(json!({
        "id": "6a2f41a3-c54c-fce8-32d2-0324e1c32e22",
        "secret": "s",
        "priority": 2,
        "ratio": 1.5,
        "severity": "warning",
        "weird": "two",
        "slot": 7,
        "tags": ["a"],
        "labels": {"k": "v"},
        "anything": {"x": [1]},
        "due": "2024-01-01T00:00:00Z",
        "free": {"y": 1},
        "open": {"z": true}
    }));
    assert_eq!(t.priority, Priority::V2);
    assert_eq!(t.ratio, Some(Ratio::V1p5));
    assert_eq!(t.severity, Some(Severity::Warning));
    let slot: Slot = t.slot;
    assert_eq!(slot, 7);
    let t: Task = round_trip(json!({"priority": 9, "secret": "s", "slot": 1}));
    assert_eq!(t.priority, Priority::Unknown("9".to_owned()));
    assert!(serde_json::from_value::<Task>(json!({"priority": "2", "secret": "s", "slot": 1})).is_err());
}

#[test]
fn read_only_properties_are_not_required() {
    // `id` is required but read-only: a request leaves it out.
    let t: Task = round_trip(json!({"priority": 1, "secret": "s", "slot": 1}));
    assert_eq!(t.id, None);
}

#[test]
fn extra_keys_beside_properties_are_kept() {
    let e: Extra = round_trip(json!({"known": "k", "a": 1, "b": 2}));
    assert_eq!(e.extra.len(), 2);
}
