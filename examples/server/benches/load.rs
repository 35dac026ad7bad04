//! Load benchmark (not a test): `cargo bench -p promo-server --bench load`.
//!
//! Serves the reference server (generated router + in-memory store) and, in
//! the same process, a bare axum handler that returns the same JSON, both on
//! 127.0.0.1:0, then loads each with the same retrieve and create requests
//! from concurrent keep-alive connections. Prints throughput and latency
//! percentiles per server and the ratio of the generated glue's throughput to
//! the bare handler's, so the cost of the glue is visible whatever the
//! machine. Request counts are fixed and bounded; everything stays on loopback.
//!
//! Then a contended phase checks that the store stays correct under load:
//! `CONTENDED` creates from `CONCURRENCY` tasks race for a few codes (in
//! both cases) across a few customers, each with an `Idempotency-Key`, and
//! every one is sent again (some while the first is in flight); with some
//! codes deactivated and reactivated meanwhile. Afterwards it asserts, and
//! panics otherwise: at most one active code per (customer, code ignoring
//! case), listing every code through the pages; every replay answered the
//! first answer, byte for byte, marked `Idempotent-Replayed: true`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::routing::{get, post};

const CONCURRENCY: usize = 16;
const RETRIEVES: usize = 40_000;
const CREATES: usize = 20_000;
const KEY: &str = "Bearer sk_test_bench";
const CONTENDED: usize = 4_000;
const CODES: [&str; 4] = ["SPRING", "SUMMER", "AUTUMN", "WINTER"];
const CUSTOMERS: [&str; 3] = ["", "cus_a", "cus_b"];

struct Run {
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    format!("http://{addr}")
}

