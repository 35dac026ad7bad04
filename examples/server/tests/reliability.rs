//! Regressions from the property-based attack on promo-server (issue 14),
//! over real HTTP on 127.0.0.1: an array given for the `metadata` hash
//! (`metadata[]=x`) is a 400, not `{"0": "x"}`; Stripe's metadata limits
//! (50 keys, keys up to 40 characters, values up to 500); a request line or
//! headers over the limits answer 414 / 431 in the error shape; a client that
//! writes a whole over-limit body before reading gets the 413 (not a reset);
//! form keys nested too deep, or too many of them, are a clear 400.

use std::io::{Read, Write};

use promo_server::Store;
use serde_json::Value;

const KEY: &str = "sk_test_reliability";

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, promo_server::app(Store::new()))
            .await
            .unwrap();
    });
    format!("http://{address}")
}

async fn send(
    base: &str,
    method: reqwest::Method,
    target: &str,
    body: String,
    headers: &[(&str, String)],
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{base}{target}"))
        .bearer_auth(KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "{target}"
    );
    let bytes = response.bytes().await.unwrap();
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!(
            "{target}: not JSON ({e}): {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, json)
}

async fn post(base: &str, path: &str, body: impl Into<String>) -> (u16, Value) {
    send(base, reqwest::Method::POST, path, body.into(), &[]).await
}

#[track_caller]
fn assert_error(status: u16, body: &Value, expected: u16, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

#[tokio::test]
async fn an_array_for_the_metadata_hash_is_a_400() {
    let base = start().await;
    let (status, body) = post(&base, "/v1/coupons", "percent_off=10&metadata[]=x").await;
    assert_error(status, &body, 400, "parameter_invalid_object");
    assert_eq!(body["error"]["param"], "metadata");
    // The same on an update, and nothing was stored.
    let (status, coupon) = post(&base, "/v1/coupons", "percent_off=10").await;
    assert_eq!(status, 200, "{coupon}");
    let path = format!("/v1/coupons/{}", coupon["id"].as_str().unwrap());
    let (status, body) = post(&base, &path, "metadata[]=x&metadata[]=y").await;
    assert_error(status, &body, 400, "parameter_invalid_object");
    let (status, body) = send(&base, reqwest::Method::GET, &path, String::new(), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body["metadata"], serde_json::json!({}));
    // `metadata[0]=x` names the key "0": a hash, as Stripe reads it.
    let (status, body) = post(&base, &path, "metadata[0]=x").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["metadata"], serde_json::json!({"0": "x"}));
    // Arrays still take `[]`: `expand` is read as the array ["x"].
    let (status, body) = send(
        &base,
        reqwest::Method::GET,
        &format!("{path}?expand[]=x"),
        String::new(),
        &[],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "expand", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be expanded"),
        "{body}"
    );
}

#[tokio::test]
async fn metadata_limits_are_stripes() {
    let base = start().await;
    let long_value = "v".repeat(501);
    let (status, body) = post(
        &base,
        "/v1/coupons",
        format!("percent_off=10&metadata[k]={long_value}"),
    )
    .await;
    assert_error(status, &body, 400, "parameter_invalid_string_too_long");
    assert_eq!(body["error"]["param"], "metadata[k]");
    let ok_value = "v".repeat(500);
    let (status, body) = post(
        &base,
        "/v1/coupons",
        format!("percent_off=10&metadata[k]={ok_value}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let long_key = "k".repeat(41);
    let (status, body) = post(
        &base,
        "/v1/coupons",
        format!("percent_off=10&metadata[{long_key}]=v"),
    )
    .await;
    assert_error(status, &body, 400, "parameter_invalid_metadata");

    let fifty: String = (0..50).map(|i| format!("&metadata[key{i}]=v")).collect();
    let (status, coupon) = post(&base, "/v1/coupons", format!("percent_off=10{fifty}")).await;
    assert_eq!(status, 200, "{coupon}");
    assert_eq!(coupon["metadata"].as_object().unwrap().len(), 50);
    let fifty_one = format!("percent_off=10{fifty}&metadata[key50]=v");
    let (status, body) = post(&base, "/v1/coupons", fifty_one).await;
    assert_error(status, &body, 400, "parameter_invalid_metadata");
    // An update that would make 51 keys changes nothing.
    let path = format!("/v1/coupons/{}", coupon["id"].as_str().unwrap());
    let (status, body) = post(&base, &path, "metadata[one_more]=v&name=renamed").await;
    assert_error(status, &body, 400, "parameter_invalid_metadata");
    let (_, stored) = send(&base, reqwest::Method::GET, &path, String::new(), &[]).await;
    assert_eq!(stored["metadata"].as_object().unwrap().len(), 50);
    assert_eq!(stored["name"], Value::Null);
    // Unsetting one and adding one stays at 50.
    let (status, body) = post(&base, &path, "metadata[key0]=&metadata[one_more]=v").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["metadata"].as_object().unwrap().len(), 50);
}

#[tokio::test]
async fn a_long_uri_or_large_headers_answer_in_the_error_shape() {
    let base = start().await;
    let target = format!("/v1/coupons?ending_before={}", "a".repeat(20 * 1024));
    let (status, body) = send(&base, reqwest::Method::GET, &target, String::new(), &[]).await;
    assert_error(status, &body, 414, "url_too_long");
    let big = "h".repeat(40 * 1024);
    let (status, body) = send(
        &base,
        reqwest::Method::GET,
        "/v1/coupons",
        String::new(),
        &[("x-big", big)],
    )
    .await;
    assert_error(status, &body, 431, "headers_too_large");
    // Just under the limits is served (a cursor that names no coupon).
    let target = format!("/v1/coupons?ending_before={}", "a".repeat(4000));
    let (status, body) = send(&base, reqwest::Method::GET, &target, String::new(), &[]).await;
    assert_error(status, &body, 400, "resource_missing");
}

/// Python's urllib writes the whole body, then reads: it must read the 413.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_sends_a_3_mib_body_first_reads_the_413() {
    let base = start().await;
    let address = base.trim_start_matches("http://").to_owned();
    let answer = tokio::task::spawn_blocking(move || {
        let body = vec![b'a'; 3 * 1024 * 1024];
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        let head = format!(
            "POST /v1/coupons HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {KEY}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).expect("the server reads the whole body");
        let mut answer = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buffer[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.ends_with(b"}") {
                        break;
                    }
                }
                Err(error) => panic!("reading the answer: {error} (after {} bytes)", answer.len()),
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        answer.contains("\"code\":\"request_too_large\""),
        "{answer}"
    );
}

#[tokio::test]
async fn deep_or_huge_forms_are_a_clear_400() {
    let base = start().await;
    let deep = format!("percent_off=10&metadata{}=x", "[a]".repeat(40));
    let (status, body) = post(&base, "/v1/coupons", deep).await;
    assert_error(status, &body, 400, "parameter_malformed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nested more than 32"),
        "{body}"
    );
    let many: String = (0..10_001).map(|i| format!("k{i}=v&")).collect();
    let (status, body) = post(&base, "/v1/coupons", many).await;
    assert_error(status, &body, 400, "parameter_malformed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("more than 10000"),
        "{body}"
    );
}
