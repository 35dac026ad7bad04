
#[test]
fn nullable_components_and_enums_make_their_uses_nullable() {
    let h: Holder = round_trip(json!({
        "note": null,
        "level": null,
        "optional_note": null,
        "inline_level": null,
        "items": [1, null],
        "values": {"a": "x", "b": null},
        "notes": [null, {"text": "t"}]
    }));
    assert_eq!(h.note, None);
    assert_eq!(h.level, None);
    assert_eq!(h.optional_note, Nullable::Null);
    assert_eq!(h.inline_level, Nullable::Null);
    assert_eq!(h.items, Some(vec![Some(1), None]));
    let h: Holder = round_trip(json!({"note": {"text": "t"}, "level": "high"}));
    assert_eq!(h.level, Some(Level::High));
    assert_eq!(h.optional_note, Nullable::Absent);
}
