//! The generated client (`promo_api::client`, feature `client`) against the
//! generated router serving an in-memory implementation of the route traits:
//! every operation, typed errors, retries with one idempotency key, the
//! `Stripe-Version` header, and auto-pagination.

use apigen_tests::fake::Fake;
use promo_api::errors::ApiError;
use promo_api::models::Coupon;
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, DeleteCoupon, ListCoupons, ListPromotionCodes,
    RetrieveCoupon, RetrievePromotionCode, UpdateCoupon, UpdatePromotionCode,
};
use promo_api::routes::{Coupons, PromotionCodes};
use promo_api::runtime::{Expandable, Nullable};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use std::time::Duration;

// ---------------------------------------------------------------------------
// A server that records what it was sent

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use futures_util::TryStreamExt as _;
use promo_api::client::{Client, ClientError, DEFAULT_BASE_URL};
use promo_api::params::CreatePromotionCodePromotion;

const KEY: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: String,
    idempotency_key: Option<String>,
    stripe_version: Option<String>,
    authorization: Option<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(State(log): State<Log>, request: Request, next: Next) -> Response {
    let seen = seen(&request);
    log.lock().unwrap().push(seen);
    next.run(request).await
}

fn seen(request: &Request) -> Seen {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    Seen {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
        query: request.uri().query().unwrap_or_default().to_owned(),
        idempotency_key: header("idempotency-key"),
        stripe_version: header("stripe-version"),
        authorization: header("authorization"),
    }
}

async fn spawn(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// The fake behind the generated router, the log of requests, and a client of it.
async fn start() -> (Fake, Log, Client) {
    let fake = Fake::default();
    let log = Log::default();
    let router = promo_api::server::router(fake.clone())
        .layer(axum::middleware::from_fn_with_state(log.clone(), record));
    let base = spawn(router).await;
    let client = Client::new(KEY)
        .with_base_url(base)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(10));
    (fake, log, client)
}

fn api_error(result: Result<impl std::fmt::Debug, ClientError>) -> ApiError {
    match result {
        Err(ClientError::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn the_default_base_url_is_the_specs_first_server() {
    assert_eq!(DEFAULT_BASE_URL, "https://api.stripe.com");
    assert_eq!(Client::new(KEY).base_url(), "https://api.stripe.com");
    let client = Client::new(KEY);
    assert_ne!(client.idempotency_key(), client.idempotency_key());
}

#[tokio::test]
async fn every_operation_goes_through_the_client() {
    let (_, log, client) = start().await;
    let coupon = Coupons::create(
        &client,
        CreateCoupon::new()
            .id("SUMMER 25")
            .duration("repeating")
            .duration_in_months(3)
            .percent_off(25.5)
            .metadata([("campaign", "summer")]),
    )
    .await
    .unwrap();
    assert_eq!(coupon.id, "SUMMER 25");
    assert_eq!(coupon.percent_off, Nullable::Value(25.5));

    let fetched = Coupons::retrieve(&client, "SUMMER 25".to_owned(), RetrieveCoupon::new())
        .await
        .unwrap();
    assert_eq!(fetched, coupon);
    let renamed = Coupons::update(
        &client,
        "SUMMER 25".to_owned(),
        UpdateCoupon::new().name("Summer"),
    )
    .await
    .unwrap();
    assert_eq!(renamed.name, Nullable::Value("Summer".to_owned()));
    let coupons = Coupons::list(&client, ListCoupons::new().limit(5))
        .await
        .unwrap();
    assert_eq!(coupons.data, vec![renamed.clone()]);

    let code = PromotionCodes::create(
        &client,
        CreatePromotionCode::new(CreatePromotionCodePromotion::new("coupon", "SUMMER 25"))
            .code("SUMMER25")
            .metadata(BTreeMap::from([("order id".to_owned(), "6735".to_owned())])),
    )
    .await
    .unwrap();
    assert_eq!(code.code, "SUMMER25");
    let expanded = PromotionCodes::retrieve(
        &client,
        code.id.clone(),
        RetrievePromotionCode::new().expand(vec!["promotion.coupon".to_owned()]),
    )
    .await
    .unwrap();
    assert!(
        expanded
            .promotion
            .coupon
            .as_ref()
            .is_some_and(Expandable::is_expanded)
    );
    let updated = PromotionCodes::update(
        &client,
        code.id.clone(),
        UpdatePromotionCode::new().active(false),
    )
    .await
    .unwrap();
    assert!(!updated.active);
    let codes = PromotionCodes::list(&client, ListPromotionCodes::new().active(false))
        .await
        .unwrap();
    assert_eq!(codes.data.len(), 1);

    let deleted = Coupons::delete(&client, "SUMMER 25".to_owned(), DeleteCoupon::new())
        .await
        .unwrap();
    assert!(deleted.deleted);

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 9);
    for seen in log.iter() {
        assert_eq!(seen.stripe_version.as_deref(), Some(promo_api::API_VERSION));
        assert_eq!(
            seen.authorization.as_deref(),
            Some(&*format!("Bearer {KEY}"))
        );
        assert_eq!(
            seen.idempotency_key.is_some(),
            seen.method == "POST",
            "{seen:?}"
        );
    }
    assert_eq!(log[1].path, "/v1/coupons/SUMMER%2025");
    let keys: std::collections::BTreeSet<_> = log
        .iter()
        .filter_map(|s| s.idempotency_key.clone())
        .collect();
    assert_eq!(keys.len(), 4, "a fresh key per POST");
}

#[tokio::test]
async fn errors_are_typed() {
    let (_, _, client) = start().await;
    let missing =
        api_error(Coupons::retrieve(&client, "nope".to_owned(), RetrieveCoupon::new()).await);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.details().code.as_deref(), Some("resource_missing"));
    assert_eq!(missing.details().param.as_deref(), Some("coupon"));

    let invalid = api_error(Coupons::list(&client, ListCoupons::new().limit(1000)).await);
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.details().param.as_deref(), Some("limit"));
    assert_eq!(
        invalid.details().code.as_deref(),
        Some("parameter_invalid_too_large")
    );

    let bad_key = Client::new("sk_live_nope_nope_nope").with_base_url(client.base_url());
    let unauthorized = api_error(Coupons::list(&bad_key, ListCoupons::new()).await);
    assert_eq!(unauthorized.status, 401);
    assert!(
        unauthorized
            .details()
            .message
            .as_deref()
            .unwrap()
            .starts_with("Invalid API Key provided")
    );
}

