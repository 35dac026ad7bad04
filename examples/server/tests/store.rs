//! The store's semantics, driven directly through the generated route traits
//! (no HTTP): server-set fields, code generation, charset and uniqueness,
//! coupon rules, updates with metadata set/unset/clear, 404s, list order,
//! filters and cursor paging, and `expand`. A settable clock makes time move.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use promo_api::errors::ApiError;
use promo_api::models::{
    Coupon, CouponDuration, CouponObject, DeletedCouponObject, PromotionCode, PromotionCodeObject,
    PromotionCodesResourcePromotionType,
};
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, CreatePromotionCodePromotion,
    CreatePromotionCodeRestrictions, CreatePromotionCodeRestrictionsCurrencyOptionsValue,
    DeleteCoupon, ListCoupons, ListCouponsCreated, ListPromotionCodes, ListPromotionCodesCreated,
    ListPromotionCodesCreatedObject, RetrieveCoupon, RetrievePromotionCode, UpdateCoupon,
    UpdatePromotionCode, UpdatePromotionCodeRestrictions,
    UpdatePromotionCodeRestrictionsCurrencyOptionsValue,
};
use promo_api::routes::{Coupons, PromotionCodes};
use promo_api::runtime::{ClearableMap, Expandable, Nullable, Timestamp};
use promo_server::Store;

const T0: i64 = 1_800_000_000;

/// A store whose clock the test sets.
fn store_at() -> (Store, Arc<AtomicI64>) {
    let now = Arc::new(AtomicI64::new(T0));
    let clock = Arc::clone(&now);
    let store = Store::with_clock(Arc::new(move || Timestamp(clock.load(Ordering::SeqCst))));
    (store, now)
}

