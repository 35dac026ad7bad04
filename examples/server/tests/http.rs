//! The store behind the generated router (`promo_server::app`), over real
//! HTTP on 127.0.0.1 with reqwest: concurrent creates (one winner among 50
//! creates of the same code; 1,000 distinct codes all listed afterwards) and
//! bad input (malformed bodies, a body over 1 MiB, unknown params, wrong
//! types, missing params) that must come back as Stripe-shaped 4xx errors,
//! never a 500, with the server still serving afterwards.

use std::collections::BTreeSet;

use promo_server::Store;
use reqwest::StatusCode;
use serde_json::Value;

const KEY: &str = "sk_test_promo_server";

/// A bad request: what it is, method, target, body, and the expected
/// status, error code and param.
type Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static [u8],
    u16,
    Option<&'static str>,
    Option<&'static str>,
);

/// A client of one server started on a free port.
struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn start() -> Api {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, promo_server::app(Store::new()))
                .await
                .unwrap();
        });
        Api {
            base: format!("http://{address}"),
            http: reqwest::Client::new(),
        }
    }

    /// Sends a request with the test key; returns the status, the JSON body and the headers.
    async fn send(
        &self,
        method: reqwest::Method,
        target: &str,
        body: impl Into<reqwest::Body>,
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let response = self
            .http
            .request(method, format!("{}{target}", self.base))
            .bearer_auth(KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "{target}: not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        (status, json, headers)
    }

    async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> (StatusCode, Value) {
        let (status, json, _) = self.send(reqwest::Method::POST, path, body).await;
        (status, json)
    }

    async fn get(&self, target: &str) -> (StatusCode, Value) {
        let (status, json, _) = self.send(reqwest::Method::GET, target, "").await;
        (status, json)
    }

    async fn coupon(&self) -> String {
        let (status, coupon) = self.post("/v1/coupons", "percent_off=25.5").await;
        assert_eq!(status, StatusCode::OK, "{coupon}");
        coupon["id"].as_str().unwrap().to_owned()
    }
}

/// A Stripe-shaped client error: 4xx and `{"error": {"type", "message", ...}}`.
#[track_caller]
fn assert_stripe_error(status: StatusCode, body: &Value, what: &str) {
    assert!(
        status.is_client_error(),
        "{what}: expected a 4xx, got {status}: {body}"
    );
    let error = &body["error"];
    assert!(error["type"].is_string(), "{what}: {body}");
    assert!(error["message"].is_string(), "{what}: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_creates_of_one_code_have_one_winner() {
    let api = std::sync::Arc::new(Api::start().await);
    let coupon = api.coupon().await;
    let body = format!("promotion[type]=coupon&promotion[coupon]={coupon}&code=BLACKFRIDAY");
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let api = std::sync::Arc::clone(&api);
            // Half of them in another case: uniqueness ignores case.
            let body = if i % 2 == 0 {
                body.clone()
            } else {
                body.replace("BLACKFRIDAY", "blackfriday")
            };
            tokio::spawn(async move { api.post("/v1/promotion_codes", body).await })
        })
        .collect();
    let mut created = Vec::new();
    let mut refused = 0;
    for task in tasks {
        let (status, body) = task.await.unwrap();
        if status == StatusCode::OK {
            created.push(body);
        } else {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(body["error"]["type"], "invalid_request_error");
            assert_eq!(body["error"]["param"], "code");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message == "An active promotion code with `code: BLACKFRIDAY` already exists."
                    || message
                        == "An active promotion code with `code: blackfriday` already exists.",
                "{message}"
            );
            refused += 1;
        }
    }
    assert_eq!(created.len(), 1, "exactly one create wins: {created:?}");
    assert_eq!(refused, 49);
    let (status, list) = api.get("/v1/promotion_codes?code=blackfriday").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], created[0]["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_creates_are_all_listed() {
    let api = std::sync::Arc::new(Api::start().await);
    let coupon = api.coupon().await;
    let tasks: Vec<_> = (0..1000)
        .map(|i| {
            let api = std::sync::Arc::clone(&api);
            let body =
                format!("promotion[type]=coupon&promotion[coupon]={coupon}&code=CODE-{i:04}");
            tokio::spawn(async move { api.post("/v1/promotion_codes", body).await })
        })
        .collect();
    let mut ids = BTreeSet::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.insert(body["id"].as_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 1000);

    // Page through everything, 100 at a time, newest first.
    let mut listed = Vec::new();
    let mut codes = BTreeSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let target = match &cursor {
            Some(after) => format!("/v1/promotion_codes?limit=100&starting_after={after}"),
            None => "/v1/promotion_codes?limit=100".to_owned(),
        };
        let (status, page) = api.get(&target).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["object"], "list");
        assert_eq!(page["url"], "/v1/promotion_codes");
        let data = page["data"].as_array().unwrap();
        pages += 1;
        for code in data {
            listed.push(code["id"].as_str().unwrap().to_owned());
            codes.insert(code["code"].as_str().unwrap().to_owned());
        }
        cursor = listed.last().cloned();
        if page["has_more"] == false {
            break;
        }
        assert_eq!(data.len(), 100);
    }
    assert_eq!(pages, 10);
    assert_eq!(listed.len(), 1000, "every code exactly once");
    assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), ids);
    let expected: BTreeSet<String> = (0..1000).map(|i| format!("CODE-{i:04}")).collect();
    assert_eq!(codes, expected);
}

