//! End to end: the generated Rust client (`promo_api::client::Client`, feature
//! `client`) against the reference server over loopback. Every operation of
//! both resources, the auto-paginating stream, `expand`, metadata set / unset /
//! clear, and the error paths (missing objects, duplicate codes, invalid
//! parameters, unsupported expansions, a bad API key) as typed `ApiError`s.

use futures_util::TryStreamExt;
use promo_api::client::{Client, ClientError};
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, CreatePromotionCodePromotion, DeleteCoupon, ListCoupons,
    ListPromotionCodes, ListPromotionCodesCreated, ListPromotionCodesCreatedObject, RetrieveCoupon,
    RetrievePromotionCode, UpdateCoupon, UpdatePromotionCode,
};
use promo_api::routes::{Coupons, PromotionCodes};
use promo_api::runtime::{ClearableMap, Expandable, Nullable};
use promo_server::Store;

const KEY: &str = "sk_test_client_e2e";

async fn start() -> Client {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(listener, promo_server::app(Store::new()))
            .await
            .expect("serve")
    });
    Client::new(KEY)
        .with_base_url(format!("http://{address}"))
        .with_max_retries(0)
}

fn api_error(
    result: Result<impl std::fmt::Debug, ClientError>,
) -> (u16, String, Option<String>, Option<String>) {
    let error = result.expect_err("an error");
    let api = error
        .api_error()
        .unwrap_or_else(|| panic!("not an API error: {error}"));
    let details = api.details();
    (
        api.status,
        details.type_.as_str().to_owned(),
        details.code.clone(),
        details.param.clone(),
    )
}

fn promotion(coupon: &str) -> CreatePromotionCodePromotion {
    CreatePromotionCodePromotion::new("coupon", coupon)
}

async fn coupon(client: &Client) -> promo_api::models::Coupon {
    Coupons::create(
        client,
        CreateCoupon::new()
            .percent_off(25.5)
            .duration("repeating")
            .duration_in_months(3),
    )
    .await
    .expect("create coupon")
}

#[tokio::test]
async fn coupon_operations() {
    let client = start().await;
    let created = Coupons::create(
        &client,
        CreateCoupon::new()
            .amount_off(500)
            .currency("usd")
            .duration("once")
            .name("Five off")
            .metadata([("k", "v")]),
    )
    .await
    .expect("create");
    assert_eq!(created.amount_off, Nullable::Value(500));
    assert_eq!(created.name, Nullable::Value("Five off".to_owned()));
    let fetched = Coupons::retrieve(&client, created.id.clone(), RetrieveCoupon::new())
        .await
        .expect("retrieve");
    assert_eq!(fetched, created);
    let updated = Coupons::update(
        &client,
        created.id.clone(),
        UpdateCoupon::new()
            .name("Renamed")
            .metadata(ClearableMap::new().unset("k").set("n", "1")),
    )
    .await
    .expect("update");
    assert_eq!(updated.name, Nullable::Value("Renamed".to_owned()));
    assert_eq!(updated.metadata.as_ref().map(|m| m.len()), Some(1));
    let listed = Coupons::list(&client, ListCoupons::new().limit(10))
        .await
        .expect("list");
    assert_eq!(
        listed
            .data
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        [created.id.as_str()]
    );
    let deleted = Coupons::delete(&client, created.id.clone(), DeleteCoupon::new())
        .await
        .expect("delete");
    assert_eq!(deleted.id, created.id);
    let (status, _, code, _) =
        api_error(Coupons::retrieve(&client, created.id.clone(), RetrieveCoupon::new()).await);
    assert_eq!((status, code.as_deref()), (404, Some("resource_missing")));
}

