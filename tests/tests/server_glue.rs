//! The generated axum server (`promo_api::server`, feature `server`) serving an
//! in-memory implementation of the route traits on 127.0.0.1, hit with raw
//! HTTP requests: decoding (raw and percent-encoded brackets), validation
//! errors, authentication, Stripe-shaped errors for bad input, unknown routes
//! and oversized bodies, `Request-Id`, and idempotent replay.

use apigen_tests::fake::Fake;

// ---------------------------------------------------------------------------
// The server under test

const KEY: &str = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";

/// Serves `router` on a free port of 127.0.0.1; returns its base URL.
async fn spawn(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

async fn start() -> String {
    spawn(promo_api::server::router(Fake::default())).await
}

/// An answer: status, `Request-Id`, `Idempotent-Replayed` and the JSON body.
#[derive(Debug)]
struct Answer {
    status: u16,
    request_id: String,
    replayed: bool,
    json: serde_json::Value,
}

impl Answer {
    fn error(&self) -> &serde_json::Value {
        &self.json["error"]
    }
}

async fn send(request: reqwest::RequestBuilder) -> Answer {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let request_id = header("request-id").unwrap_or_default();
    let replayed = header("idempotent-replayed").as_deref() == Some("true");
    let content_type = header("content-type").unwrap_or_default();
    let text = response.text().await.unwrap();
    assert_eq!(content_type, "application/json", "{status}: {text}");
    assert!(
        request_id.starts_with("req_") && request_id.len() > 10,
        "no Request-Id on a {status} answer: {request_id:?}"
    );
    let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    Answer {
        status,
        request_id,
        replayed,
        json,
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

async fn get(base: &str, target: &str) -> Answer {
    send(http().get(format!("{base}{target}")).bearer_auth(KEY)).await
}

async fn post(base: &str, target: &str, body: &str) -> Answer {
    send(
        http()
            .post(format!("{base}{target}"))
            .bearer_auth(KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned()),
    )
    .await
}

async fn post_idempotent(base: &str, target: &str, key: &str, body: &str) -> Answer {
    send(
        http()
            .post(format!("{base}{target}"))
            .bearer_auth(KEY)
            .header("idempotency-key", key)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned()),
    )
    .await
}

fn assert_invalid(answer: &Answer, status: u16, code: &str, param: Option<&str>) {
    assert_eq!(answer.status, status, "{:#}", answer.json);
    assert_eq!(
        answer.error()["type"],
        "invalid_request_error",
        "{:#}",
        answer.json
    );
    assert_eq!(answer.error()["code"], code, "{:#}", answer.json);
    if let Some(param) = param {
        assert_eq!(answer.error()["param"], param, "{:#}", answer.json);
    }
    assert!(
        answer.error()["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}

// ---------------------------------------------------------------------------
// Tests

#[tokio::test]
async fn forms_and_queries_are_decoded_with_raw_or_encoded_brackets() {
    let base = start().await;
    let coupon = post(
        &base,
        "/v1/coupons",
        "id=SUMMER&duration=repeating&duration_in_months=3&percent_off=25.5&metadata[campaign]=summer",
    )
    .await;
    assert_eq!(coupon.status, 200, "{:#}", coupon.json);
    assert_eq!(coupon.json["id"], "SUMMER");
    assert_eq!(coupon.json["percent_off"], 25.5);
    assert_eq!(coupon.json["metadata"]["campaign"], "summer");

    let raw = post(
        &base,
        "/v1/promotion_codes",
        "promotion[type]=coupon&promotion[coupon]=SUMMER&code=RAW1",
    )
    .await;
    assert_eq!(raw.status, 200, "{:#}", raw.json);
    let encoded = post(
        &base,
        "/v1/promotion_codes",
        "promotion%5Btype%5D=coupon&promotion%5Bcoupon%5D=SUMMER&code=ENC1&metadata%5Border%20id%5D=6735",
    )
    .await;
    assert_eq!(encoded.status, 200, "{:#}", encoded.json);
    assert_eq!(encoded.json["promotion"]["coupon"], "SUMMER");
    assert_eq!(encoded.json["metadata"]["order id"], "6735");

    let id = raw.json["id"].as_str().unwrap().to_owned();
    for query in [
        "expand[0]=promotion.coupon",
        "expand%5B0%5D=promotion.coupon",
    ] {
        let expanded = get(&base, &format!("/v1/promotion_codes/{id}?{query}")).await;
        assert_eq!(expanded.status, 200, "{:#}", expanded.json);
        assert_eq!(
            expanded.json["promotion"]["coupon"]["id"], "SUMMER",
            "{query}"
        );
    }
    let plain = get(&base, &format!("/v1/promotion_codes/{id}")).await;
    assert_eq!(plain.json["promotion"]["coupon"], "SUMMER");

    let page = get(&base, "/v1/promotion_codes?limit=1&active=true").await;
    assert_eq!(page.status, 200, "{:#}", page.json);
    assert_eq!(page.json["object"], "list");
    assert_eq!(page.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(page.json["has_more"], true);
    let found = get(&base, "/v1/promotion_codes?code=enc1").await;
    assert_eq!(found.json["data"][0]["code"], "ENC1");

    let updated = post(&base, &format!("/v1/promotion_codes/{id}"), "active=false").await;
    assert_eq!(updated.json["active"], false);
    let deleted = send(
        http()
            .delete(format!("{base}/v1/coupons/SUMMER"))
            .bearer_auth(KEY),
    )
    .await;
    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.json["deleted"], true);
}

#[tokio::test]
async fn bad_parameters_are_400s_naming_the_parameter() {
    let base = start().await;
    let cases = [
        ("percent_off=abc", "parameter_invalid_number", "percent_off"),
        ("duration=once&bogus=1", "parameter_unknown", "bogus"),
        (
            "duration=once&percent_off=1&metadata=x&metadata[a]=b",
            "parameter_malformed",
            "metadata",
        ),
        (
            "duration=repeating&duration_in_months=x",
            "parameter_invalid_integer",
            "duration_in_months",
        ),
    ];
    for (body, code, param) in cases {
        let answer = post(&base, "/v1/coupons", body).await;
        assert_invalid(&answer, 400, code, Some(param));
    }
    let missing = post(&base, "/v1/promotion_codes", "code=X").await;
    assert_invalid(&missing, 400, "parameter_missing", Some("promotion"));
    let nested = post(
        &base,
        "/v1/promotion_codes",
        "promotion[type]=coupon&promotion[coupon]=c&restrictions[minimum_amount]=ten",
    )
    .await;
    assert_invalid(
        &nested,
        400,
        "parameter_invalid_integer",
        Some("restrictions[minimum_amount]"),
    );
    let too_large = get(&base, "/v1/coupons?limit=1000").await;
    assert_invalid(
        &too_large,
        400,
        "parameter_invalid_too_large",
        Some("limit"),
    );
    let unknown_query = get(&base, "/v1/coupons?expand%5B0%5D=data&nope=1").await;
    assert_invalid(&unknown_query, 400, "parameter_unknown", Some("nope"));

    // Not UTF-8: still a 400, not a 500.
    let binary = send(
        http()
            .post(format!("{base}/v1/coupons"))
            .bearer_auth(KEY)
            .body(vec![0xff, 0xfe, b'=', 0x80]),
    )
    .await;
    assert_eq!(binary.status, 400, "{:#}", binary.json);
    let bad_escape = post(&base, "/v1/coupons", "name=%FF%FE&duration=once").await;
    assert_eq!(bad_escape.status, 400, "{:#}", bad_escape.json);

    // A service error (a missing object) is a 404 resource_missing.
    let missing = get(&base, "/v1/coupons/nope").await;
    assert_invalid(&missing, 404, "resource_missing", Some("coupon"));

    // The server keeps serving after all that.
    let ok = post(&base, "/v1/coupons", "duration=once&percent_off=10").await;
    assert_eq!(ok.status, 200, "{:#}", ok.json);
}

#[tokio::test]
async fn api_keys_are_checked() {
    let base = start().await;
    let url = format!("{base}/v1/coupons");

    let bearer = send(http().get(&url).bearer_auth(KEY)).await;
    assert_eq!(bearer.status, 200);
    let basic = send(http().get(&url).basic_auth(KEY, Some(""))).await;
    assert_eq!(basic.status, 200, "{:#}", basic.json);
    let basic_no_password = send(http().get(&url).basic_auth(KEY, None::<&str>)).await;
    assert_eq!(basic_no_password.status, 200);

    let none = send(http().get(&url)).await;
    assert_eq!(none.status, 401);
    assert_eq!(none.error()["type"], "invalid_request_error");
    assert!(
        none.error()["message"]
            .as_str()
            .unwrap()
            .starts_with("You did not provide an API key")
    );
    for bad in ["sk_live_4eC39HqLyjWDarjtT1zdp7dc", "nonsense", "sk_test_"] {
        let answer = send(http().get(&url).bearer_auth(bad)).await;
        assert_eq!(answer.status, 401, "{bad}");
        let message = answer.error()["message"].as_str().unwrap();
        assert!(
            message.starts_with("Invalid API Key provided: "),
            "{message}"
        );
        assert!(
            !message.contains("4eC39HqLyjWDarjtT1zdp7dc"),
            "the key is redacted: {message}"
        );
    }
    let garbage = send(http().get(&url).header("authorization", "Basic !!!")).await;
    assert_eq!(garbage.status, 401);

    // A custom check.
    let only_one = promo_api::server::server(Fake::default())
        .auth(|key: &str| key == "sk_test_only")
        .into_router();
    let base = spawn(only_one).await;
    let url = format!("{base}/v1/coupons");
    assert_eq!(
        send(http().get(&url).bearer_auth("sk_test_only"))
            .await
            .status,
        200
    );
    assert_eq!(send(http().get(&url).bearer_auth(KEY)).await.status, 401);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_stripe_shaped() {
    let base = start().await;
    let unknown = get(&base, "/v1/customers").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error()["type"], "invalid_request_error");
    assert!(
        unknown.error()["message"]
            .as_str()
            .unwrap()
            .contains("Unrecognized request URL (GET: /v1/customers)")
    );
    let deep = get(&base, "/v1/coupons/a/b").await;
    assert_eq!(deep.status, 404);
    let root = get(&base, "/").await;
    assert_eq!(root.status, 404);

    let wrong_method = send(http().put(format!("{base}/v1/coupons")).bearer_auth(KEY)).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.error()["type"], "invalid_request_error");

    // Percent-encoded ids are decoded.
    let created = post(&base, "/v1/coupons", "id=a%20b&duration=once&percent_off=5").await;
    assert_eq!(created.status, 200);
    let fetched = get(&base, "/v1/coupons/a%20b").await;
    assert_eq!(fetched.json["id"], "a b");

    // A partial server: only coupons.
    let partial = spawn(promo_api::server::coupons_routes(Fake::default()).into_router()).await;
    assert_eq!(get(&partial, "/v1/coupons").await.status, 200);
    assert_eq!(get(&partial, "/v1/promotion_codes").await.status, 404);
}

#[tokio::test]
async fn large_bodies_are_413() {
    let base = start().await;
    let body = format!("duration=once&name={}", "a".repeat(1024 * 1024 + 10));
    let answer = post(&base, "/v1/coupons", &body).await;
    assert_eq!(answer.status, 413, "{:#}", answer.error());
    assert_eq!(answer.error()["type"], "invalid_request_error");
    // Chunked, without a Content-Length.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..20).map(|_| Ok(vec![b'a'; 64 * 1024])).collect();
    let stream = futures_util::stream::iter(chunks);
    let streamed = send(
        http()
            .post(format!("{base}/v1/coupons"))
            .bearer_auth(KEY)
            .body(reqwest::Body::wrap_stream(stream)),
    )
    .await;
    assert_eq!(streamed.status, 413);

    // A smaller limit, and the server keeps serving.
    let small = spawn(
        promo_api::server::server(Fake::default())
            .body_limit(64)
            .into_router(),
    )
    .await;
    let answer = post(&small, "/v1/coupons", &"name=x&".repeat(20)).await;
    assert_eq!(answer.status, 413);
    let ok = post(&small, "/v1/coupons", "duration=once&percent_off=1").await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn request_ids_are_unique() {
    let base = start().await;
    let a = get(&base, "/v1/coupons").await;
    let b = get(&base, "/v1/nothing").await;
    let c = send(http().get(format!("{base}/v1/coupons"))).await;
    assert_ne!(a.request_id, b.request_id);
    assert_ne!(b.request_id, c.request_id);
}

#[tokio::test]
async fn idempotent_requests_are_replayed() {
    let fake = Fake::default();
    let base = spawn(promo_api::server::router(fake.clone())).await;
    let body = "duration=once&percent_off=10&name=first";
    let first = post_idempotent(&base, "/v1/coupons", "key-1", body).await;
    assert_eq!(first.status, 200);
    assert!(!first.replayed);
    let again = post_idempotent(&base, "/v1/coupons", "key-1", body).await;
    assert_eq!(again.status, 200);
    assert!(again.replayed);
    assert_eq!(again.json, first.json);
    let list = get(&base, "/v1/coupons").await;
    assert_eq!(
        list.json["data"].as_array().unwrap().len(),
        1,
        "created once"
    );

    let other = post_idempotent(
        &base,
        "/v1/coupons",
        "key-1",
        "duration=once&percent_off=11",
    )
    .await;
    assert_eq!(other.status, 400);
    assert_eq!(other.error()["type"], "idempotency_error");
    assert!(
        other.error()["message"]
            .as_str()
            .unwrap()
            .starts_with("Keys for idempotent requests can only be used with the same parameters they were first used with.")
    );
    // The same key on another path is another request too.
    let elsewhere = post_idempotent(&base, "/v1/promotion_codes", "key-1", body).await;
    assert_eq!(elsewhere.error()["type"], "idempotency_error");

    // Errors from the service are replayed; validation errors are not stored.
    let invalid = post_idempotent(&base, "/v1/coupons", "key-2", "percent_off=x").await;
    assert_eq!(invalid.status, 400);
    let valid = post_idempotent(&base, "/v1/coupons", "key-2", "duration=once&percent_off=2").await;
    assert_eq!(valid.status, 200, "{:#}", valid.json);

    // A concurrent duplicate is a 409.
    let slow = "duration=once&percent_off=3&name=slow";
    let (a, b) = tokio::join!(
        post_idempotent(&base, "/v1/coupons", "key-3", slow),
        async {
            fake.gate.entered.notified().await;
            let b = post_idempotent(&base, "/v1/coupons", "key-3", slow).await;
            fake.gate.release.notify_one();
            b
        }
    );
    assert_eq!(a.status, 200, "{:#}", a.json);
    assert_eq!(b.status, 409, "{:#}", b.json);
    assert_eq!(b.error()["type"], "idempotency_error");
    let after = post_idempotent(&base, "/v1/coupons", "key-3", slow).await;
    assert!(after.replayed);
    assert_eq!(after.json, a.json);

    // Keys are per API key.
    let other_account = send(
        http()
            .post(format!("{base}/v1/coupons"))
            .bearer_auth("sk_test_someone_else_entirely")
            .header("idempotency-key", "key-1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("duration=once&percent_off=99"),
    )
    .await;
    assert_eq!(other_account.status, 200);
    assert!(!other_account.replayed);
}

#[tokio::test]
async fn a_panicking_service_is_a_500_and_the_server_survives() {
    let base = start().await;
    let answer = post(
        &base,
        "/v1/coupons",
        "duration=once&percent_off=1&name=panic",
    )
    .await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.error()["type"], "api_error");
    let ok = get(&base, "/v1/coupons").await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn the_idempotency_cache_is_bounded() {
    let base = spawn(
        promo_api::server::server(Fake::default())
            .idempotency_capacity(1)
            .into_router(),
    )
    .await;
    let a = post_idempotent(&base, "/v1/coupons", "a", "duration=once&percent_off=1").await;
    assert_eq!(a.status, 200);
    let b = post_idempotent(&base, "/v1/coupons", "b", "duration=once&percent_off=2").await;
    assert_eq!(b.status, 200);
    // `a` was forgotten to make room for `b`: another body is a new request.
    let a2 = post_idempotent(&base, "/v1/coupons", "a", "duration=once&percent_off=3").await;
    assert_eq!(a2.status, 200, "{:#}", a2.json);
    assert!(!a2.replayed);
    // Idempotency keys are only for POST.
    let get = send(
        http()
            .get(format!("{base}/v1/coupons"))
            .bearer_auth(KEY)
            .header("idempotency-key", "a"),
    )
    .await;
    assert_eq!(get.status, 200);
    assert!(!get.replayed);
}

#[tokio::test]
async fn a_content_type_the_operation_does_not_accept_is_415() {
    let base = start().await;
    // The promo spec's operations take forms only: a text body is not read as a form.
    for content_type in [
        "text/plain",
        "application/json",
        "multipart/form-data; boundary=x",
    ] {
        let answer = send(
            http()
                .post(format!("{base}/v1/coupons"))
                .bearer_auth(KEY)
                .header("content-type", content_type)
                .body("duration=once&percent_off=10"),
        )
        .await;
        assert_eq!(answer.status, 415, "{content_type}: {:#}", answer.json);
        assert_eq!(answer.error()["type"], "invalid_request_error");
        let message = answer.error()["message"].as_str().unwrap();
        assert!(
            message.contains("application/x-www-form-urlencoded"),
            "{message}"
        );
    }
    // Parameters of the media type and its case do not matter.
    let answer = send(
        http()
            .post(format!("{base}/v1/coupons"))
            .bearer_auth(KEY)
            .header(
                "content-type",
                "Application/X-WWW-Form-Urlencoded; charset=utf-8",
            )
            .body("duration=once&percent_off=10"),
    )
    .await;
    assert_eq!(answer.status, 200, "{:#}", answer.json);
    // Authentication comes first: without a key it is a 401, not a 415.
    let anonymous = send(
        http()
            .post(format!("{base}/v1/coupons"))
            .header("content-type", "text/plain")
            .body("x"),
    )
    .await;
    assert_eq!(anonymous.status, 401);
}