fn store() -> Store {
    store_at().0
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn map(pairs: &[(&str, &str)]) -> Nullable<BTreeMap<String, String>> {
    Nullable::Value(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    )
}

async fn coupon(store: &Store) -> Coupon {
    Coupons::create(
        store,
        CreateCoupon::new()
            .percent_off(25.5)
            .duration("repeating")
            .duration_in_months(3),
    )
    .await
    .unwrap()
}

fn promo(coupon: &str) -> CreatePromotionCode {
    CreatePromotionCode::new(CreatePromotionCodePromotion::new("coupon", coupon))
}

async fn create(store: &Store, params: CreatePromotionCode) -> PromotionCode {
    PromotionCodes::create(store, params).await.unwrap()
}

/// Asserts the error's status, type, param and (if given) code.
#[track_caller]
fn assert_error(error: &ApiError, status: u16, param: &str, code: Option<&str>) {
    let details = error.details();
    assert_eq!(error.status, status, "{error}");
    assert_eq!(details.type_.as_str(), "invalid_request_error", "{error}");
    assert_eq!(details.param.as_deref(), Some(param), "{error}");
    if let Some(code) = code {
        assert_eq!(details.code.as_deref(), Some(code), "{error}");
    }
}

fn message(error: &ApiError) -> &str {
    error.details().message.as_deref().unwrap_or_default()
}

fn is_alphanumeric(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn coupon_of(code: &PromotionCode) -> &Expandable<Coupon> {
    code.promotion.coupon.as_ref().expect("a coupon promotion")
}

// ---------------------------------------------------------------------------
// Promotion codes: create

#[tokio::test]
async fn create_sets_the_server_fields() {
    let store = store();
    let coupon = coupon(&store).await;
    let code = create(
        &store,
        promo(&coupon.id)
            .code("SPRING-25")
            .max_redemptions(5)
            .metadata(BTreeMap::from([("order_id".to_owned(), "6735".to_owned())])),
    )
    .await;
    let suffix = code.id.strip_prefix("promo_").expect("promo_ prefix");
    assert_eq!(suffix.len(), 24);
    assert!(is_alphanumeric(suffix), "{}", code.id);
    assert_eq!(code.object, PromotionCodeObject::PromotionCode);
    assert_eq!(code.code, "SPRING-25");
    assert_eq!(code.created, Timestamp(T0));
    assert!(code.active);
    assert!(!code.livemode);
    assert_eq!(code.times_redeemed, 0);
    assert_eq!(code.max_redemptions, Nullable::Value(5));
    assert_eq!(code.customer, Nullable::Null);
    assert_eq!(code.expires_at, Nullable::Null);
    assert_eq!(code.metadata, map(&[("order_id", "6735")]));
    assert_eq!(
        code.promotion.type_,
        PromotionCodesResourcePromotionType::Coupon
    );
    assert_eq!(coupon_of(&code), &Expandable::Id(coupon.id.clone()));
    assert!(!code.restrictions.first_time_transaction);
    assert_eq!(code.restrictions.minimum_amount, Nullable::Null);
    assert_eq!(code.restrictions.minimum_amount_currency, Nullable::Null);
    assert_eq!(code.restrictions.currency_options, None);

    let fetched = PromotionCodes::retrieve(&store, code.id.clone(), RetrievePromotionCode::new())
        .await
        .unwrap();
    assert_eq!(fetched, code);

    let other = create(&store, promo(&coupon.id)).await;
    assert_ne!(other.id, code.id);
}

#[tokio::test]
async fn blank_or_absent_codes_are_generated() {
    let store = store();
    let coupon = coupon(&store).await;
    let mut seen = Vec::new();
    for params in [promo(&coupon.id), promo(&coupon.id).code("")] {
        let code = create(&store, params).await;
        assert_eq!(code.code.len(), 8, "{}", code.code);
        assert!(
            code.code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{}",
            code.code
        );
        seen.push(code.code);
    }
    assert_ne!(seen[0], seen[1]);
}

#[tokio::test]
async fn the_code_charset_is_enforced() {
    let store = store();
    let coupon = coupon(&store).await;
    for bad in ["SPRING 25", "SPRING_25", "ÉTÉ25", "25%OFF", "a/b"] {
        let error = PromotionCodes::create(&store, promo(&coupon.id).code(bad))
            .await
            .unwrap_err();
        assert_error(&error, 400, "code", None);
    }
    for good in ["spring-25", "SUMMER2026", "a", "-"] {
        assert_eq!(
            create(&store, promo(&coupon.id).code(good)).await.code,
            good
        );
    }
}

#[tokio::test]
async fn codes_are_unique_among_active_codes_per_customer_ignoring_case() {
    let store = store();
    let coupon = coupon(&store).await;
    let first = create(&store, promo(&coupon.id).code("SPRING25")).await;

    let error = PromotionCodes::create(&store, promo(&coupon.id).code("spring25"))
        .await
        .unwrap_err();
    assert_error(&error, 400, "code", None);
    assert_eq!(
        message(&error),
        "An active promotion code with `code: spring25` already exists."
    );

    // Another customer scope is independent; each customer is its own scope.
    let for_alice = create(
        &store,
        promo(&coupon.id).code("Spring25").customer("cus_alice"),
    )
    .await;
    assert_eq!(
        for_alice.customer,
        Nullable::Value(Expandable::Id("cus_alice".to_owned()))
    );
    create(
        &store,
        promo(&coupon.id).code("SPRING25").customer("cus_bob"),
    )
    .await;
    let error = PromotionCodes::create(
        &store,
        promo(&coupon.id).code("sPrInG25").customer("cus_alice"),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "code", None);

    // An inactive code does not count, and an inactive duplicate may be made.
    let inactive = create(&store, promo(&coupon.id).code("spring25").active(false)).await;
    assert!(!inactive.active);
    PromotionCodes::update(
        &store,
        first.id.clone(),
        UpdatePromotionCode::new().active(false),
    )
    .await
    .unwrap();
    let second = create(&store, promo(&coupon.id).code("spring25")).await;
    assert!(second.active);

    // Reactivating a code whose text is taken again is refused.
    let error = PromotionCodes::update(
        &store,
        first.id.clone(),
        UpdatePromotionCode::new().active(true),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "active", None);
    assert!(message(&error).contains("already exists"), "{error}");
}

#[tokio::test]
async fn the_coupon_must_exist_and_be_valid() {
    let (store, now) = store_at();
    let error = PromotionCodes::create(&store, promo("nope"))
        .await
        .unwrap_err();
    assert_error(&error, 400, "promotion[coupon]", Some("resource_missing"));
    assert_eq!(message(&error), "No such coupon: 'nope'");

    let expiring = Coupons::create(
        &store,
        CreateCoupon::new()
            .amount_off(500)
            .currency("USD")
            .redeem_by(Timestamp(T0 + 10)),
    )
    .await
    .unwrap();
    assert!(expiring.valid);
    assert_eq!(expiring.currency, Nullable::Value("usd".to_owned()));
    let code = create(&store, promo(&expiring.id)).await;

    now.store(T0 + 20, Ordering::SeqCst);
    let stale = Coupons::retrieve(&store, expiring.id.clone(), RetrieveCoupon::new())
        .await
        .unwrap();
    assert!(!stale.valid);
    let error = PromotionCodes::create(&store, promo(&expiring.id))
        .await
        .unwrap_err();
    assert_error(&error, 400, "promotion[coupon]", None);

    // A code of an invalid coupon cannot be reactivated.
    PromotionCodes::update(
        &store,
        code.id.clone(),
        UpdatePromotionCode::new().active(false),
    )
    .await
    .unwrap();
    let error = PromotionCodes::update(
        &store,
        code.id.clone(),
        UpdatePromotionCode::new().active(true),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "active", None);
}

#[tokio::test]
async fn expires_at_and_max_redemptions_are_checked() {
    let store = store();
    let coupon = coupon(&store).await;
    for past in [T0 - 1, T0] {
        let error = PromotionCodes::create(&store, promo(&coupon.id).expires_at(Timestamp(past)))
            .await
            .unwrap_err();
        assert_error(&error, 400, "expires_at", None);
    }
    let code = create(&store, promo(&coupon.id).expires_at(Timestamp(T0 + 60))).await;
    assert_eq!(code.expires_at, Nullable::Value(Timestamp(T0 + 60)));

    for bad in [0, -3] {
        let error = PromotionCodes::create(&store, promo(&coupon.id).max_redemptions(bad))
            .await
            .unwrap_err();
        assert_error(&error, 400, "max_redemptions", None);
    }

    // Not beyond the coupon's own limits.
    let limited = Coupons::create(
        &store,
        CreateCoupon::new()
            .percent_off(10.0)
            .max_redemptions(3)
            .redeem_by(Timestamp(T0 + 100)),
    )
    .await
    .unwrap();
    let error = PromotionCodes::create(&store, promo(&limited.id).max_redemptions(4))
        .await
        .unwrap_err();
    assert_error(&error, 400, "max_redemptions", None);
    let error = PromotionCodes::create(&store, promo(&limited.id).expires_at(Timestamp(T0 + 101)))
        .await
        .unwrap_err();
    assert_error(&error, 400, "expires_at", None);
    create(
        &store,
        promo(&limited.id)
            .max_redemptions(3)
            .expires_at(Timestamp(T0 + 100)),
    )
    .await;
}

#[tokio::test]
async fn restrictions_need_a_currency_for_the_minimum_amount() {
    let store = store();
    let coupon = coupon(&store).await;
    let error = PromotionCodes::create(
        &store,
        promo(&coupon.id).restrictions(CreatePromotionCodeRestrictions::new().minimum_amount(1000)),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "restrictions[minimum_amount_currency]", None);

    let code = create(
        &store,
        promo(&coupon.id).restrictions(
            CreatePromotionCodeRestrictions::new()
                .minimum_amount(1000)
                .minimum_amount_currency("USD")
                .first_time_transaction(true)
                .currency_options(BTreeMap::from([(
                    "EUR".to_owned(),
                    CreatePromotionCodeRestrictionsCurrencyOptionsValue::new().minimum_amount(900),
                )])),
        ),
    )
    .await;
    assert_eq!(code.restrictions.minimum_amount, Nullable::Value(1000));
    assert_eq!(
        code.restrictions.minimum_amount_currency,
        Nullable::Value("usd".to_owned())
    );
    assert!(code.restrictions.first_time_transaction);
    let options = code
        .restrictions
        .currency_options
        .expect("currency options");
    assert_eq!(options["eur"].minimum_amount, 900);
}

// ---------------------------------------------------------------------------
// Promotion codes: update, retrieve, 404

#[tokio::test]
async fn update_changes_active_metadata_and_currency_options_only() {
    let store = store();
    let coupon = coupon(&store).await;
    let code = create(&store, promo(&coupon.id).code("KEEP")).await;
    let id = code.id.clone();

    let updated = PromotionCodes::update(
        &store,
        id.clone(),
        UpdatePromotionCode::new().metadata([("order_id", "6735"), ("channel", "web")]),
    )
    .await
    .unwrap();
    assert_eq!(
        updated.metadata,
        map(&[("order_id", "6735"), ("channel", "web")])
    );

    let updated = PromotionCodes::update(
        &store,
        id.clone(),
        UpdatePromotionCode::new()
            .metadata(ClearableMap::<String>::new().unset("channel").set("x", "1")),
    )
    .await
    .unwrap();
    assert_eq!(updated.metadata, map(&[("order_id", "6735"), ("x", "1")]));

    // An empty value unsets a key too (what `metadata[k]=` decodes to).
    let updated = PromotionCodes::update(
        &store,
        id.clone(),
        UpdatePromotionCode::new().metadata(ClearableMap::<String>::new().set("x", "")),
    )
    .await
    .unwrap();
    assert_eq!(updated.metadata, map(&[("order_id", "6735")]));

    // No metadata parameter: unchanged.
    let updated =
        PromotionCodes::update(&store, id.clone(), UpdatePromotionCode::new().active(false))
            .await
            .unwrap();
    assert!(!updated.active);
    assert_eq!(updated.metadata, map(&[("order_id", "6735")]));

    let updated = PromotionCodes::update(
        &store,
        id.clone(),
        UpdatePromotionCode::new().metadata(ClearableMap::<String>::Clear),
    )
    .await
    .unwrap();
    assert_eq!(updated.metadata, map(&[]));

    let updated = PromotionCodes::update(
        &store,
        id.clone(),
        UpdatePromotionCode::new().restrictions(
            UpdatePromotionCodeRestrictions::new().currency_options(BTreeMap::from([
                (
                    "usd".to_owned(),
                    UpdatePromotionCodeRestrictionsCurrencyOptionsValue::new().minimum_amount(500),
                ),
                (
                    "GBP".to_owned(),
                    UpdatePromotionCodeRestrictionsCurrencyOptionsValue::new().minimum_amount(400),
                ),
            ])),
        ),
    )
    .await
    .unwrap();
    let options = updated.restrictions.currency_options.clone().unwrap();
    assert_eq!(options["usd"].minimum_amount, 500);
    assert_eq!(options["gbp"].minimum_amount, 400);

    // Everything else is as created.
    assert_eq!(updated.code, code.code);
    assert_eq!(updated.created, code.created);
    assert_eq!(updated.promotion, code.promotion);
    assert_eq!(updated.max_redemptions, code.max_redemptions);
    assert_eq!(updated.customer, code.customer);

    let again = PromotionCodes::update(&store, id.clone(), UpdatePromotionCode::new().active(true))
        .await
        .unwrap();
    assert!(again.active);
    assert_eq!(
        PromotionCodes::retrieve(&store, id, RetrievePromotionCode::new())
            .await
            .unwrap(),
        again
    );
}

#[tokio::test]
async fn unknown_ids_are_404_resource_missing() {
    let store = store();
    let error =
        PromotionCodes::retrieve(&store, "promo_x".to_owned(), RetrievePromotionCode::new())
            .await
            .unwrap_err();
    assert_error(&error, 404, "id", Some("resource_missing"));
    assert_eq!(message(&error), "No such promotion code: 'promo_x'");
    let error = PromotionCodes::update(
        &store,
        "promo_x".to_owned(),
        UpdatePromotionCode::new().active(false),
    )
    .await
    .unwrap_err();
    assert_error(&error, 404, "id", Some("resource_missing"));
    assert_eq!(message(&error), "No such promotion code: 'promo_x'");

    let error = Coupons::retrieve(&store, "c_x".to_owned(), RetrieveCoupon::new())
        .await
        .unwrap_err();
    assert_error(&error, 404, "id", Some("resource_missing"));
    assert_eq!(message(&error), "No such coupon: 'c_x'");
    let error = Coupons::update(&store, "c_x".to_owned(), UpdateCoupon::new().name("n"))
        .await
        .unwrap_err();
    assert_error(&error, 404, "id", Some("resource_missing"));
    let error = Coupons::delete(&store, "c_x".to_owned(), DeleteCoupon::new())
        .await
        .unwrap_err();
    assert_error(&error, 404, "id", Some("resource_missing"));
}

// ---------------------------------------------------------------------------
// Promotion codes: lists

async fn list_ids(store: &Store, params: ListPromotionCodes) -> (Vec<String>, bool) {
    let page = PromotionCodes::list(store, params).await.unwrap();
    assert_eq!(page.url, "/v1/promotion_codes");
    (page.data.into_iter().map(|p| p.id).collect(), page.has_more)
}

#[tokio::test]
async fn lists_are_newest_first_and_page_by_cursor() {
    let (store, now) = store_at();
    let coupon = coupon(&store).await;
    // 25 codes: some in the same second (ties: the later insert first), some later.
    let mut created = Vec::new();
    for i in 0..25 {
        if i % 4 == 0 {
            now.fetch_add(1, Ordering::SeqCst);
        }
        created.push(create(&store, promo(&coupon.id)).await.id);
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();

    let (first, has_more) = list_ids(&store, ListPromotionCodes::new()).await;
    assert_eq!(first, newest_first[..10]);
    assert!(has_more);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut params = ListPromotionCodes::new().limit(7);
        if let Some(after) = &cursor {
            params = params.starting_after(after.clone());
        }
        let (ids, has_more) = list_ids(&store, params).await;
        cursor = ids.last().cloned();
        seen.extend(ids);
        if !has_more {
            break;
        }
    }
    assert_eq!(seen, newest_first);

    // Backwards from the oldest with ending_before.
    let (ids, has_more) = list_ids(
        &store,
        ListPromotionCodes::new()
            .limit(10)
            .ending_before(newest_first[20].clone()),
    )
    .await;
    assert_eq!(ids, newest_first[10..20]);
    assert!(has_more);
    let (ids, has_more) = list_ids(
        &store,
        ListPromotionCodes::new()
            .limit(10)
            .ending_before(newest_first[10].clone()),
    )
    .await;
    assert_eq!(ids, newest_first[..10]);
    assert!(!has_more);
    let (ids, has_more) = list_ids(
        &store,
        ListPromotionCodes::new().starting_after(newest_first[24].clone()),
    )
    .await;
    assert!(ids.is_empty());
    assert!(!has_more);

    // A full page of exactly the rest: no more.
    let (ids, has_more) = list_ids(
        &store,
        ListPromotionCodes::new()
            .limit(5)
            .starting_after(newest_first[19].clone()),
    )
    .await;
    assert_eq!(ids, newest_first[20..]);
    assert!(!has_more);
}

#[tokio::test]
async fn list_limits_and_cursors_are_checked() {
    let store = store();
    for bad in [0, 101, -1] {
        let error = PromotionCodes::list(&store, ListPromotionCodes::new().limit(bad))
            .await
            .unwrap_err();
        assert_error(&error, 400, "limit", None);
        let error = Coupons::list(&store, ListCoupons::new().limit(bad))
            .await
            .unwrap_err();
        assert_error(&error, 400, "limit", None);
    }
    assert_eq!(
        PromotionCodes::list(&store, ListPromotionCodes::new().limit(100))
            .await
            .unwrap()
            .data
            .len(),
        0
    );
    let error = PromotionCodes::list(
        &store,
        ListPromotionCodes::new().starting_after("promo_gone"),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "starting_after", Some("resource_missing"));
    assert_eq!(message(&error), "No such promotion code: 'promo_gone'");
    let error = PromotionCodes::list(
        &store,
        ListPromotionCodes::new().ending_before("promo_gone"),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "ending_before", Some("resource_missing"));
    let error = Coupons::list(&store, ListCoupons::new().starting_after("gone"))
        .await
        .unwrap_err();
    assert_error(&error, 400, "starting_after", Some("resource_missing"));
    assert_eq!(message(&error), "No such coupon: 'gone'");

    let coupon = coupon(&store).await;
    let code = create(&store, promo(&coupon.id)).await;
    let error = PromotionCodes::list(
        &store,
        ListPromotionCodes::new()
            .starting_after(code.id.clone())
            .ending_before(code.id),
    )
    .await
    .unwrap_err();
    assert_eq!(error.status, 400);
}

#[tokio::test]
async fn lists_filter_on_active_code_coupon_customer_and_created() {
    let (store, now) = store_at();
    let first = coupon(&store).await;
    let second = coupon(&store).await;
    let a = create(&store, promo(&first.id).code("ALPHA")).await;
    now.store(T0 + 10, Ordering::SeqCst);
    let b = create(&store, promo(&first.id).code("BETA").customer("cus_1")).await;
    now.store(T0 + 20, Ordering::SeqCst);
    let c = create(
        &store,
        promo(&second.id)
            .code("alpha")
            .customer("cus_1")
            .active(false),
    )
    .await;

    let ids =
        |items: &[&PromotionCode]| -> Vec<String> { items.iter().map(|p| p.id.clone()).collect() };

    assert_eq!(
        list_ids(&store, ListPromotionCodes::new().active(true))
            .await
            .0,
        ids(&[&b, &a])
    );
    assert_eq!(
        list_ids(&store, ListPromotionCodes::new().active(false))
            .await
            .0,
        ids(&[&c])
    );
    assert_eq!(
        list_ids(&store, ListPromotionCodes::new().code("Alpha"))
            .await
            .0,
        ids(&[&c, &a])
    );
    assert_eq!(
        list_ids(&store, ListPromotionCodes::new().coupon(first.id.clone()))
            .await
            .0,
        ids(&[&b, &a])
    );
    assert_eq!(
        list_ids(&store, ListPromotionCodes::new().customer("cus_1"))
            .await
            .0,
        ids(&[&c, &b])
    );
    assert_eq!(
        list_ids(
            &store,
            ListPromotionCodes::new()
                .customer("cus_1")
                .code("ALPHA")
                .active(false)
        )
        .await
        .0,
        ids(&[&c])
    );
    assert!(
        list_ids(&store, ListPromotionCodes::new().customer("cus_2"))
            .await
            .0
            .is_empty()
    );

    let created = |range: ListPromotionCodesCreatedObject| {
        ListPromotionCodes::new().created(ListPromotionCodesCreated::Object(Box::new(range)))
    };
    assert_eq!(
        list_ids(&store, ListPromotionCodes::new().created(T0 + 10))
            .await
            .0,
        ids(&[&b])
    );
    assert_eq!(
        list_ids(
            &store,
            created(ListPromotionCodesCreatedObject::new().gt(T0))
        )
        .await
        .0,
        ids(&[&c, &b])
    );
    assert_eq!(
        list_ids(
            &store,
            created(ListPromotionCodesCreatedObject::new().gte(T0 + 10))
        )
        .await
        .0,
        ids(&[&c, &b])
    );
    assert_eq!(
        list_ids(
            &store,
            created(ListPromotionCodesCreatedObject::new().lt(T0 + 20))
        )
        .await
        .0,
        ids(&[&b, &a])
    );
    assert_eq!(
        list_ids(
            &store,
            created(ListPromotionCodesCreatedObject::new().lte(T0))
        )
        .await
        .0,
        ids(&[&a])
    );
    assert_eq!(
        list_ids(
            &store,
            created(
                ListPromotionCodesCreatedObject::new()
                    .gte(T0 + 10)
                    .lte(T0 + 10)
            )
        )
        .await
        .0,
        ids(&[&b])
    );

    // Filters and cursors together: paging within the filtered list.
    let (page, more) = list_ids(
        &store,
        ListPromotionCodes::new().coupon(first.id.clone()).limit(1),
    )
    .await;
    assert_eq!(page, ids(&[&b]));
    assert!(more);
    let (page, more) = list_ids(
        &store,
        ListPromotionCodes::new()
            .coupon(first.id.clone())
            .limit(1)
            .starting_after(b.id.clone()),
    )
    .await;
    assert_eq!(page, ids(&[&a]));
    assert!(!more);
}

// ---------------------------------------------------------------------------
// Expand

#[tokio::test]
async fn expand_promotion_coupon_on_every_operation() {
    let store = store();
    let coupon = coupon(&store).await;
    let expand = || strings(&["promotion.coupon"]);

    let created = create(&store, promo(&coupon.id).expand(expand())).await;
    assert_eq!(
        coupon_of(&created),
        &Expandable::Object(Box::new(coupon.clone()))
    );

    let fetched = PromotionCodes::retrieve(
        &store,
        created.id.clone(),
        RetrievePromotionCode::new().expand(expand()),
    )
    .await
    .unwrap();
    let expanded = coupon_of(&fetched).as_object().expect("expanded");
    assert_eq!(expanded.id, coupon.id);
    assert_eq!(expanded.object, CouponObject::Coupon);
    assert_eq!(expanded.percent_off, Nullable::Value(25.5));

    let updated = PromotionCodes::update(
        &store,
        created.id.clone(),
        UpdatePromotionCode::new().active(false).expand(expand()),
    )
    .await
    .unwrap();
    assert!(coupon_of(&updated).is_expanded());

    // Not expanded unless asked.
    let plain = PromotionCodes::retrieve(&store, created.id.clone(), RetrievePromotionCode::new())
        .await
        .unwrap();
    assert_eq!(coupon_of(&plain), &Expandable::Id(coupon.id.clone()));

    let listed = PromotionCodes::list(
        &store,
        ListPromotionCodes::new().expand(strings(&["data.promotion.coupon"])),
    )
    .await
    .unwrap();
    assert!(coupon_of(&listed.data[0]).is_expanded());

    // Also accepted: the always-included currency options.
    PromotionCodes::retrieve(
        &store,
        created.id.clone(),
        RetrievePromotionCode::new().expand(strings(&["restrictions.currency_options"])),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn unsupported_expansions_are_refused() {
    let store = store();
    let coupon = coupon(&store).await;
    let code = create(&store, promo(&coupon.id).customer("cus_1")).await;

    let error = PromotionCodes::retrieve(
        &store,
        code.id.clone(),
        RetrievePromotionCode::new().expand(strings(&["promotion.nonsense"])),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "expand", None);
    assert_eq!(
        message(&error),
        "This property cannot be expanded (promotion.nonsense)."
    );

    let error = PromotionCodes::retrieve(
        &store,
        code.id.clone(),
        RetrievePromotionCode::new().expand(strings(&["customer"])),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "expand", None);
    assert!(message(&error).contains("(customer)"), "{error}");

    // Lists expand under `data.`.
    let error = PromotionCodes::list(
        &store,
        ListPromotionCodes::new().expand(strings(&["promotion.coupon"])),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "expand", None);
    assert!(message(&error).contains("(promotion.coupon)"), "{error}");

    let error = PromotionCodes::create(&store, promo(&coupon.id).expand(strings(&["nope"])))
        .await
        .unwrap_err();
    assert_error(&error, 400, "expand", None);
    // The refused create made nothing.
    assert_eq!(
        PromotionCodes::list(&store, ListPromotionCodes::new())
            .await
            .unwrap()
            .data
            .len(),
        1
    );

    let error = Coupons::retrieve(
        &store,
        coupon.id.clone(),
        RetrieveCoupon::new().expand(strings(&["applies_to.x"])),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "expand", None);
}

// ---------------------------------------------------------------------------
// Coupons

#[tokio::test]
async fn coupon_create_rules() {
    let store = store();
    let created = Coupons::create(
        &store,
        CreateCoupon::new()
            .percent_off(25.5)
            .duration("repeating")
            .duration_in_months(3)
            .name("25.5% off")
            .metadata([("campaign", "spring")]),
    )
    .await
    .unwrap();
    assert_eq!(created.id.len(), 8);
    assert!(is_alphanumeric(&created.id), "{}", created.id);
    assert_eq!(created.object, CouponObject::Coupon);
    assert_eq!(created.created, Timestamp(T0));
    assert_eq!(created.percent_off, Nullable::Value(25.5));
    assert_eq!(created.amount_off, Nullable::Null);
    assert_eq!(created.currency, Nullable::Null);
    assert_eq!(created.duration, CouponDuration::Repeating);
    assert_eq!(created.duration_in_months, Nullable::Value(3));
    assert_eq!(created.name, Nullable::Value("25.5% off".to_owned()));
    assert_eq!(created.metadata, map(&[("campaign", "spring")]));
    assert_eq!(created.times_redeemed, 0);
    assert!(created.valid);
    assert!(!created.livemode);

    let amount = Coupons::create(
        &store,
        CreateCoupon::new()
            .amount_off(500)
            .currency("eur")
            .id("FIVE-OFF"),
    )
    .await
    .unwrap();
    assert_eq!(amount.id, "FIVE-OFF");
    assert_eq!(amount.duration, CouponDuration::Once);
    assert_eq!(amount.duration_in_months, Nullable::Null);
    assert_eq!(amount.amount_off, Nullable::Value(500));
    assert_eq!(amount.metadata, map(&[]));
    let forever = Coupons::create(
        &store,
        CreateCoupon::new().percent_off(100.0).duration("forever"),
    )
    .await
    .unwrap();
    assert_eq!(forever.duration, CouponDuration::Forever);

    let error = Coupons::create(
        &store,
        CreateCoupon::new()
            .amount_off(1)
            .currency("usd")
            .id("FIVE-OFF"),
    )
    .await
    .unwrap_err();
    assert_error(&error, 400, "id", Some("resource_already_exists"));

    let rejected: Vec<(CreateCoupon, &str)> = vec![
        (CreateCoupon::new(), "percent_off"),
        (
            CreateCoupon::new()
                .percent_off(10.0)
                .amount_off(100)
                .currency("usd"),
            "amount_off",
        ),
        (CreateCoupon::new().percent_off(0.0), "percent_off"),
        (CreateCoupon::new().percent_off(100.5), "percent_off"),
        (CreateCoupon::new().percent_off(-1.0), "percent_off"),
        (CreateCoupon::new().amount_off(100), "currency"),
        (
            CreateCoupon::new().amount_off(0).currency("usd"),
            "amount_off",
        ),
        (
            CreateCoupon::new().amount_off(100).currency("dollars"),
            "currency",
        ),
        (
            CreateCoupon::new().percent_off(10.0).duration("repeating"),
            "duration_in_months",
        ),
        (
            CreateCoupon::new()
                .percent_off(10.0)
                .duration("once")
                .duration_in_months(3),
            "duration_in_months",
        ),
        (
            CreateCoupon::new().percent_off(10.0).duration_in_months(3),
            "duration_in_months",
        ),
        (
            CreateCoupon::new()
                .percent_off(10.0)
                .duration("repeating")
                .duration_in_months(0),
            "duration_in_months",
        ),
        (
            CreateCoupon::new().percent_off(10.0).duration("weekly"),
            "duration",
        ),
        (
            CreateCoupon::new().percent_off(10.0).name("x".repeat(41)),
            "name",
        ),
        (
            CreateCoupon::new().percent_off(10.0).max_redemptions(0),
            "max_redemptions",
        ),
        (
            CreateCoupon::new()
                .percent_off(10.0)
                .redeem_by(Timestamp(T0)),
            "redeem_by",
        ),
        (
            CreateCoupon::new()
                .percent_off(10.0)
                .expand(strings(&["x"])),
            "expand",
        ),
    ];
    for (params, param) in rejected {
        let error = Coupons::create(&store, params.clone()).await.unwrap_err();
        assert_error(&error, 400, param, None);
    }
    Coupons::create(
        &store,
        CreateCoupon::new().percent_off(10.0).name("x".repeat(40)),
    )
    .await
    .unwrap();
    // Nothing rejected was stored: 4 coupons.
    assert_eq!(
        Coupons::list(&store, ListCoupons::new())
            .await
            .unwrap()
            .data
            .len(),
        4
    );
}

#[tokio::test]
async fn coupon_update_delete_and_list() {
    let (store, now) = store_at();
    let coupon = coupon(&store).await;
    let id = coupon.id.clone();
    let updated = Coupons::update(
        &store,
        id.clone(),
        UpdateCoupon::new()
            .name("Spring")
            .metadata([("a", "1"), ("b", "2")]),
    )
    .await
    .unwrap();
    assert_eq!(updated.name, Nullable::Value("Spring".to_owned()));
    assert_eq!(updated.metadata, map(&[("a", "1"), ("b", "2")]));
    assert_eq!(updated.percent_off, coupon.percent_off);
    let updated = Coupons::update(
        &store,
        id.clone(),
        UpdateCoupon::new().metadata(ClearableMap::<String>::new().unset("a")),
    )
    .await
    .unwrap();
    assert_eq!(updated.metadata, map(&[("b", "2")]));
    assert_eq!(updated.name, Nullable::Value("Spring".to_owned()));
    let updated = Coupons::update(
        &store,
        id.clone(),
        UpdateCoupon::new().metadata(ClearableMap::<String>::Clear),
    )
    .await
    .unwrap();
    assert_eq!(updated.metadata, map(&[]));
    let error = Coupons::update(&store, id.clone(), UpdateCoupon::new().name("y".repeat(41)))
        .await
        .unwrap_err();
    assert_error(&error, 400, "name", None);

    let code = create(&store, promo(&id)).await;

    // List: newest first, paged, `url` /v1/coupons.
    let mut ids = vec![id.clone()];
    for i in 0..4 {
        if i % 2 == 0 {
            now.fetch_add(1, Ordering::SeqCst);
        }
        ids.push(
            Coupons::create(&store, CreateCoupon::new().percent_off(5.0))
                .await
                .unwrap()
                .id,
        );
    }
    ids.reverse();
    let page = Coupons::list(&store, ListCoupons::new().limit(3))
        .await
        .unwrap();
    assert_eq!(page.url, "/v1/coupons");
    assert!(page.has_more);
    assert_eq!(
        page.data.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        ids[..3]
    );
    let page = Coupons::list(
        &store,
        ListCoupons::new().limit(3).starting_after(ids[2].clone()),
    )
    .await
    .unwrap();
    assert!(!page.has_more);
    assert_eq!(
        page.data.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        ids[3..]
    );
    let page = Coupons::list(
        &store,
        ListCoupons::new().created(ListCouponsCreated::Integer(T0)),
    )
    .await
    .unwrap();
    assert_eq!(
        page.data.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        vec![id.clone()]
    );

    // Delete: a DeletedCoupon, then 404; the codes keep the id.
    let deleted = Coupons::delete(&store, id.clone(), DeleteCoupon::new())
        .await
        .unwrap();
    assert_eq!(deleted.id, id);
    assert!(deleted.deleted);
    assert_eq!(deleted.object, DeletedCouponObject::Coupon);
    let error = Coupons::retrieve(&store, id.clone(), RetrieveCoupon::new())
        .await
        .unwrap_err();
    assert_error(&error, 404, "id", Some("resource_missing"));
    let error = Coupons::delete(&store, id.clone(), DeleteCoupon::new())
        .await
        .unwrap_err();
    assert_error(&error, 404, "id", Some("resource_missing"));
    assert!(
        !Coupons::list(&store, ListCoupons::new().limit(100))
            .await
            .unwrap()
            .data
            .iter()
            .any(|c| c.id == id)
    );
    let kept = PromotionCodes::retrieve(
        &store,
        code.id.clone(),
        RetrievePromotionCode::new().expand(strings(&["promotion.coupon"])),
    )
    .await
    .unwrap();
    assert_eq!(coupon_of(&kept), &Expandable::Id(id.clone()));
    assert_eq!(
        list_ids(&store, ListPromotionCodes::new().coupon(id.clone()))
            .await
            .0,
        [code.id]
    );
    let error = PromotionCodes::create(&store, promo(&id))
        .await
        .unwrap_err();
    assert_error(&error, 400, "promotion[coupon]", Some("resource_missing"));
    // The id may be used again.
    Coupons::create(&store, CreateCoupon::new().percent_off(1.0).id(id))
        .await
        .unwrap();
}

// ---------------------------------------------------------------------------
// Concurrency (through the traits; tests/http.rs does the same over HTTP)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_of_one_code_have_one_winner() {
    let store = store();
    let coupon = coupon(&store).await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            let code = if i % 2 == 0 { "RACE" } else { "race" };
            let params = promo(&coupon.id).code(code);
            tokio::spawn(async move { PromotionCodes::create(&store, params).await })
        })
        .collect();
    let mut wins = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => wins += 1,
            Err(error) => {
                assert_error(&error, 400, "code", None);
                assert!(message(&error).ends_with("` already exists."), "{error}");
            }
        }
    }
    assert_eq!(wins, 1);
    let listed = PromotionCodes::list(&store, ListPromotionCodes::new().limit(100))
        .await
        .unwrap();
    assert_eq!(listed.data.len(), 1);
}