#[tokio::test]
async fn promotion_code_operations_and_expand() {
    let client = start().await;
    let coupon = coupon(&client).await;
    let created = PromotionCodes::create(
        &client,
        CreatePromotionCode::new(promotion(&coupon.id))
            .code("SPRING25")
            .max_redemptions(5)
            .metadata(std::collections::BTreeMap::from([(
                "a".to_owned(),
                "1".to_owned(),
            )])),
    )
    .await
    .expect("create");
    assert_eq!(created.code, "SPRING25");
    assert!(created.id.starts_with("promo_"));
    assert_eq!(
        created.promotion.coupon.as_ref().map(Expandable::id),
        Some(coupon.id.as_str())
    );
    assert_eq!(created.max_redemptions, Nullable::Value(5));
    assert_eq!(
        created
            .metadata
            .as_ref()
            .and_then(|m| m.get("a"))
            .map(String::as_str),
        Some("1")
    );

    let expanded = PromotionCodes::retrieve(
        &client,
        created.id.clone(),
        RetrievePromotionCode::new().expand(vec!["promotion.coupon".to_owned()]),
    )
    .await
    .expect("retrieve expanded");
    let object = expanded
        .promotion
        .coupon
        .as_ref()
        .and_then(Expandable::as_object)
        .expect("expanded coupon");
    assert_eq!(object.id, coupon.id);
    assert_eq!(object.percent_off, Nullable::Value(25.5));

    let updated = PromotionCodes::update(
        &client,
        created.id.clone(),
        UpdatePromotionCode::new().metadata(ClearableMap::new().set("b", "2").unset("a")),
    )
    .await
    .expect("update");
    let metadata = updated.metadata.as_ref().expect("metadata");
    assert_eq!(
        metadata.iter().collect::<Vec<_>>(),
        [(&"b".to_owned(), &"2".to_owned())]
    );
    let cleared = PromotionCodes::update(
        &client,
        created.id.clone(),
        UpdatePromotionCode::new().metadata(ClearableMap::Clear),
    )
    .await
    .expect("clear");
    assert_eq!(cleared.metadata.as_ref().map(|m| m.len()), Some(0));
    let inactive = PromotionCodes::update(
        &client,
        created.id.clone(),
        UpdatePromotionCode::new().active(false),
    )
    .await
    .expect("deactivate");
    assert!(!inactive.active);

    let window = ListPromotionCodesCreated::from(
        ListPromotionCodesCreatedObject::new()
            .gte(created.created.0)
            .lte(created.created.0),
    );
    let listed = PromotionCodes::list(
        &client,
        ListPromotionCodes::new()
            .coupon(coupon.id.clone())
            .active(false)
            .created(window)
            .expand(vec!["data.promotion.coupon".to_owned()]),
    )
    .await
    .expect("list");
    assert_eq!(listed.data.len(), 1);
    assert!(
        listed.data[0]
            .promotion
            .coupon
            .as_ref()
            .is_some_and(Expandable::is_expanded)
    );
}

#[tokio::test]
async fn the_stream_pages_through_everything_newest_first() {
    let client = start().await;
    let coupon = coupon(&client).await;
    let mut ids = Vec::new();
    for _ in 0..23 {
        let code = PromotionCodes::create(&client, CreatePromotionCode::new(promotion(&coupon.id)))
            .await
            .expect("create");
        ids.push(code.id);
    }
    let first = PromotionCodes::list(&client, ListPromotionCodes::new().limit(10))
        .await
        .expect("first page");
    assert!(first.has_more);
    let all: Vec<String> = client
        .list_promotion_codes_auto(ListPromotionCodes::new().limit(10))
        .map_ok(|code| code.id)
        .try_collect()
        .await
        .expect("stream");
    ids.reverse();
    assert_eq!(all, ids);
}

#[tokio::test]
async fn error_paths_come_back_as_typed_api_errors() {
    let client = start().await;
    let coupon = coupon(&client).await;
    let (status, type_, code, param) = api_error(
        PromotionCodes::retrieve(
            &client,
            "promo_missing".to_owned(),
            RetrievePromotionCode::new(),
        )
        .await,
    );
    assert_eq!(
        (status, type_.as_str(), code.as_deref(), param.as_deref()),
        (
            404,
            "invalid_request_error",
            Some("resource_missing"),
            Some("id")
        )
    );

    let create = || CreatePromotionCode::new(promotion(&coupon.id)).code("ONCE");
    PromotionCodes::create(&client, create())
        .await
        .expect("first create");
    let (status, _, _, param) =
        api_error(PromotionCodes::create(&client, create().code("once")).await);
    assert_eq!((status, param.as_deref()), (400, Some("code")));

    let (status, _, code, param) = api_error(
        PromotionCodes::create(
            &client,
            CreatePromotionCode::new(promotion("no_such_coupon")),
        )
        .await,
    );
    assert_eq!(
        (status, code.as_deref(), param.as_deref()),
        (400, Some("resource_missing"), Some("promotion[coupon]"))
    );

    let (status, _, _, param) = api_error(
        PromotionCodes::create(
            &client,
            CreatePromotionCode::new(promotion(&coupon.id)).max_redemptions(0),
        )
        .await,
    );
    assert_eq!((status, param.as_deref()), (400, Some("max_redemptions")));

    let (status, _, _, param) =
        api_error(PromotionCodes::list(&client, ListPromotionCodes::new().limit(500)).await);
    assert_eq!((status, param.as_deref()), (400, Some("limit")));

    let code = PromotionCodes::create(&client, CreatePromotionCode::new(promotion(&coupon.id)))
        .await
        .expect("create");
    let (status, _, _, param) = api_error(
        PromotionCodes::retrieve(
            &client,
            code.id,
            RetrievePromotionCode::new().expand(vec!["promotion.nonsense".to_owned()]),
        )
        .await,
    );
    assert_eq!((status, param.as_deref()), (400, Some("expand")));

    let (status, _, _, param) = api_error(
        Coupons::create(
            &client,
            CreateCoupon::new().duration("once").percent_off(0.0),
        )
        .await,
    );
    assert_eq!((status, param.as_deref()), (400, Some("percent_off")));

    let stranger = Client::new("not_a_key")
        .with_base_url(client.base_url().to_owned())
        .with_max_retries(0);
    let (status, ..) = api_error(Coupons::list(&stranger, ListCoupons::new()).await);
    assert_eq!(status, 401);
}
