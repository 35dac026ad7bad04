//! Parameters on the wire: the exact strings Stripe's official clients send
//! for the API reference's examples, parsing what a server receives (indexed
//! and appended arrays, raw and percent-encoded brackets, type coercion), and
//! a proptest round trip `params -> wire -> params` for every params type.

use std::collections::BTreeMap;

use promo_api::form::Rule;
use promo_api::params::{
    CreateCoupon, CreateCouponDuration, CreatePromotionCode, CreatePromotionCodePromotion,
    CreatePromotionCodeRestrictions, CreatePromotionCodeRestrictionsCurrencyOptionsValue,
    DeleteCoupon, ListCoupons, ListPromotionCodes, ListPromotionCodesCreated,
    ListPromotionCodesCreatedObject, RetrieveCoupon, RetrievePromotionCode, UpdateCoupon,
    UpdatePromotionCode,
};
use promo_api::runtime::{Clearable, ClearableMap, Params, Timestamp};
use proptest::prelude::*;

fn coupon_promotion(coupon: &str) -> CreatePromotionCodePromotion {
    CreatePromotionCodePromotion::new("coupon", coupon)
}

#[test]
fn create_with_a_coupon_promotion_encodes_like_stripe() {
    let params = CreatePromotionCode::new(coupon_promotion("nVJYDOag"));
    assert_eq!(
        params.to_body(),
        "promotion[type]=coupon&promotion[coupon]=nVJYDOag"
    );
    assert_eq!(params.to_query(), "");
    // Decoding does not depend on the order of the pairs.
    assert_eq!(
        CreatePromotionCode::from_wire("", "promotion[type]=coupon&promotion[coupon]=nVJYDOag"),
        Ok(params)
    );
}

#[test]
fn update_metadata_encodes_like_the_seed() {
    // The reference's example: `-d "metadata[order_id]"=6735`.
    let params = UpdatePromotionCode::new().metadata([("order_id", "6735")]);
    assert_eq!(params.to_body(), "metadata[order_id]=6735");
    assert_eq!(
        UpdatePromotionCode::from_wire("", "metadata[order_id]=6735"),
        Ok(params)
    );
}

#[test]
fn clearable_metadata_sets_unsets_and_clears() {
    let params = UpdatePromotionCode::new()
        .metadata(ClearableMap::new().set("order_id", "6735").unset("old_key"));
    assert_eq!(
        params.to_body(),
        "metadata[old_key]=&metadata[order_id]=6735"
    );
    assert_eq!(
        UpdatePromotionCode::from_wire("", "metadata[order_id]=6735&metadata[old_key]="),
        Ok(params)
    );

    let clear = UpdatePromotionCode::new().metadata(ClearableMap::Clear);
    assert_eq!(clear.to_body(), "metadata=");
    assert_eq!(UpdatePromotionCode::from_wire("", "metadata="), Ok(clear));

    let coupon = UpdateCoupon::new().metadata(ClearableMap::<String>::new().unset("a"));
    assert_eq!(coupon.to_body(), "metadata[a]=");
    match UpdateCoupon::from_wire("", "metadata[a]=")
        .unwrap()
        .metadata
    {
        Some(ClearableMap::Update(entries)) => assert_eq!(entries["a"], Clearable::Clear),
        other => panic!("expected an update, got {other:?}"),
    }
}

#[test]
fn nested_maps_arrays_timestamps_and_booleans() {
    let mut currency_options = BTreeMap::new();
    currency_options.insert(
        "usd".to_owned(),
        CreatePromotionCodeRestrictionsCurrencyOptionsValue::new().minimum_amount(1000),
    );
    let params = CreatePromotionCode::new(coupon_promotion("nVJYDOag"))
        .active(false)
        .expand(vec!["promotion.coupon".to_owned()])
        .expires_at(Timestamp(1678040164))
        .restrictions(
            CreatePromotionCodeRestrictions::new()
                .currency_options(currency_options)
                .first_time_transaction(true),
        );
    assert_eq!(
        params.to_body(),
        "active=false&expand[0]=promotion.coupon&expires_at=1678040164\
         &promotion[type]=coupon&promotion[coupon]=nVJYDOag\
         &restrictions[currency_options][usd][minimum_amount]=1000\
         &restrictions[first_time_transaction]=true"
    );
    assert_eq!(
        CreatePromotionCode::from_wire("", &params.to_body()),
        Ok(params)
    );
}