#[tokio::test]
async fn failed_requests_are_retried_with_the_same_idempotency_key() {
    let (fake, log, client) = start().await;
    fake.failures.lock().unwrap().extend([
        ApiError::new("api_error", "Something went wrong."),
        ApiError::new("rate_limit_error", "Too many requests."),
    ]);
    let coupon = Coupons::create(
        &client,
        CreateCoupon::new().duration("once").percent_off(5.0),
    )
    .await
    .unwrap();
    let attempts: Vec<Seen> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.method == "POST")
        .cloned()
        .collect();
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    let key = attempts[0].idempotency_key.clone().unwrap();
    assert!(
        attempts
            .iter()
            .all(|s| s.idempotency_key.as_deref() == Some(&*key))
    );
    let all = Coupons::list(&client, ListCoupons::new()).await.unwrap();
    assert_eq!(all.data, vec![coupon], "created once");

    // More failures than retries: the last error is returned.
    log.lock().unwrap().clear();
    fake.failures.lock().unwrap().extend([
        ApiError::new("api_error", "one"),
        ApiError::new("api_error", "two"),
        ApiError::new("api_error", "three"),
    ]);
    let error = api_error(
        Coupons::create(
            &client.clone().with_max_retries(1),
            CreateCoupon::new().duration("once").percent_off(5.0),
        )
        .await,
    );
    assert_eq!(error.status, 500);
    assert_eq!(error.details().message.as_deref(), Some("two"));
    assert_eq!(log.lock().unwrap().len(), 2);

    // A 400 is not retried.
    log.lock().unwrap().clear();
    fake.failures.lock().unwrap().clear();
    let error = api_error(Coupons::create(&client, CreateCoupon::new().percent_off(-1.0)).await);
    assert_eq!(error.status, 400);
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn stripe_should_retry_is_honoured_and_connection_errors_retried() {
    let hits = Arc::new(Mutex::new(0));
    let counter = hits.clone();
    let router = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            *counter.lock().unwrap() += 1;
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                [
                    ("stripe-should-retry", "false"),
                    ("content-type", "application/json"),
                ],
                r#"{"error": {"type": "api_error", "message": "no"}}"#,
            )
        }
    });
    let base = spawn(router).await;
    let client = Client::new(KEY)
        .with_base_url(base)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5));
    let error = api_error(Coupons::list(&client, ListCoupons::new()).await);
    assert_eq!(error.status, 500);
    assert_eq!(*hits.lock().unwrap(), 1);

    // Nothing listens on the port: a transport error after the retries.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let nowhere = Client::new(KEY)
        .with_base_url(format!("http://{address}"))
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5));
    match Coupons::list(&nowhere, ListCoupons::new()).await {
        Err(ClientError::Transport(_)) => {}
        other => panic!("expected a transport error, got {other:?}"),
    }
}

