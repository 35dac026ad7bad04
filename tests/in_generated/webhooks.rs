//! Runs inside the crate generated from `fixtures/v31/webhooks.yaml`: a
//! `Webhooks` implementation served by `webhooks::router` receives typed
//! payloads; a payload that does not fit is a 400, a rejection its status,
//! and a webhook left unimplemented is acknowledged.
#![cfg(all(feature = "webhooks", feature = "server"))]

use std::sync::{Arc, Mutex};

use fixture_v31_webhooks::models::{Customer, InvoicePaidWebhook};
use fixture_v31_webhooks::webhooks::{WebhookRejection, Webhooks, router};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<String>>>);

impl Webhooks for Received {
    async fn invoice_paid(&self, payload: InvoicePaidWebhook) -> Result<(), WebhookRejection> {
        if payload.amount > 1_000_000 {
            return Err(WebhookRejection {
                status: 422,
                message: "too much".to_owned(),
            });
        }
        let note = format!("{:?}", payload.note);
        self.0
            .lock()
            .unwrap()
            .push(format!("paid {} {} {note}", payload.id, payload.amount));
        Ok(())
    }

    async fn customer_deleted(&self, payload: Option<Customer>) -> Result<(), WebhookRejection> {
        let id = payload.map(|c| c.id).unwrap_or_default();
        self.0.lock().unwrap().push(format!("deleted {id}"));
        Ok(())
    }
}

/// POSTs `body` to `path` on a fresh server and returns the status code.
async fn post(app: axum::Router, path: &str, body: &str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer[9..12].parse().unwrap()
}

#[tokio::test]
async fn webhooks_are_received_typed() {
    let received = Received::default();
    let app = router(received.clone());
    assert_eq!(
        post(app.clone(), "/invoice.paid", r#"{"id": "in_1", "amount": 5, "note": null}"#).await,
        200
    );
    assert_eq!(post(app.clone(), "/customer.deleted", r#"{"id": "cus_1"}"#).await, 200);
    assert_eq!(post(app.clone(), "/customer.deleted", "").await, 200);
    // Unimplemented: acknowledged.
    assert_eq!(post(app.clone(), "/ping", "").await, 200);
    assert_eq!(
        *received.0.lock().unwrap(),
        ["paid in_1 5 Null", "deleted cus_1", "deleted "]
    );
}

#[tokio::test]
async fn bad_payloads_and_rejections_have_their_status() {
    let app = router(Received::default());
    assert_eq!(post(app.clone(), "/invoice.paid", r#"{"id": "in_1"}"#).await, 400);
    assert_eq!(post(app.clone(), "/invoice.paid", "not json").await, 400);
    assert_eq!(
        post(app.clone(), "/invoice.paid", r#"{"id": "in_2", "amount": 2000000}"#).await,
        422
    );
    assert_eq!(post(app, "/nowhere", "{}").await, 404);
}
