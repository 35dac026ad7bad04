//! The route traits are implementable: an in-memory fake implements
//! `PromotionCodes` and `Coupons` with `async fn`s, and generic code drives it
//! two ways: directly through the traits, and through a tiny "server" that
//! routes raw requests (method, path, query, body) by the generated route
//! table, decodes and validates parameters, and answers with JSON or a
//! Stripe-shaped error, the way the later axum server will.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use promo_api::errors::ApiError;
use promo_api::models::{
    Coupon, CouponDuration, CouponObject, DeletedCoupon, DeletedCouponObject, PromotionCode,
    PromotionCodeObject, PromotionCodesResourcePromotion, PromotionCodesResourcePromotionType,
    PromotionCodesResourceRestrictions,
};
use promo_api::params::CreatePromotionCodePromotion;
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, DeleteCoupon, ListCoupons, ListPromotionCodes,
    RetrieveCoupon, RetrievePromotionCode, UpdateCoupon, UpdatePromotionCode,
};
use promo_api::routes::{Coupons, PromotionCodes, ROUTES};
use promo_api::runtime::{
    Clearable, ClearableMap, Encoding, Expandable, List, Method, Nullable, Params, Timestamp,
};

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

#[derive(Default)]
struct Store {
    next: u64,
    promotion_codes: BTreeMap<String, PromotionCode>,
    coupons: BTreeMap<String, Coupon>,
}

/// An in-memory Stripe.
#[derive(Default)]
struct Fake {
    store: Mutex<Store>,
}

const NOW: Timestamp = Timestamp(1678040164);

fn missing(kind: &str, id: &str, param: &str) -> ApiError {
    ApiError::new("invalid_request_error", format!("No such {kind}: '{id}'"))
        .with_code("resource_missing")
        .with_param(param)
}

fn apply_metadata(
    current: &mut Nullable<BTreeMap<String, String>>,
    patch: Option<ClearableMap<String>>,
) {
    match patch {
        None => {}
        Some(ClearableMap::Clear) => *current = Nullable::Value(BTreeMap::new()),
        Some(ClearableMap::Update(entries)) => {
            let mut map = current.as_ref().cloned().unwrap_or_default();
            for (key, value) in entries {
                match value {
                    Clearable::Set(v) => {
                        map.insert(key, v);
                    }
                    Clearable::Clear => {
                        map.remove(&key);
                    }
                }
            }
            *current = Nullable::Value(map);
        }
    }
}

fn page<T: Clone>(items: Vec<T>, limit: Option<i64>, url: &str) -> List<T> {
    let limit = usize::try_from(limit.unwrap_or(10)).unwrap_or(10);
    let has_more = items.len() > limit;
    List::new(items.into_iter().take(limit).collect(), has_more, url)
}

impl PromotionCodes for Fake {
    type Error = ApiError;

    async fn list(&self, params: ListPromotionCodes) -> Result<List<PromotionCode>, ApiError> {
        params.validate()?;
        let store = self.store.lock().unwrap();
        let items = store
            .promotion_codes
            .values()
            .filter(|p| params.active.is_none_or(|a| p.active == a))
            .filter(|p| {
                params
                    .code
                    .as_ref()
                    .is_none_or(|c| p.code.eq_ignore_ascii_case(c))
            })
            .filter(|p| {
                params.coupon.as_ref().is_none_or(|c| {
                    p.promotion.coupon.as_ref().is_some_and(|e| match e {
                        Expandable::Id(id) => id == c,
                        Expandable::Object(o) => &o.id == c,
                    })
                })
            })
            .cloned()
            .collect();
        Ok(page(items, params.limit, "/v1/promotion_codes"))
    }

