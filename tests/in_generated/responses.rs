//! Responses by status end to end, run inside the crate generated from
//! `tests/fixtures/ops/responses.yaml` (package `fixture-ops-responses`):
//! `tests/tests/op_responses.rs` writes this file into that crate as
//! `tests/responses.rs`, lints it with the crate and runs it. The generated
//! client calls the generated server: each answer has its declared status,
//! media type and headers on the wire, and the client reads them back into
//! the same typed value (a body with its headers, an enum of successes, text,
//! bytes, nothing); errors are the spec's error object.

#![cfg(all(feature = "full", feature = "server", feature = "client"))]

use std::collections::BTreeMap;

use fixture_ops_responses::client::Client;
use fixture_ops_responses::errors::ApiError;
use fixture_ops_responses::models::{Error, Receipt, Thing};
use fixture_ops_responses::params::{
    CreateThing, DeleteThing, GetDownload, GetReport, ListGroups, PutThing, RetrieveThing,
    TouchThing,
};
use fixture_ops_responses::payload::FilePart;
use fixture_ops_responses::routes::{
    CreateThingHeaders, PutThingResponse, RetrieveThingHeaders, Things,
};
use fixture_ops_responses::runtime::WithHeaders;

#[derive(Clone, Default)]
struct Store;

fn thing(name: &str) -> Thing {
    Thing {
        name: name.to_owned(),
    }
}

fn not_found() -> ApiError {
    ApiError::from_parts(
        404,
        Error {
            message: "no such thing".to_owned(),
        },
    )
}

impl Things for Store {
    type Error = ApiError;

    async fn get_download(&self, _: GetDownload) -> Result<FilePart, ApiError> {
        Ok(FilePart::new(vec![0u8, 1, 2, 0xff]))
    }

    async fn list(&self, _: ListGroups) -> Result<Vec<fixture_ops_responses::models::ListGroupsResponseItem>, ApiError> {
        Ok(vec![BTreeMap::from([(
            "a".to_owned(),
            BTreeMap::from([("b".to_owned(), thing("x"))]),
        )])])
    }

    async fn get_report(&self, _: GetReport) -> Result<String, ApiError> {
        Ok("name\nx\n".to_owned())
    }

    async fn create(
        &self,
        params: CreateThing,
    ) -> Result<WithHeaders<Thing, CreateThingHeaders>, ApiError> {
        Ok(WithHeaders {
            headers: CreateThingHeaders {
                location: format!("/v1/things/{}", params.name),
            },
            body: thing(&params.name),
        })
    }

    async fn retrieve(
        &self,
        id: String,
        _: RetrieveThing,
    ) -> Result<WithHeaders<Thing, RetrieveThingHeaders>, ApiError> {
        if id == "missing" {
            return Err(not_found());
        }
        Ok(WithHeaders {
            body: thing(&id),
            headers: RetrieveThingHeaders {
                e_tag: format!("\"{id}-1\""),
                x_rate_limit_remaining: (id != "unlimited").then_some(41),
            },
        })
    }

    async fn put_thing(&self, id: String, params: PutThing) -> Result<PutThingResponse, ApiError> {
        Ok(match id.as_str() {
            "new" => PutThingResponse::Created(Receipt { ok: true }),
            "same" => PutThingResponse::NoContent,
            _ => PutThingResponse::Ok(thing(&params.name)),
        })
    }

    async fn delete(&self, id: String, _: DeleteThing) -> Result<(), ApiError> {
        if id == "missing" {
            return Err(not_found());
        }
        Ok(())
    }

    async fn touch_thing(&self, _: String, _: TouchThing) -> Result<Receipt, ApiError> {
        Ok(Receipt { ok: true })
    }
}

async fn serve() -> (String, Client) {
    let router = fixture_ops_responses::server::router(Store);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let base = format!("http://{address}");
    let client = Client::new("").with_base_url(&base).with_max_retries(0);
    (base, client)
}