/// A server that answers 429 with `Retry-After: <retry_after>` to the first
/// request and an empty list to the rest; it counts the requests.
async fn rate_limited_once(retry_after: &'static str) -> (String, Arc<Mutex<u32>>) {
    let hits = Arc::new(Mutex::new(0));
    let counter = hits.clone();
    let router = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            let first = {
                let mut hits = counter.lock().unwrap();
                *hits += 1;
                *hits == 1
            };
            use axum::response::IntoResponse as _;
            let json = [("content-type", "application/json")];
            if first {
                (
                    axum::http::StatusCode::TOO_MANY_REQUESTS,
                    [("retry-after", retry_after)],
                    json,
                    r#"{"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests."}}"#,
                )
                    .into_response()
            } else {
                (
                    json,
                    r#"{"object": "list", "data": [], "has_more": false, "url": "/v1/coupons"}"#,
                )
                    .into_response()
            }
        }
    });
    (spawn(router).await, hits)
}

#[tokio::test]
async fn retry_after_is_honoured_instead_of_the_backoff() {
    let (base, hits) = rate_limited_once("1").await;
    // The backoff alone would wait a millisecond.
    let client = Client::new(KEY)
        .with_base_url(base)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(1));
    let started = std::time::Instant::now();
    let page = Coupons::list(&client, ListCoupons::new()).await.unwrap();
    let waited = started.elapsed();
    assert!(page.data.is_empty());
    assert_eq!(*hits.lock().unwrap(), 2, "retried once");
    assert!(waited >= Duration::from_secs(1), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");

    // A `Retry-After` that is not a number of seconds: the backoff applies.
    let (base, hits) = rate_limited_once("Wed, 21 Oct 2015 07:28:00 GMT").await;
    let client = Client::new(KEY)
        .with_base_url(base)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(1));
    let started = std::time::Instant::now();
    Coupons::list(&client, ListCoupons::new()).await.unwrap();
    assert_eq!(*hits.lock().unwrap(), 2, "retried once");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn retry_after_is_read_as_seconds_and_capped() {
    use promo_api::client::{MAX_RETRY_AFTER, retry_after};
    assert_eq!(MAX_RETRY_AFTER, Duration::from_secs(60));
    assert_eq!(retry_after("1"), Some(Duration::from_secs(1)));
    assert_eq!(retry_after(" 0 "), Some(Duration::ZERO));
    assert_eq!(retry_after("60"), Some(MAX_RETRY_AFTER));
    assert_eq!(retry_after("3600"), Some(MAX_RETRY_AFTER));
    assert_eq!(retry_after("99999999999999999999"), None);
    assert_eq!(retry_after("-1"), None);
    assert_eq!(retry_after("1.5"), None);
    assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
}

#[tokio::test]
async fn list_streams_page_through_everything() {
    let (_, log, client) = start().await;
    let mut ids = Vec::new();
    for i in 0..25 {
        let id = format!("coupon_{i:02}");
        Coupons::create(
            &client,
            CreateCoupon::new()
                .id(&*id)
                .duration("once")
                .percent_off(1.0),
        )
        .await
        .unwrap();
        ids.push(id);
    }
    log.lock().unwrap().clear();
    let all: Vec<Coupon> = client
        .list_coupons_auto(ListCoupons::new().limit(10))
        .try_collect()
        .await
        .unwrap();
    let got: Vec<String> = all.into_iter().map(|c| c.id).collect();
    assert_eq!(got, ids);
    let pages: Vec<Seen> = log.lock().unwrap().clone();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert_eq!(pages[0].query, "limit=10");
    assert!(
        pages[1].query.contains("starting_after=coupon_09"),
        "{pages:?}"
    );
    assert!(
        pages[2].query.contains("starting_after=coupon_19"),
        "{pages:?}"
    );

    // A cursor given by the caller is where the stream starts.
    let rest: Vec<Coupon> = client
        .list_coupons_auto(ListCoupons::new().limit(7).starting_after("coupon_20"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rest.len(), 4);

    // An error ends the stream.
    let mut failing =
        std::pin::pin!(client.list_promotion_codes_auto(ListPromotionCodes::new().limit(0)));
    let first = futures_util::StreamExt::next(&mut failing).await.unwrap();
    assert_eq!(api_error(first).status, 400);
    assert!(futures_util::StreamExt::next(&mut failing).await.is_none());
}
