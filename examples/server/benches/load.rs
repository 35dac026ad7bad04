//! Load benchmark (not a test): `cargo bench -p promo-server --bench load`.
//!
//! Serves the reference server (generated router + in-memory store) and, in
//! the same process, a bare axum handler that returns the same JSON, both on
//! 127.0.0.1:0, then loads each with the same retrieve and create requests
//! from concurrent keep-alive connections. Prints throughput and latency
//! percentiles per server and the ratio of the generated glue's throughput to
//! the bare handler's, so the cost of the glue is visible whatever the
//! machine. Request counts are fixed and bounded; everything stays on loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::{get, post};

const CONCURRENCY: usize = 16;
const RETRIEVES: usize = 40_000;
const CREATES: usize = 20_000;
const KEY: &str = "Bearer sk_test_bench";

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
}
