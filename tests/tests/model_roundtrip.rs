//! Real objects through the generated models: the seed 003 example and the
//! real published fixture deserialize into `promo_api::models` and serialize
//! back to equal JSON (absent stays absent, `null` stays `null`, unknown enum
//! values survive). Tests that read `../shared` skip with a message without it.

use promo_api::models::{
    Coupon, CouponDuration, PromotionCode, PromotionCodesResourcePromotionType,
};
use promo_api::runtime::{Expandable, Nullable, Object};
use serde_json::{Value, json};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("deserialize: {e}\n{value:#}"));
    let back = serde_json::to_value(&typed).expect("serialize");
    assert_eq!(&back, value, "the round trip changed the JSON");
    typed
}

/// The first JSON object in a seed page (the "The Promotion Code object" example).
fn first_object(text: &str) -> Value {
    let start = text.find("\n{").expect("a JSON object in the seed") + 1;
    let mut depth = 0;
    for (i, c) in text[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return serde_json::from_str(&text[start..=start + i]).expect("valid JSON");
                }
            }
            _ => {}
        }
    }
    panic!("unterminated JSON object in the seed");
}

#[test]
fn seed_003_example_round_trips() {
    let Some(shared) = apigen_tests::shared("seed_003_example_round_trips") else {
        return;
    };
    let seeds = std::fs::read_dir(shared.join("seeds")).expect("seeds/");
    let seed = seeds
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("003_"))
        })
        .expect("seed 003");
    let object = first_object(&std::fs::read_to_string(seed).expect("read seed"));
    let code: PromotionCode = round_trip(&object);
    assert_eq!(code.code, "A1H1Q1MG");
    assert_eq!(
        code.promotion.type_,
        PromotionCodesResourcePromotionType::Coupon
    );
    assert_eq!(
        code.promotion.coupon.as_ref().map(Expandable::id),
        Some("nVJYDOag")
    );
    assert_eq!(code.customer, Nullable::Null);
    assert_eq!(code.id(), "promo_1MiM6KLkdIwHu7ixrIaX4wgn");
}

#[test]
fn real_fixture_round_trips() {
    let Some(shared) = apigen_tests::shared("real_fixture_round_trips") else {
        return;
    };
    let text =
        std::fs::read_to_string(shared.join("specs/stripe/fixture.promotion_code.2025-09-22.json"))
            .expect("read fixture");
    let object: Value = serde_json::from_str(&text).expect("valid JSON");
    let code: PromotionCode = round_trip(&object);
    assert_eq!(code.promotion.coupon, Nullable::Null);
    assert_eq!(code.expires_at, Nullable::Value(1234567890.into()));
}

#[test]
fn absent_null_and_value_stay_apart() {
    let mut object = json!({
        "id": "promo_1", "object": "promotion_code", "active": true, "code": "SPRING",
        "created": 1678040164, "livemode": false, "times_redeemed": 0,
        "promotion": {"type": "coupon", "coupon": "co_1"},
        "restrictions": {"first_time_transaction": false},
        "customer": null, "expires_at": 1700000000
    });
    let code: PromotionCode = round_trip(&object);
    assert_eq!(code.customer, Nullable::Null);
    assert_eq!(code.max_redemptions, Nullable::Absent);
    assert_eq!(code.expires_at, Nullable::Value(1700000000.into()));
    assert_eq!(code.restrictions.minimum_amount, Nullable::Absent);
    object["restrictions"]["minimum_amount"] = Value::Null;
    let code: PromotionCode = round_trip(&object);
    assert_eq!(code.restrictions.minimum_amount, Nullable::Null);
}

#[test]
fn expanded_objects_and_unknown_enum_values_survive() {
    let coupon = json!({
        "id": "nVJYDOag", "object": "coupon", "amount_off": null, "created": 1678040164,
        "currency": null, "duration": "every_other_tuesday", "duration_in_months": 3,
        "livemode": false, "max_redemptions": null, "metadata": {}, "name": null,
        "percent_off": 25.5, "redeem_by": null, "times_redeemed": 0, "valid": true
    });
    let typed: Coupon = round_trip(&coupon);
    assert_eq!(
        typed.duration,
        CouponDuration::Unknown("every_other_tuesday".to_owned())
    );
    let code = json!({
        "id": "promo_1", "object": "promotion_code", "active": true, "code": "SPRING",
        "created": 1678040164, "livemode": false, "times_redeemed": 0,
        "promotion": {"type": "gift_card", "coupon": coupon},
        "restrictions": {"first_time_transaction": false, "currency_options": {"usd": {"minimum_amount": 1000}}}
    });
    let typed: PromotionCode = round_trip(&code);
    let expanded = typed
        .promotion
        .coupon
        .as_ref()
        .and_then(Expandable::as_object)
        .expect("expanded coupon");
    assert_eq!(expanded.percent_off, Nullable::Value(25.5));
    assert_eq!(
        typed.promotion.type_,
        PromotionCodesResourcePromotionType::Unknown("gift_card".to_owned())
    );
    assert_eq!(typed.promotion.type_.as_str(), "gift_card");
}

#[test]
fn object_tags_are_serialized() {
    let value =
        serde_json::to_value(promo_api::models::PromotionCodeObject::default()).expect("serialize");
    assert_eq!(value, json!("promotion_code"));
}