#[test]
fn list_filters_go_in_the_query() {
    let params = ListPromotionCodes::new()
        .active(true)
        .created(ListPromotionCodesCreatedObject::new().gte(1678040164))
        .expand(vec!["data.promotion.coupon".to_owned()])
        .limit(3);
    assert_eq!(
        params.to_query(),
        "active=true&created[gte]=1678040164&expand[0]=data.promotion.coupon&limit=3"
    );
    assert_eq!(params.to_body(), "");
    assert_eq!(
        ListPromotionCodes::from_wire(&params.to_query(), ""),
        Ok(params)
    );

    let exact = ListPromotionCodes::new().created(1678040164);
    assert_eq!(exact.to_query(), "created=1678040164");
    assert_eq!(
        ListPromotionCodes::from_wire("created=1678040164", "")
            .unwrap()
            .created,
        Some(ListPromotionCodesCreated::Integer(1678040164))
    );
    assert_eq!(
        <ListPromotionCodes as Params>::ROUTE.path,
        "/v1/promotion_codes"
    );
}

#[test]
fn values_are_percent_encoded_and_brackets_stay_raw() {
    let params = CreatePromotionCode::new(coupon_promotion("a b&c=d/é")).metadata(BTreeMap::from(
        [("note key".to_owned(), "50% off+".to_owned())],
    ));
    assert_eq!(
        params.to_body(),
        "metadata[note%20key]=50%25%20off%2B&promotion[type]=coupon&promotion[coupon]=a%20b%26c%3Dd%2F%C3%A9"
    );
    assert_eq!(
        CreatePromotionCode::from_wire("", &params.to_body()),
        Ok(params)
    );
}

#[test]
fn servers_accept_appended_arrays_and_encoded_brackets() {
    let expected = RetrieveCoupon::new().expand(vec!["a".to_owned(), "b".to_owned()]);
    for query in [
        "expand[]=a&expand[]=b",
        "expand[0]=a&expand[1]=b",
        "expand[1]=b&expand[0]=a",
        "expand%5B0%5D=a&expand%5B1%5D=b",
        "expand%5b%5d=a&expand%5b%5d=b",
        "?expand[0]=a&expand[1]=b",
    ] {
        assert_eq!(
            RetrieveCoupon::from_wire(query, ""),
            Ok(expected.clone()),
            "{query}"
        );
    }
    // `+` is a space in forms.
    let created =
        CreatePromotionCode::from_wire("", "promotion[type]=coupon&promotion[coupon]=a+b").unwrap();
    assert_eq!(created.promotion.coupon, "a b");
}

#[test]
fn strings_are_coerced_to_declared_types() {
    let coupon = CreateCoupon::from_wire(
        "",
        "duration=repeating&duration_in_months=3&percent_off=25.5&redeem_by=1678040164",
    )
    .unwrap();
    assert_eq!(coupon.duration, Some(CreateCouponDuration::Repeating));
    assert_eq!(coupon.duration_in_months, Some(3));
    assert_eq!(coupon.percent_off, Some(25.5));
    assert_eq!(coupon.redeem_by, Some(Timestamp(1678040164)));
    assert_eq!(
        coupon.to_body(),
        "duration=repeating&duration_in_months=3&percent_off=25.5&redeem_by=1678040164"
    );

    let reject = |query: &str, body: &str| {
        let e = ListPromotionCodes::from_wire(query, body)
            .err()
            .or_else(|| CreatePromotionCode::from_wire(query, body).err())
            .expect("rejected");
        let code = e.code();
        (e.param, e.rule, code)
    };
    assert_eq!(
        reject("limit=ten", ""),
        (
            "limit".to_owned(),
            Rule::Type("integer"),
            "parameter_invalid_integer"
        )
    );
    assert_eq!(
        reject("active=yes", ""),
        (
            "active".to_owned(),
            Rule::Type("boolean"),
            "parameter_invalid_boolean"
        )
    );
    assert_eq!(
        reject("limit=", ""),
        ("limit".to_owned(), Rule::Empty, "parameter_invalid_empty")
    );
    assert_eq!(
        reject("created[gte]=soon", ""),
        (
            "created[gte]".to_owned(),
            Rule::Type("integer"),
            "parameter_invalid_integer"
        )
    );
    assert_eq!(
        reject("created=soon", ""),
        (
            "created".to_owned(),
            Rule::Type("integer"),
            "parameter_invalid_integer"
        )
    );
    let e = CreatePromotionCode::from_wire(
        "",
        "promotion[type]=coupon&promotion[coupon]=x&restrictions[minimum_amount]=lots",
    )
    .unwrap_err();
    assert_eq!(e.param, "restrictions[minimum_amount]");
    assert_eq!(e.code(), "parameter_invalid_integer");
    let e = CreatePromotionCode::from_wire(
        "",
        "promotion[type]=coupon&promotion[coupon]=x&restrictions[currency_options][usd][minimum_amount]=x",
    )
    .unwrap_err();
    assert_eq!(
        e.param,
        "restrictions[currency_options][usd][minimum_amount]"
    );
    let e = CreatePromotionCode::from_wire("", "promotion=x&promotion[type]=coupon").unwrap_err();
    assert_eq!((e.param.as_str(), e.rule), ("promotion", Rule::Malformed));
}

