//! The route traits are implementable: an in-memory fake implements
//! `PromotionCodes` and `Coupons` with `async fn`s, and generic code drives it
//! two ways: directly through the traits, and through a tiny "server" that
//! routes raw requests (method, path, query, body) by the generated route
//! table, decodes and validates parameters, and answers with JSON or a
//! Stripe-shaped error, the way the later axum server will.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use apigen_tests::fake::Fake;
use promo_api::errors::ApiError;
use promo_api::models::PromotionCode;
use promo_api::params::CreatePromotionCodePromotion;
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, DeleteCoupon, ListPromotionCodes, RetrieveCoupon,
    RetrievePromotionCode, UpdatePromotionCode,
};
use promo_api::routes::{Coupons, PromotionCodes, ROUTES};
use promo_api::runtime::{ClearableMap, Encoding, Expandable, Method, Nullable, Params};

/// Runs a future to completion on this thread (the fake never waits).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        std::thread::yield_now();
    }
}

fn assert_send<F: Future + Send>(future: F) -> F {
    future
}

/// Generic client-side code: works with any implementation of the traits.
async fn create_coupon_and_code<S>(service: &S) -> Result<PromotionCode, ApiError>
where
    S: PromotionCodes<Error = ApiError> + Coupons<Error = ApiError> + Sync,
{
    let coupon = Coupons::create(
        service,
        CreateCoupon::new()
            .id("nVJYDOag")
            .duration("repeating")
            .duration_in_months(3)
            .percent_off(25.5),
    )
    .await?;
    PromotionCodes::create(
        service,
        CreatePromotionCode::new(CreatePromotionCodePromotion::new("coupon", coupon.id))
            .code("A1H1Q1MG"),
    )
    .await
}

#[test]
fn the_fake_serves_through_generic_code() {
    let fake = Fake::default();
    let code = block_on(assert_send(create_coupon_and_code(&fake))).unwrap();
    assert_eq!(code.code, "A1H1Q1MG");
    assert_eq!(
        code.promotion.coupon.as_ref().map(|c| c.id()),
        Some("nVJYDOag")
    );

    let updated = block_on(assert_send(PromotionCodes::update(
        &fake,
        code.id.clone(),
        UpdatePromotionCode::new().metadata([("order_id", "6735")]),
    )))
    .unwrap();
    assert_eq!(
        updated.metadata,
        Nullable::Value(BTreeMap::from([("order_id".to_owned(), "6735".to_owned())]))
    );
    let cleared = block_on(PromotionCodes::update(
        &fake,
        code.id.clone(),
        UpdatePromotionCode::new().metadata(ClearableMap::<String>::new().unset("order_id")),
    ))
    .unwrap();
    assert_eq!(cleared.metadata, Nullable::Value(BTreeMap::new()));

    let listed = block_on(PromotionCodes::list(
        &fake,
        ListPromotionCodes::new().code("a1h1q1mg"),
    ))
    .unwrap();
    assert_eq!(listed.data.len(), 1);

    let expanded = block_on(PromotionCodes::retrieve(
        &fake,
        code.id.clone(),
        RetrievePromotionCode::new().expand(vec!["promotion.coupon".to_owned()]),
    ))
    .unwrap();
    assert!(
        expanded
            .promotion
            .coupon
            .as_ref()
            .is_some_and(Expandable::is_expanded)
    );

    let deleted = block_on(Coupons::delete(
        &fake,
        "nVJYDOag".to_owned(),
        DeleteCoupon::new(),
    ))
    .unwrap();
    assert!(deleted.deleted);
    let gone = block_on(Coupons::retrieve(
        &fake,
        "nVJYDOag".to_owned(),
        RetrieveCoupon::new(),
    ))
    .unwrap_err();
    assert_eq!(gone.status, 404);
    assert_eq!(gone.details().code.as_deref(), Some("resource_missing"));

    // Validation runs in the service too.
    let invalid = block_on(PromotionCodes::list(
        &fake,
        ListPromotionCodes::new().limit(0),
    ))
    .unwrap_err();
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.details().param.as_deref(), Some("limit"));
}

/// A response: HTTP status and JSON body.
type Response = (u16, serde_json::Value);