#[tokio::test]
async fn bad_input_is_a_stripe_shaped_4xx_and_the_server_keeps_serving() {
    let api = Api::start().await;
    let coupon = api.coupon().await;
    let create = format!("promotion[type]=coupon&promotion[coupon]={coupon}");

    // (what, method, target, body ("{create}": a valid create), status, code, param)
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("empty create", "POST", "/v1/promotion_codes", b"", 400, Some("parameter_missing"), Some("promotion")),
        ("missing coupon", "POST", "/v1/promotion_codes", b"promotion[type]=coupon", 400, Some("parameter_missing"), Some("promotion[coupon]")),
        ("unknown param", "POST", "/v1/promotion_codes", b"{create}&bogus=1", 400, Some("parameter_unknown"), Some("bogus")),
        ("unknown nested param", "POST", "/v1/promotion_codes", b"{create}&restrictions[bogus]=1", 400, Some("parameter_unknown"), Some("restrictions[bogus]")),
        ("unknown query param", "GET", "/v1/promotion_codes?colour=red", b"", 400, Some("parameter_unknown"), Some("colour")),
        ("integer", "POST", "/v1/promotion_codes", b"{create}&max_redemptions=many", 400, Some("parameter_invalid_integer"), Some("max_redemptions")),
        ("boolean", "POST", "/v1/promotion_codes", b"{create}&active=maybe", 400, Some("parameter_invalid_boolean"), Some("active")),
        ("timestamp", "POST", "/v1/promotion_codes", b"{create}&expires_at=tomorrow", 400, Some("parameter_invalid_integer"), Some("expires_at")),
        ("number", "POST", "/v1/coupons", b"percent_off=lots", 400, Some("parameter_invalid_number"), Some("percent_off")),
        ("enum", "POST", "/v1/coupons", b"percent_off=5&duration=weekly", 400, Some("parameter_invalid_enum"), Some("duration")),
        ("object as value", "POST", "/v1/promotion_codes", b"{create}&restrictions=1", 400, None, Some("restrictions")),
        ("value and object", "POST", "/v1/promotion_codes", b"{create}&promotion=x", 400, None, None),
        ("limit type", "GET", "/v1/promotion_codes?limit=ten", b"", 400, Some("parameter_invalid_integer"), Some("limit")),
        ("limit range", "GET", "/v1/coupons?limit=1000", b"", 400, None, Some("limit")),
        ("created type", "GET", "/v1/promotion_codes?created[gte]=yesterday", b"", 400, None, None),
        ("bad code charset", "POST", "/v1/promotion_codes", b"{create}&code=NO%20SPACES", 400, None, Some("code")),
        ("bad expand", "GET", "/v1/coupons?expand[]=nonsense", b"", 400, None, Some("expand")),
        ("broken percent-encoding", "POST", "/v1/coupons", b"percent_off=%zz", 400, None, None),
        ("broken brackets", "POST", "/v1/coupons", b"metadata[a=1&percent_off=5", 400, None, None),
        ("no key", "POST", "/v1/coupons", b"=5", 400, None, None),
        ("binary body", "POST", "/v1/coupons", &[0xff, 0xfe, 0x00, 0x80], 400, None, None),
        ("JSON body", "POST", "/v1/coupons", br#"{"percent_off": 5}"#, 400, None, None),
        ("unknown coupon", "GET", "/v1/coupons/nope", b"", 404, Some("resource_missing"), Some("id")),
        ("unknown code", "POST", "/v1/promotion_codes/promo_nope", b"active=false", 404, Some("resource_missing"), Some("id")),
        ("unknown URL", "GET", "/v1/nothing", b"", 404, None, None),
        ("wrong method", "DELETE", "/v1/promotion_codes", b"", 405, None, None),
    ];
    for &(what, method, target, body, status, code, param) in cases {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let body = match std::str::from_utf8(body) {
            Ok(text) => text.replace("{create}", &create).into_bytes(),
            Err(_) => body.to_vec(),
        };
        let (got, error, _) = api.send(method, target, body).await;
        assert_stripe_error(got, &error, what);
        assert_eq!(got.as_u16(), status, "{what}: {error}");
        if let Some(code) = code {
            assert_eq!(error["error"]["code"], code, "{what}: {error}");
        }
        if let Some(param) = param {
            assert_eq!(error["error"]["param"], param, "{what}: {error}");
        }
    }

    // A body over 1 MiB: 413.
    let huge = format!("{create}&metadata[blob]={}", "x".repeat(1024 * 1024));
    let (status, error) = api.post("/v1/promotion_codes", huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{error}");
    assert_stripe_error(status, &error, "1 MiB+ body");

    // Without an API key, or with a bad one: 401.
    for auth in [None, Some("Bearer pk_live_nope")] {
        let mut request = api.http.get(format!("{}/v1/coupons", api.base));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }

    // Still serving, and nothing refused was stored.
    let (status, list) = api.get("/v1/promotion_codes").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    let (status, created) = api.post("/v1/promotion_codes", create).await;
    assert_eq!(status, StatusCode::OK, "{created}");
}

#[tokio::test]
async fn the_router_serves_the_store_with_stripe_headers() {
    let api = Api::start().await;
    let coupon = api.coupon().await;
    let body = format!(
        "promotion[type]=coupon&promotion[coupon]={coupon}&code=SPRING&metadata[order_id]=6735&expand[0]=promotion.coupon"
    );
    let (status, created, headers) = api
        .send(reqwest::Method::POST, "/v1/promotion_codes", body)
        .await;
    assert_eq!(status, StatusCode::OK, "{created}");
    assert!(
        headers["request-id"].to_str().unwrap().starts_with("req_"),
        "{headers:?}"
    );
    assert_eq!(created["object"], "promotion_code");
    assert_eq!(created["code"], "SPRING");
    assert_eq!(created["promotion"]["type"], "coupon");
    assert_eq!(created["promotion"]["coupon"]["id"], coupon.as_str());
    assert_eq!(created["promotion"]["coupon"]["object"], "coupon");
    assert_eq!(created["metadata"]["order_id"], "6735");
    assert_eq!(created["customer"], Value::Null);
    let id = created["id"].as_str().unwrap();

    // Metadata: unset one key with an empty value, clear all with `metadata=`.
    let (_, updated) = api
        .post(
            &format!("/v1/promotion_codes/{id}"),
            "metadata[a]=1&metadata[order_id]=",
        )
        .await;
    assert_eq!(updated["metadata"], serde_json::json!({"a": "1"}));
    let (_, updated) = api
        .post(&format!("/v1/promotion_codes/{id}"), "metadata=")
        .await;
    assert_eq!(updated["metadata"], serde_json::json!({}));

    // Lists: filters and `data.` expansions in the query.
    let (status, list) = api
        .get(&format!(
            "/v1/promotion_codes?code=spring&coupon={coupon}&expand[]=data.promotion.coupon"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["data"][0]["id"], id);
    assert_eq!(
        list["data"][0]["promotion"]["coupon"]["id"],
        coupon.as_str()
    );

    // Coupons: delete, then 404.
    let (status, deleted, _) = api
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/coupons/{coupon}"),
            "",
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        deleted,
        serde_json::json!({"deleted": true, "id": coupon, "object": "coupon"})
    );
    let (status, _) = api.get(&format!("/v1/coupons/{coupon}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