/// A raw request (with a JSON body for POST and PUT): status, content
/// type, a header, and the body.
async fn raw(
    method: reqwest::Method,
    url: String,
    header: &str,
) -> (u16, Option<String>, Option<String>, Vec<u8>) {
    let with_body = method == reqwest::Method::POST || method == reqwest::Method::PUT;
    let mut request = reqwest::Client::new().request(method, url);
    if with_body {
        request = request
            .header("content-type", "application/json")
            .body(r#"{"name":"n"}"#);
    }
    let response = request.send().await.unwrap();
    let text = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (status, content_type, header) = (
        response.status().as_u16(),
        text("content-type"),
        text(header),
    );
    (
        status,
        content_type,
        header,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn headers_travel_beside_the_body() {
    let (base, client) = serve().await;
    let got = client
        .retrieve("t1".to_owned(), RetrieveThing::new())
        .await
        .unwrap();
    assert_eq!(got.body, thing("t1"));
    assert_eq!(got.headers.e_tag, "\"t1-1\"");
    assert_eq!(got.headers.x_rate_limit_remaining, Some(41));
    // An optional header that is not sent is `None`.
    let got = client
        .retrieve("unlimited".to_owned(), RetrieveThing::new())
        .await
        .unwrap();
    assert_eq!(got.headers.x_rate_limit_remaining, None);
    // On the wire.
    let (status, content_type, etag, body) =
        raw(reqwest::Method::GET, format!("{base}/v1/things/t1"), "etag").await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(etag.as_deref(), Some("\"t1-1\""));
    assert_eq!(body, br#"{"name":"t1"}"#);
    let (_, _, limit, _) = raw(
        reqwest::Method::GET,
        format!("{base}/v1/things/t1"),
        "x-rate-limit-remaining",
    )
    .await;
    assert_eq!(limit.as_deref(), Some("41"));
}

#[tokio::test]
async fn a_created_answer_has_its_status_and_location() {
    let (base, client) = serve().await;
    let created = client.create(CreateThing::new("box")).await.unwrap();
    assert_eq!(created.body, thing("box"));
    assert_eq!(created.headers.location, "/v1/things/box");
    let (status, _, location, body) =
        raw(reqwest::Method::POST, format!("{base}/v1/things"), "location").await;
    assert_eq!(status, 201);
    assert_eq!(location.as_deref(), Some("/v1/things/n"));
    assert_eq!(body, br#"{"name":"n"}"#);
}

#[tokio::test]
async fn differing_successes_are_an_enum() {
    let (base, client) = serve().await;
    let put = |id: &str| client.put_thing(id.to_owned(), PutThing::new("p"));
    assert_eq!(put("old").await.unwrap(), PutThingResponse::Ok(thing("p")));
    assert_eq!(
        put("new").await.unwrap(),
        PutThingResponse::Created(Receipt { ok: true })
    );
    assert_eq!(put("same").await.unwrap(), PutThingResponse::NoContent);
    let (status, content_type, _, body) =
        raw(reqwest::Method::PUT, format!("{base}/v1/things/new"), "x").await;
    assert_eq!((status, body.as_slice()), (201, br#"{"ok":true}"#.as_slice()));
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let (status, content_type, _, body) =
        raw(reqwest::Method::PUT, format!("{base}/v1/things/same"), "x").await;
    assert_eq!((status, content_type, body), (204, None, Vec::new()));
}

#[tokio::test]
async fn no_content_text_bytes_and_ranges() {
    let (base, client) = serve().await;
    client
        .delete("t".to_owned(), DeleteThing::new())
        .await
        .unwrap();
    let (status, _, _, body) =
        raw(reqwest::Method::DELETE, format!("{base}/v1/things/t"), "x").await;
    assert_eq!((status, body), (204, Vec::new()));

    assert_eq!(
        client.get_report(GetReport::new()).await.unwrap(),
        "name\nx\n"
    );
    let (status, content_type, _, body) =
        raw(reqwest::Method::GET, format!("{base}/v1/report"), "x").await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some("text/csv"));
    assert_eq!(body, b"name\nx\n");

    let file = client.get_download(GetDownload::new()).await.unwrap();
    assert_eq!(file.bytes, [0u8, 1, 2, 0xff]);
    assert_eq!(file.content_type.as_deref(), Some("application/octet-stream"));

    // `2XX`: the server answers 200; the client takes any 2xx.
    let receipt = client
        .touch_thing("t".to_owned(), TouchThing::new())
        .await
        .unwrap();
    assert_eq!(receipt, Receipt { ok: true });
}

#[tokio::test]
async fn nested_answers_and_errors() {
    let (_, client) = serve().await;
    let groups = client.list(ListGroups::new()).await.unwrap();
    assert_eq!(groups[0]["a"]["b"], thing("x"));
    // An error answer is the spec's error object, with its status.
    let error = client
        .retrieve("missing".to_owned(), RetrieveThing::new())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    assert_eq!(error.api_error().unwrap().body.message, "no such thing");
    let error = client
        .delete("missing".to_owned(), DeleteThing::new())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
}