    async fn create(&self, params: CreatePromotionCode) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        let coupon = params.promotion.coupon.clone();
        if !store.coupons.contains_key(&coupon) {
            return Err(missing("coupon", &coupon, "promotion[coupon]"));
        }
        store.next += 1;
        let id = format!("promo_{}", store.next);
        let restrictions = params.restrictions.unwrap_or_default();
        let code = PromotionCode {
            active: params.active.unwrap_or(true),
            code: params.code.unwrap_or_else(|| format!("CODE{}", store.next)),
            created: NOW,
            customer: params
                .customer
                .map_or(Nullable::Null, |c| Nullable::Value(Expandable::Id(c))),
            expires_at: params.expires_at.map_or(Nullable::Null, Nullable::Value),
            id: id.clone(),
            livemode: false,
            max_redemptions: params
                .max_redemptions
                .map_or(Nullable::Null, Nullable::Value),
            metadata: Nullable::Value(params.metadata.unwrap_or_default()),
            object: PromotionCodeObject::PromotionCode,
            promotion: PromotionCodesResourcePromotion {
                coupon: Nullable::Value(Expandable::Id(coupon)),
                type_: PromotionCodesResourcePromotionType::from(params.promotion.type_.as_str()),
            },
            restrictions: PromotionCodesResourceRestrictions {
                currency_options: None,
                first_time_transaction: restrictions.first_time_transaction.unwrap_or(false),
                minimum_amount: restrictions
                    .minimum_amount
                    .map_or(Nullable::Null, Nullable::Value),
                minimum_amount_currency: restrictions
                    .minimum_amount_currency
                    .map_or(Nullable::Null, Nullable::Value),
            },
            times_redeemed: 0,
        };
        store.promotion_codes.insert(id, code.clone());
        Ok(code)
    }

    async fn retrieve(
        &self,
        promotion_code: String,
        params: RetrievePromotionCode,
    ) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let store = self.store.lock().unwrap();
        let mut code = store
            .promotion_codes
            .get(&promotion_code)
            .cloned()
            .ok_or_else(|| missing("promotion code", &promotion_code, "promotion_code"))?;
        if params
            .expand
            .unwrap_or_default()
            .iter()
            .any(|e| e == "promotion.coupon")
            && let Nullable::Value(Expandable::Id(id)) = &code.promotion.coupon
            && let Some(coupon) = store.coupons.get(id)
        {
            code.promotion.coupon = Nullable::Value(Expandable::Object(Box::new(coupon.clone())));
        }
        Ok(code)
    }

    async fn update(
        &self,
        promotion_code: String,
        params: UpdatePromotionCode,
    ) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        let code = store
            .promotion_codes
            .get_mut(&promotion_code)
            .ok_or_else(|| missing("promotion code", &promotion_code, "promotion_code"))?;
        if let Some(active) = params.active {
            code.active = active;
        }
        apply_metadata(&mut code.metadata, params.metadata);
        Ok(code.clone())
    }
}

impl Coupons for Fake {
    type Error = ApiError;

    async fn list(&self, params: ListCoupons) -> Result<List<Coupon>, ApiError> {
        params.validate()?;
        let store = self.store.lock().unwrap();
        Ok(page(
            store.coupons.values().cloned().collect(),
            params.limit,
            "/v1/coupons",
        ))
    }

    async fn create(&self, params: CreateCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        store.next += 1;
        let id = params
            .id
            .clone()
            .unwrap_or_else(|| format!("coupon_{}", store.next));
        let coupon = Coupon {
            amount_off: params.amount_off.map_or(Nullable::Null, Nullable::Value),
            applies_to: None,
            created: NOW,
            currency: params.currency.map_or(Nullable::Null, Nullable::Value),
            currency_options: None,
            duration: params
                .duration
                .map_or(CouponDuration::Once, |d| CouponDuration::from(d.as_str())),
            duration_in_months: params
                .duration_in_months
                .map_or(Nullable::Null, Nullable::Value),
            id: id.clone(),
            livemode: false,
            max_redemptions: params
                .max_redemptions
                .map_or(Nullable::Null, Nullable::Value),
            metadata: Nullable::Value(BTreeMap::new()),
            name: params.name.map_or(Nullable::Null, Nullable::Value),
            object: CouponObject::Coupon,
            percent_off: params.percent_off.map_or(Nullable::Null, Nullable::Value),
            redeem_by: params.redeem_by.map_or(Nullable::Null, Nullable::Value),
            times_redeemed: 0,
            valid: true,
        };
        let mut coupon = coupon;
        apply_metadata(&mut coupon.metadata, params.metadata);
        store.coupons.insert(id, coupon.clone());
        Ok(coupon)
    }

    async fn retrieve(&self, coupon: String, params: RetrieveCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        let store = self.store.lock().unwrap();
        store
            .coupons
            .get(&coupon)
            .cloned()
            .ok_or_else(|| missing("coupon", &coupon, "coupon"))
    }

    async fn update(&self, coupon: String, params: UpdateCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        let found = store
            .coupons
            .get_mut(&coupon)
            .ok_or_else(|| missing("coupon", &coupon, "coupon"))?;
        if let Some(name) = params.name {
            found.name = Nullable::Value(name);
        }
        apply_metadata(&mut found.metadata, params.metadata);
        Ok(found.clone())
    }

    async fn delete(
        &self,
        coupon: String,
        params: DeleteCoupon,
    ) -> Result<DeletedCoupon, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        store
            .coupons
            .remove(&coupon)
            .map(|c| DeletedCoupon {
                deleted: true,
                id: c.id,
                object: DeletedCouponObject::Coupon,
            })
            .ok_or_else(|| missing("coupon", &coupon, "coupon"))
    }
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