/// `total` requests from `CONCURRENCY` tasks; `request(i)` builds request i.
async fn load<F>(client: &reqwest::Client, total: usize, request: F) -> Run
where
    F: Fn(&reqwest::Client, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let request = Arc::new(request);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let client = client.clone();
        let request = Arc::clone(&request);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for i in (worker..total).step_by(CONCURRENCY) {
                let sent = Instant::now();
                let response = request(&client, i).send().await.expect("request");
                assert!(
                    response.status().is_success(),
                    "status {}",
                    response.status()
                );
                response.bytes().await.expect("body");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for task in tasks {
        latencies.extend(task.await.expect("load task"));
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Run {
        requests: total,
        elapsed,
        latencies,
    }
}

async fn post_json(client: &reqwest::Client, url: &str, body: &str) -> serde_json::Value {
    let response = client
        .post(url)
        .header("Authorization", KEY)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .expect("POST");
    assert!(
        response.status().is_success(),
        "POST {url}: {}",
        response.status()
    );
    serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let client = reqwest::Client::new();
    let generated = serve(promo_server::app(promo_server::Store::default())).await;

    // One coupon and one promotion code to retrieve.
    let coupon = post_json(
        &client,
        &format!("{generated}/v1/coupons"),
        "percent_off=25.5&duration=once",
    )
    .await;
    let coupon_id = coupon["id"].as_str().expect("coupon id").to_owned();
    let create_body = format!("promotion[type]=coupon&promotion[coupon]={coupon_id}");
    let promo = post_json(
        &client,
        &format!("{generated}/v1/promotion_codes"),
        &create_body,
    )
    .await;
    let promo_id = promo["id"].as_str().expect("promotion code id").to_owned();
    let promo_json = Arc::new(promo.to_string());

    // The bare handler returns the same JSON without any generated glue.
    let bare_get = Arc::clone(&promo_json);
    let bare_post = Arc::clone(&promo_json);
    let bare = serve(
        axum::Router::new()
            .route(
                "/v1/promotion_codes/{id}",
                get(move || {
                    let body = Arc::clone(&bare_get);
                    async move {
                        (
                            [("content-type", "application/json")],
                            body.as_str().to_owned(),
                        )
                    }
                }),
            )
            .route(
                "/v1/promotion_codes",
                post(move |_body: String| {
                    let body = Arc::clone(&bare_post);
                    async move {
                        (
                            [("content-type", "application/json")],
                            body.as_str().to_owned(),
                        )
                    }
                }),
            ),
    )
    .await;

    println!("| scenario | server | requests | req/s | p50 ms | p99 ms | throughput / bare |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for scenario in ["retrieve", "create"] {
        let mut runs = Vec::new();
        for (label, base) in [
            ("bare axum", bare.clone()),
            ("generated", generated.clone()),
        ] {
            let url = match scenario {
                "retrieve" => format!("{base}/v1/promotion_codes/{promo_id}"),
                _ => format!("{base}/v1/promotion_codes"),
            };
            let body = create_body.clone();
            let run = if scenario == "retrieve" {
                load(&client, RETRIEVES, move |c, _| {
                    c.get(&url).header("Authorization", KEY)
                })
                .await
            } else {
                load(&client, CREATES, move |c, _| {
                    c.post(&url)
                        .header("Authorization", KEY)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .body(body.clone())
                })
                .await
            };
            runs.push((label, run));
        }
        let bare_rate = runs[0].1.per_second();
        for (label, run) in &runs {
            println!(
                "| {scenario} | {label} | {} | {:.0} | {:.2} | {:.2} | {:.2} |",
                run.requests,
                run.per_second(),
                run.percentile(0.50),
                run.percentile(0.99),
                run.per_second() / bare_rate
            );
        }
    }

    contended(&client, &generated, &coupon_id).await;
}

/// A POST with an idempotency key: (status, replayed, body).
async fn send_keyed(
    client: &reqwest::Client,
    url: &str,
    key: &str,
    body: &str,
) -> (u16, bool, String) {
    loop {
        let response = client
            .post(url)
            .header("Authorization", KEY)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Idempotency-Key", key)
            .body(body.to_owned())
            .send()
            .await
            .expect("POST");
        let status = response.status().as_u16();
        let replayed = response
            .headers()
            .get("idempotent-replayed")
            .is_some_and(|v| v == "true");
        let text = response.text().await.expect("body");
        assert!(status < 500, "POST {url}: {status} {text}");
        // A concurrent duplicate of an in-flight key: retry, as clients do.
        if status != 409 {
            return (status, replayed, text);
        }
        tokio::task::yield_now().await;
    }
}

/// The contended phase and its invariants (see the module doc).
async fn contended(client: &reqwest::Client, base: &str, coupon: &str) {
    let started = Instant::now();
    let url = format!("{base}/v1/promotion_codes");
    // Idempotency key -> the first answer (status, body).
    let first: Arc<Mutex<BTreeMap<String, (u16, String)>>> = Arc::default();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let (client, url, coupon, first) = (
            client.clone(),
            url.clone(),
            coupon.to_owned(),
            Arc::clone(&first),
        );
        tasks.push(tokio::spawn(async move {
            let mut replays = 0usize;
            for i in (worker..CONTENDED).step_by(CONCURRENCY) {
                let code = CODES[i % CODES.len()];
                let code = if i.is_multiple_of(2) {
                    code.to_owned()
                } else {
                    code.to_ascii_lowercase()
                };
                let customer = CUSTOMERS[(i / CODES.len()) % CUSTOMERS.len()];
                let mut body =
                    format!("promotion[type]=coupon&promotion[coupon]={coupon}&code={code}");
                if !customer.is_empty() {
                    body.push_str(&format!("&customer={customer}"));
                }
                let key = format!("bench-{i}");
                // Every third request races its own replay.
                let (a, b) = if i.is_multiple_of(3) {
                    let (a, b) = tokio::join!(
                        send_keyed(&client, &url, &key, &body),
                        send_keyed(&client, &url, &key, &body)
                    );
                    (a, b)
                } else {
                    let a = send_keyed(&client, &url, &key, &body).await;
                    let b = send_keyed(&client, &url, &key, &body).await;
                    (a, b)
                };
                let (original, replay) = if a.1 { (b, a) } else { (a, b) };
                assert!(
                    !original.1 && replay.1,
                    "key {key}: exactly one of two sends is a replay"
                );
                assert_eq!(
                    (original.0, &original.2),
                    (replay.0, &replay.2),
                    "key {key}: the replay is the first answer"
                );
                first
                    .lock()
                    .unwrap()
                    .insert(key, (original.0, original.2.clone()));
                replays += 1;
                // Now and then deactivate a winner, so a later create may win again.
                if original.0 == 200 && i.is_multiple_of(5) {
                    let id = serde_json::from_str::<serde_json::Value>(&original.2).expect("JSON")
                        ["id"]
                        .as_str()
                        .expect("id")
                        .to_owned();
                    let (status, _, text) = send_keyed(
                        &client,
                        &format!("{url}/{id}"),
                        &format!("off-{i}"),
                        "active=false",
                    )
                    .await;
                    assert_eq!(status, 200, "{text}");
                }
            }
            replays
        }));
    }
    let mut replays = 0;
    for task in tasks {
        replays += task.await.expect("contended task");
    }
    // Every replay, sent once more now, still answers the first answer.
    let first = first.lock().unwrap().clone();
    let mut created = 0;
    for (i, (key, (status, body))) in first.iter().enumerate() {
        created += usize::from(*status == 200);
        if i.is_multiple_of(10) {
            let n: usize = key.trim_start_matches("bench-").parse().expect("index");
            let code = CODES[n % CODES.len()];
            let code = if n.is_multiple_of(2) {
                code.to_owned()
            } else {
                code.to_ascii_lowercase()
            };
            let customer = CUSTOMERS[(n / CODES.len()) % CUSTOMERS.len()];
            let mut request =
                format!("promotion[type]=coupon&promotion[coupon]={coupon}&code={code}");
            if !customer.is_empty() {
                request.push_str(&format!("&customer={customer}"));
            }
            let again = send_keyed(client, &url, key, &request).await;
            assert!(again.1, "key {key}: replayed");
            assert_eq!(
                (again.0, &again.2),
                (*status, body),
                "key {key}: still the first answer"
            );
        }
    }
    // At most one active code per (customer, code ignoring case), over every page.
    let mut active: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut total = 0;
    let mut after: Option<String> = None;
    loop {
        let mut page_url = format!("{url}?limit=100");
        if let Some(id) = &after {
            page_url.push_str(&format!("&starting_after={id}"));
        }
        let page = client
            .get(&page_url)
            .header("Authorization", KEY)
            .send()
            .await
            .expect("list")
            .bytes()
            .await
            .expect("body");
        let page: serde_json::Value = serde_json::from_slice(&page).expect("JSON");
        let data = page["data"].as_array().expect("data");
        for code in data {
            total += 1;
            if code["active"] == true {
                let customer = code["customer"].as_str().unwrap_or_default().to_owned();
                let name = code["code"].as_str().expect("code").to_ascii_lowercase();
                *active.entry((customer, name)).or_default() += 1;
            }
        }
        if page["has_more"] != true || data.is_empty() {
            break;
        }
        after = data
            .last()
            .and_then(|c| c["id"].as_str())
            .map(str::to_owned);
    }
    let doubled: Vec<_> = active.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        doubled.is_empty(),
        "more than one active code for {doubled:?}"
    );
    assert_eq!(
        total,
        created + 1 + CREATES,
        "every created code is listed once (with the earlier scenarios')"
    );
    println!();
    println!(
        "invariants: {CONTENDED} contended creates ({created} created, {} rejected as duplicates), {replays} replays equal to the first answer, {} (customer, code) pairs with one active code at most, listed {total} codes; {:.1} s",
        CONTENDED - created,
        active.len(),
        started.elapsed().as_secs_f64()
    );
}