#[test]
fn operations_without_parameters_encode_nothing() {
    assert_eq!(DeleteCoupon::new().to_query(), "");
    assert_eq!(DeleteCoupon::new().to_body(), "");
    assert_eq!(DeleteCoupon::from_wire("", ""), Ok(DeleteCoupon::new()));
    assert_eq!(ListCoupons::from_wire("", ""), Ok(ListCoupons::new()));
}

/// `params -> wire -> params` is the identity.
fn round_trip<P: Params + PartialEq + std::fmt::Debug>(params: &P) -> Result<(), TestCaseError> {
    let query = params.to_query();
    let body = params.to_body();
    let back = P::from_wire(&query, &body)
        .map_err(|e| TestCaseError::fail(format!("{e} for query {query:?}, body {body:?}")))?;
    prop_assert_eq!(&back, params, "query {:?}, body {:?}", query, body);
    Ok(())
}

macro_rules! round_trips {
    ($($name:ident: $ty:ty,)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]
            $(
                #[test]
                fn $name(params in any::<$ty>()) {
                    round_trip(&params)?;
                }
            )*
        }

        /// Every params type has a round-trip test above (the route table lists them all).
        #[test]
        fn every_params_type_round_trips() {
            let tested = [$(stringify!($ty)),*];
            for route in promo_api::routes::ROUTES {
                assert!(tested.contains(&route.operation), "no round trip for {}", route.operation);
            }
        }
    };
}

round_trips! {
    round_trip_list_coupons: ListCoupons,
    round_trip_create_coupon: CreateCoupon,
    round_trip_retrieve_coupon: RetrieveCoupon,
    round_trip_update_coupon: UpdateCoupon,
    round_trip_delete_coupon: DeleteCoupon,
    round_trip_list_promotion_codes: ListPromotionCodes,
    round_trip_create_promotion_code: CreatePromotionCode,
    round_trip_retrieve_promotion_code: RetrievePromotionCode,
    round_trip_update_promotion_code: UpdatePromotionCode,
}

/// In JSON (the wire of JSON bodies), "clear" is `null`; the spec's `""` reads as clear too.
#[test]
fn clearables_in_json() {
    let update: ClearableMap<String> = ClearableMap::new().set("a", "1").unset("b");
    let json = serde_json::to_value(&update).unwrap();
    assert_eq!(json, serde_json::json!({"a": "1", "b": null}));
    assert_eq!(
        serde_json::from_value::<ClearableMap<String>>(json).unwrap(),
        update
    );
    assert_eq!(
        serde_json::from_value::<ClearableMap<String>>(serde_json::json!({"a": "1", "b": ""}))
            .unwrap(),
        update
    );
    let clear = ClearableMap::<String>::Clear;
    assert_eq!(
        serde_json::to_value(&clear).unwrap(),
        serde_json::json!(null)
    );
    for cleared in [serde_json::json!(null), serde_json::json!("")] {
        assert_eq!(
            serde_json::from_value::<ClearableMap<String>>(cleared).unwrap(),
            clear
        );
    }
    assert_eq!(
        serde_json::to_value(Clearable::<i64>::Clear).unwrap(),
        serde_json::json!(null)
    );
    assert_eq!(
        serde_json::to_value(Clearable::Set(5)).unwrap(),
        serde_json::json!(5)
    );
    for cleared in [serde_json::json!(null), serde_json::json!("")] {
        assert_eq!(
            serde_json::from_value::<Clearable<i64>>(cleared).unwrap(),
            Clearable::Clear
        );
    }
}

#[test]
fn clearable_map_updates_apply_as_on_the_wire() {
    let mut metadata = std::collections::BTreeMap::from([
        ("keep".to_owned(), "1".to_owned()),
        ("drop".to_owned(), "2".to_owned()),
        ("blank".to_owned(), "3".to_owned()),
    ]);
    ClearableMap::new()
        .set("new", "4")
        .unset("drop")
        .set("blank", "")
        .apply_to(&mut metadata);
    assert_eq!(
        metadata
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        [("keep", "1"), ("new", "4")]
    );
    ClearableMap::<String>::Clear.apply_to(&mut metadata);
    assert!(metadata.is_empty());
}

/// `form::rest` reads the entries an object's named fields do not take (its
/// `additionalProperties`), each as the map's value type, naming bad ones.
#[test]
fn rest_reads_the_entries_beside_the_named_fields() {
    let node = promo_api::form::parse("name=a&size=3&color=red&weight=12").unwrap();
    let entries = promo_api::form::object(&node, "").unwrap();
    let extra: BTreeMap<String, String> =
        promo_api::form::rest(entries, &["name", "size"], "").unwrap();
    assert_eq!(
        extra,
        BTreeMap::from([
            ("color".to_owned(), "red".to_owned()),
            ("weight".to_owned(), "12".to_owned()),
        ])
    );
    let wrong = promo_api::form::rest::<i64>(entries, &["name", "size"], "item").unwrap_err();
    assert_eq!(wrong.param, "item[color]");
    assert_eq!(wrong.rule, Rule::Type("integer"));
}