fn reply<T: serde::Serialize>(result: Result<T, ApiError>) -> Response {
    match result {
        Ok(value) => (200, serde_json::to_value(value).unwrap()),
        Err(e) => (e.status, serde_json::to_value(&e.body).unwrap()),
    }
}

/// Decodes the parameters of a route from the query string and the body.
fn decode<P: Params>(query: &str, body: &str) -> Result<P, ApiError> {
    let params = P::from_wire(query, body)?;
    params.validate()?;
    Ok(params)
}

/// A generic server: routes by the generated table, dispatches to the traits.
async fn serve<S>(service: &S, method: Method, target: &str, body: &str) -> Response
where
    S: PromotionCodes<Error = ApiError> + Coupons<Error = ApiError> + Sync,
{
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some((route, args)) = ROUTES
        .iter()
        .filter(|r| r.method == method)
        .find_map(|r| r.match_path(path).map(|args| (r, args)))
    else {
        return reply::<()>(Err(ApiError::new(
            "invalid_request_error",
            format!("Unrecognized request URL ({path})."),
        )
        .with_code("resource_missing")));
    };
    // A query-encoded operation takes no body.
    let body = if route.encoding == Encoding::Query {
        ""
    } else {
        body
    };
    let id = || args[0].clone();
    match (route.resource, route.method_name) {
        ("PromotionCodes", "list") => match decode(query, body) {
            Ok(p) => reply(PromotionCodes::list(service, p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        ("PromotionCodes", "create") => match decode(query, body) {
            Ok(p) => reply(PromotionCodes::create(service, p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        ("PromotionCodes", "retrieve") => match decode(query, body) {
            Ok(p) => reply(PromotionCodes::retrieve(service, id(), p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        ("PromotionCodes", "update") => match decode(query, body) {
            Ok(p) => reply(PromotionCodes::update(service, id(), p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        ("Coupons", "list") => match decode(query, body) {
            Ok(p) => reply(Coupons::list(service, p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        ("Coupons", "create") => match decode(query, body) {
            Ok(p) => reply(Coupons::create(service, p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        ("Coupons", "retrieve") => match decode(query, body) {
            Ok(p) => reply(Coupons::retrieve(service, id(), p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        ("Coupons", "update") => match decode(query, body) {
            Ok(p) => reply(Coupons::update(service, id(), p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        ("Coupons", "delete") => match decode(query, body) {
            Ok(p) => reply(Coupons::delete(service, id(), p).await),
            Err(e) => reply::<()>(Err(e)),
        },
        (resource, method) => {
            panic!("the route table names {resource}::{method}, which the server does not know")
        }
    }
}

/// A generic client request: the route and the wire form of the params.
fn request<P: Params>(params: &P, args: &[&str]) -> (Method, String, String) {
    let route = P::ROUTE;
    let mut target = route.fill(args);
    let query = params.to_query();
    if !query.is_empty() {
        target = format!("{target}?{query}");
    }
    (route.method, target, params.to_body())
}

#[test]
fn client_and_server_share_the_route_table() {
    let fake = Fake::default();
    let call = |(method, target, body): (Method, String, String)| {
        block_on(assert_send(serve(&fake, method, &target, &body)))
    };

    let (status, coupon) = call(request(
        &CreateCoupon::new()
            .id("nVJYDOag")
            .duration("repeating")
            .duration_in_months(3)
            .percent_off(25.5),
        &[],
    ));
    assert_eq!(status, 200, "{coupon}");
    assert_eq!(coupon["percent_off"], 25.5);

    // The seed's create, as Stripe's clients send it.
    let create = CreatePromotionCode::new(CreatePromotionCodePromotion::new("coupon", "nVJYDOag"));
    let (method, target, body) = request(&create, &[]);
    assert_eq!(
        (method, target.as_str(), body.as_str()),
        (
            Method::Post,
            "/v1/promotion_codes",
            "promotion[type]=coupon&promotion[coupon]=nVJYDOag"
        )
    );
    let (status, created) = call((method, target, body));
    assert_eq!(status, 200, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();

    // The seed's update.
    let update = UpdatePromotionCode::new().metadata([("order_id", "6735")]);
    let (method, target, body) = request(&update, &[&id]);
    assert_eq!(target, format!("/v1/promotion_codes/{id}"));
    assert_eq!(body, "metadata[order_id]=6735");
    let (status, updated) = call((method, target, body));
    assert_eq!(status, 200);
    assert_eq!(updated["metadata"]["order_id"], "6735");

    // A list with filters in the query.
    let (method, target, body) = request(&ListPromotionCodes::new().limit(1).active(true), &[]);
    assert_eq!(target, "/v1/promotion_codes?active=true&limit=1");
    let (status, list) = call((method, target, body));
    assert_eq!(status, 200);
    assert_eq!(list["object"], "list");
    assert_eq!(list["data"][0]["id"], id.as_str());

    // Errors come back Stripe-shaped.
    let (status, error) = call((
        Method::Post,
        "/v1/promotion_codes".to_owned(),
        "promotion[type]=coupon".to_owned(),
    ));
    assert_eq!(status, 400);
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert_eq!(error["error"]["code"], "parameter_missing");
    assert_eq!(error["error"]["param"], "promotion[coupon]");

    let (status, error) = call((Method::Post, "/v1/promotion_codes".to_owned(), "promotion[type]=coupon&promotion[coupon]=x&restrictions[minimum_amount_currency]=usd&restrictions[bogus]=1".to_owned()));
    assert_eq!(status, 400);
    assert_eq!(error["error"]["code"], "parameter_unknown");
    assert_eq!(error["error"]["param"], "restrictions[bogus]");

    let (status, error) = call((Method::Get, "/v1/coupons/nope".to_owned(), String::new()));
    assert_eq!(status, 404);
    assert_eq!(error["error"]["code"], "resource_missing");

    let (status, deleted) = call(request(&DeleteCoupon::new(), &["nVJYDOag"]));
    assert_eq!(status, 200);
    assert_eq!(deleted["deleted"], true);
}

#[test]
fn the_route_table_matches_the_spec() {
    let table: Vec<(&str, &str, &str, &str, &str, Encoding)> = ROUTES
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path,
                r.operation_id,
                r.resource,
                r.method_name,
                r.encoding,
            )
        })
        .collect();
    assert_eq!(
        table,
        [
            (
                "GET",
                "/v1/coupons",
                "GetCoupons",
                "Coupons",
                "list",
                Encoding::Query
            ),
            (
                "POST",
                "/v1/coupons",
                "PostCoupons",
                "Coupons",
                "create",
                Encoding::Form
            ),
            (
                "GET",
                "/v1/coupons/{coupon}",
                "GetCouponsCoupon",
                "Coupons",
                "retrieve",
                Encoding::Query
            ),
            (
                "POST",
                "/v1/coupons/{coupon}",
                "PostCouponsCoupon",
                "Coupons",
                "update",
                Encoding::Form
            ),
            (
                "DELETE",
                "/v1/coupons/{coupon}",
                "DeleteCouponsCoupon",
                "Coupons",
                "delete",
                Encoding::Query
            ),
            (
                "GET",
                "/v1/promotion_codes",
                "GetPromotionCodes",
                "PromotionCodes",
                "list",
                Encoding::Query
            ),
            (
                "POST",
                "/v1/promotion_codes",
                "PostPromotionCodes",
                "PromotionCodes",
                "create",
                Encoding::Form
            ),
            (
                "GET",
                "/v1/promotion_codes/{promotion_code}",
                "GetPromotionCodesPromotionCode",
                "PromotionCodes",
                "retrieve",
                Encoding::Query
            ),
            (
                "POST",
                "/v1/promotion_codes/{promotion_code}",
                "PostPromotionCodesPromotionCode",
                "PromotionCodes",
                "update",
                Encoding::Form
            ),
        ]
    );
    let route = <RetrievePromotionCode as Params>::ROUTE;
    assert_eq!(route.operation, "RetrievePromotionCode");
    assert_eq!(route.path_params, ["promotion_code"]);
    assert_eq!(
        route.fill(&["promo 1/2"]),
        "/v1/promotion_codes/promo%201%2F2"
    );
    assert_eq!(
        route.match_path("/v1/promotion_codes/promo%201%2F2"),
        Some(vec!["promo 1/2".to_owned()])
    );
    assert_eq!(route.match_path("/v1/promotion_codes"), None);
    assert_eq!(route.match_path("/v1/promotion_codes/a/b"), None);
}
