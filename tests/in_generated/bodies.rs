//! Request bodies of every kind end to end, run inside the crate generated
//! from `tests/fixtures/ops/bodies.yaml` (package `fixture-ops-bodies`):
//! `tests/tests/op_bodies.rs` writes this file into that crate as
//! `tests/bodies.rs`, lints it with the crate and runs it. The generated
//! client calls the generated server (in process, behind a middleware that
//! records each request), and each test checks the exact bytes and
//! `Content-Type` on the wire and what the server read: JSON that is not an
//! object (array, scalar, enum, map, union, an optional array), a
//! merge-patch object, text, bytes (with the file's own media type), an
//! unknown media type sent as bytes, multipart with files and a JSON part,
//! multipart beside header, cookie and styled query parameters, a body
//! offered in several media types, and 415 for a media type an operation
//! does not accept.

#![cfg(all(feature = "full", feature = "server", feature = "client"))]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use fixture_ops_bodies::client::Client;
use fixture_ops_bodies::errors::ApiError;
use fixture_ops_bodies::form::{Rule, ValidationError};
use fixture_ops_bodies::models::{Echo, Label, Meta};
use fixture_ops_bodies::params::{
    PatchNote, PostArray, PostAttachment, PostEnum, PostEnumBody, PostMap, PostMixed, PostMsgpack,
    PostOptionalArray, PostText, PostUnion, PostUpload, PutBytes, PutScalar,
};
use fixture_ops_bodies::payload::{FilePart, MultipartWriter, parse_multipart};
use fixture_ops_bodies::routes::Bodies;
use fixture_ops_bodies::runtime::{Encoding, Nullable, Params};

/// Answers every operation with what it read, in words.
#[derive(Clone, Default)]
struct Reader;

fn read(text: String) -> Result<Echo, ApiError> {
    Ok(Echo { read: text })
}

impl Bodies for Reader {
    type Error = ApiError;

    async fn post_array(&self, params: PostArray) -> Result<Echo, ApiError> {
        read(format!("{:?} {:?}", params.dry_run, params.body))
    }

    async fn post_optional_array(&self, params: PostOptionalArray) -> Result<Echo, ApiError> {
        read(format!("{:?}", params.body))
    }

    async fn put_scalar(&self, params: PutScalar) -> Result<Echo, ApiError> {
        read(format!("{}", params.body))
    }

    async fn post_enum(&self, params: PostEnum) -> Result<Echo, ApiError> {
        read(format!("{:?}", params.body))
    }

    async fn post_map(&self, params: PostMap) -> Result<Echo, ApiError> {
        read(format!("{:?}", params.body))
    }

    async fn post_union(&self, params: PostUnion) -> Result<Echo, ApiError> {
        read(format!("{:?}", params.body))
    }

    async fn patch_note(&self, params: PatchNote) -> Result<Echo, ApiError> {
        read(format!("{:?} {:?}", params.title, params.pinned))
    }

    async fn post_text(&self, params: PostText) -> Result<Echo, ApiError> {
        read(params.body)
    }

    async fn put_bytes(&self, params: PutBytes) -> Result<Echo, ApiError> {
        read(format!(
            "{:?} {:?} {:?}",
            params.x_checksum, params.body.content_type, params.body.bytes
        ))
    }

    async fn post_msgpack(&self, params: PostMsgpack) -> Result<Echo, ApiError> {
        read(format!("{:?}", params.body.map(|b| b.bytes)))
    }

    async fn post_upload(&self, params: PostUpload) -> Result<Echo, ApiError> {
        let files: Vec<String> = std::iter::once(&params.file)
            .chain(params.attachments.iter().flatten())
            .map(|f| {
                format!(
                    "{:?}/{:?}/{}",
                    f.name,
                    f.content_type,
                    String::from_utf8_lossy(&f.bytes)
                )
            })
            .collect();
        read(format!(
            "{} {:?} {:?} {}",
            params.title,
            params.tags,
            params.meta.map(|m| (m.author, m.version)),
            files.join(" ")
        ))
    }

    async fn post_attachment(&self, params: PostAttachment) -> Result<Echo, ApiError> {
        read(format!(
            "{:?} {:?} {} {:?} {:?} {:?}/{:?}/{}",
            params.opt_fields,
            params.limit,
            params.x_request_id,
            params.session,
            params.parent,
            params.file.name,
            params.file.content_type,
            String::from_utf8_lossy(&params.file.bytes)
        ))
    }

    async fn post_mixed(&self, params: PostMixed) -> Result<Echo, ApiError> {
        read(format!("{:?} {:?}", params.author, params.version))
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    /// The query string (without `?`).
    query: String,
    /// The headers, names in lower case.
    headers: Vec<(String, String)>,
    content_type: Option<String>,
    body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(
    axum::extract::State(log): axum::extract::State<Log>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    log.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect(),
        content_type: parts
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_owned()),
        body: bytes.to_vec(),
    });
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

async fn serve() -> (Client, Log) {
    let log = Log::default();
    let router = fixture_ops_bodies::server::router(Reader)
        .layer(axum::middleware::from_fn_with_state(log.clone(), record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = Client::new("")
        .with_base_url(format!("http://{address}"))
        .with_max_retries(0);
    (client, log)
}

/// The last request the server saw: its content type and body.
fn last(log: &Log) -> (Option<String>, Vec<u8>) {
    let seen = log.lock().unwrap().last().cloned().expect("a request");
    (seen.content_type, seen.body)
}

fn json(log: &Log) -> (Option<String>, String) {
    let (content_type, body) = last(log);
    (content_type, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn json_values_that_are_not_objects_are_the_whole_body() {
    let (client, log) = serve().await;
    let echo = client
        .post_array(PostArray::new(vec!["a".to_owned(), "b c".to_owned()]).dry_run(true))
        .await
        .unwrap();
    assert_eq!(json(&log), (Some("application/json".to_owned()), r#"["a","b c"]"#.to_owned()));
    assert_eq!(echo.read, r#"Some(true) ["a", "b c"]"#);

    let echo = client.put_scalar(PutScalar::new(7)).await.unwrap();
    assert_eq!(json(&log).1, "7");
    assert_eq!(echo.read, "7");

    let echo = client.post_enum(PostEnum::new(PostEnumBody::Green)).await.unwrap();
    assert_eq!(json(&log).1, r#""green""#);
    assert_eq!(echo.read, "Green");

    let map = BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]);
    let echo = client.post_map(PostMap::new(map)).await.unwrap();
    assert_eq!(json(&log).1, r#"{"a":1,"b":2}"#);
    assert_eq!(echo.read, r#"{"a": 1, "b": 2}"#);

    let echo = client
        .post_union(PostUnion::new(Label::Integer(5)))
        .await
        .unwrap();
    assert_eq!(json(&log).1, "5");
    assert_eq!(echo.read, "Integer(5)");
    let echo = client
        .post_union(PostUnion::new(Label::String("five".to_owned())))
        .await
        .unwrap();
    assert_eq!(json(&log).1, r#""five""#);
    assert_eq!(echo.read, r#"String("five")"#);
}

#[tokio::test]
async fn an_optional_body_is_sent_only_when_set() {
    let (client, log) = serve().await;
    let echo = client
        .post_optional_array(PostOptionalArray::new())
        .await
        .unwrap();
    assert_eq!(last(&log), (None, Vec::new()));
    assert_eq!(echo.read, "None");
    let echo = client
        .post_optional_array(PostOptionalArray::new().body(vec![1, 2]))
        .await
        .unwrap();
    assert_eq!(json(&log).1, "[1,2]");
    assert_eq!(echo.read, "Some([1, 2])");
}

#[test]
fn whole_json_bodies_are_validated_and_read_strictly() {
    assert_eq!(PostArray::ROUTE.encoding, Encoding::Json);
    let too_many = PostArray::new(vec!["1".to_owned(); 4]);
    assert_eq!(
        too_many.validate().unwrap_err().rule,
        Rule::MaxItems(3)
    );
    assert_eq!(
        PutScalar::new(-1).validate().unwrap_err(),
        ValidationError::new(
            "body",
            Rule::Minimum {
                limit: 0.0,
                exclusive: false
            }
        )
    );
    assert_eq!(
        PostArray::from_wire("", "[1]").unwrap_err(),
        ValidationError::new("body[0]", Rule::Type("string"))
    );
    assert_eq!(
        PostArray::from_wire("", "").unwrap_err(),
        ValidationError::new("body", Rule::Missing)
    );
    assert_eq!(
        PostArray::from_wire("", "[").unwrap_err().rule,
        Rule::InvalidJson
    );
    assert_eq!(
        PostArray::from_wire("dry_run=false", r#"["x"]"#),
        Ok(PostArray::new(vec!["x".to_owned()]).dry_run(false))
    );
}

#[tokio::test]
async fn merge_patch_bodies_are_json_with_their_own_media_type() {
    let (client, log) = serve().await;
    assert_eq!(
        <PatchNote as Params>::CONTENT_TYPES,
        &["application/merge-patch+json"]
    );
    let echo = client
        .patch_note(PatchNote::new().title(Nullable::Null).pinned(true))
        .await
        .unwrap();
    assert_eq!(
        json(&log),
        (
            Some("application/merge-patch+json".to_owned()),
            r#"{"title":null,"pinned":true}"#.to_owned()
        )
    );
    assert_eq!(echo.read, "Null Some(true)");
    assert_eq!(log.lock().unwrap().last().unwrap().method, "PATCH");
}

#[tokio::test]
async fn text_bodies_are_strings() {
    let (client, log) = serve().await;
    let echo = client
        .post_text(PostText::new("héllo\nworld"))
        .await
        .unwrap();
    assert_eq!(
        json(&log),
        (Some("text/plain".to_owned()), "héllo\nworld".to_owned())
    );
    assert_eq!(echo.read, "héllo\nworld");
    // An empty text is a body too.
    let echo = client.post_text(PostText::new("")).await.unwrap();
    assert_eq!(last(&log), (Some("text/plain".to_owned()), Vec::new()));
    assert_eq!(echo.read, "");
}

#[tokio::test]
async fn binary_bodies_are_bytes_with_their_media_type() {
    let (client, log) = serve().await;
    assert_eq!(
        <PutBytes as Params>::CONTENT_TYPES,
        &["application/octet-stream", "image/png"]
    );
    let bytes = vec![0u8, 0xff, 0xfe, b'\r', b'\n'];
    let echo = client
        .put_bytes(PutBytes::new(bytes.clone()))
        .await
        .unwrap();
    assert_eq!(
        last(&log),
        (Some("application/octet-stream".to_owned()), bytes.clone())
    );
    assert_eq!(
        echo.read,
        r#"None Some("application/octet-stream") [0, 255, 254, 13, 10]"#
    );
    // The file's own media type, when it is one the operation accepts.
    let png = FilePart::new(vec![0x89, b'P']).content_type("image/png");
    // A header parameter travels beside the bytes.
    let echo = client
        .put_bytes(PutBytes::new(png).x_checksum(42))
        .await
        .unwrap();
    assert_eq!(
        last(&log),
        (Some("image/png".to_owned()), vec![0x89, b'P'])
    );
    assert_eq!(echo.read, r#"Some(42) Some("image/png") [137, 80]"#);
    // One the operation does not accept is a 415.
    let gif = FilePart::new(vec![1]).content_type("image/gif");
    let error = client.put_bytes(PutBytes::new(gif)).await.unwrap_err();
    assert_eq!(error.status(), Some(415));
}

#[tokio::test]
async fn unknown_media_types_are_sent_as_bytes() {
    let (client, log) = serve().await;
    assert_eq!(PostMsgpack::ROUTE.encoding, Encoding::Binary);
    let echo = client
        .post_msgpack(PostMsgpack::new().body(vec![0x81, 0xa1, b'a', 0x01]))
        .await
        .unwrap();
    assert_eq!(
        last(&log),
        (
            Some("application/x-msgpack".to_owned()),
            vec![0x81, 0xa1, b'a', 0x01]
        )
    );
    assert_eq!(echo.read, "Some([129, 161, 97, 1])");
    let echo = client.post_msgpack(PostMsgpack::new()).await.unwrap();
    assert_eq!(last(&log), (None, Vec::new()));
    assert_eq!(echo.read, "None");
}

fn upload() -> PostUpload {
    PostUpload::new(
        "holiday",
        FilePart::new(b"PNGDATA".to_vec()).name("a.png"),
    )
    .tags(vec!["x".to_owned(), "y z".to_owned()])
    .meta(Meta {
        author: Some("ann".to_owned()),
        version: Some(2),
    })
    .attachments(vec![
        FilePart::new(b"one".to_vec())
            .name("1.txt")
            .content_type("text/plain"),
        FilePart::new(b"two".to_vec()),
    ])
}

#[tokio::test]
async fn multipart_bodies_carry_files_fields_and_json_parts() {
    let (client, log) = serve().await;
    let echo = client.post_upload(upload()).await.unwrap();
    let (content_type, body) = last(&log);
    assert_eq!(
        content_type.as_deref(),
        Some("multipart/form-data; boundary=apigen-boundary-0")
    );
    let expected = concat!(
        "--apigen-boundary-0\r\n",
        "Content-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n",
        "--apigen-boundary-0\r\n",
        // Plain fields are the form pairs of their style (arrays indexed).
        "Content-Disposition: form-data; name=\"tags[0]\"\r\n\r\nx\r\n",
        "--apigen-boundary-0\r\n",
        "Content-Disposition: form-data; name=\"tags[1]\"\r\n\r\ny z\r\n",
        "--apigen-boundary-0\r\n",
        "Content-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n",
        "{\"author\":\"ann\",\"version\":2}\r\n",
        "--apigen-boundary-0\r\n",
        "Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n",
        "--apigen-boundary-0\r\n",
        "Content-Disposition: form-data; name=\"attachments\"; filename=\"1.txt\"\r\nContent-Type: text/plain\r\n\r\none\r\n",
        "--apigen-boundary-0\r\n",
        "Content-Disposition: form-data; name=\"attachments\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\ntwo\r\n",
        "--apigen-boundary-0--\r\n",
    );
    assert_eq!(String::from_utf8(body).unwrap(), expected);
    assert_eq!(
        echo.read,
        concat!(
            r#"holiday Some(["x", "y z"]) Some((Some("ann"), Some(2))) "#,
            r#"Some("a.png")/Some("image/png")/PNGDATA "#,
            r#"Some("1.txt")/Some("text/plain")/one "#,
            r#"Some("file")/Some("application/octet-stream")/two"#
        )
    );
}

#[test]
fn multipart_bodies_read_back_what_they_wrote() {
    let params = upload();
    let payload = params.payload().unwrap();
    // The file without a name gets `file`, so the read-back names it.
    let mut expected = params.clone();
    if let Some(files) = &mut expected.attachments {
        files[1].name = Some("file".to_owned());
        files[1].content_type = Some("application/octet-stream".to_owned());
    }
    expected.file.content_type = Some("image/png".to_owned());
    assert_eq!(
        PostUpload::from_payload("", Some(&payload.content_type), &payload.bytes),
        Ok(expected)
    );
    // A boundary that occurs in the data is not used.
    let tricky = PostUpload::new("--apigen-boundary-0", FilePart::new(b"x".to_vec()));
    let payload = tricky.payload().unwrap();
    assert!(payload.content_type.ends_with("apigen-boundary-1"));
    let parts = parse_multipart(&payload.content_type, &payload.bytes).unwrap();
    assert_eq!(parts[0].bytes, b"--apigen-boundary-0");
}

#[test]
fn multipart_errors_name_the_part() {
    let mut writer = MultipartWriter::new();
    writer.text("title", "t");
    let payload = writer.finish();
    assert_eq!(
        PostUpload::from_payload("", Some(&payload.content_type), &payload.bytes),
        Err(ValidationError::new("file", Rule::Missing))
    );
    let mut writer = MultipartWriter::new();
    writer.text("title", "t");
    writer.file("file", &FilePart::new(b"f".to_vec()), None);
    writer.file("other", &FilePart::new(b"o".to_vec()), None);
    let payload = writer.finish();
    assert_eq!(
        PostUpload::from_payload("", Some(&payload.content_type), &payload.bytes),
        Err(ValidationError::new("other", Rule::Unknown))
    );
    assert_eq!(
        PostUpload::from_payload("", Some("multipart/form-data"), b"x")
            .unwrap_err()
            .rule,
        Rule::Malformed
    );
}

fn attachment() -> PostAttachment {
    PostAttachment::new("req-7", FilePart::new(b"DATA".to_vec()).name("d.bin"))
        .session("s3cret")
        .opt_fields(vec!["name".to_owned(), "notes".to_owned()])
        .limit(5)
        .parent("proj")
}

#[tokio::test]
async fn multipart_bodies_travel_beside_header_cookie_and_styled_query_parameters() {
    let (client, log) = serve().await;
    let echo = client.post_attachment(attachment()).await.unwrap();
    let seen = log.lock().unwrap().last().cloned().unwrap();
    assert_eq!(seen.query, "opt_fields=name,notes&limit=5");
    let header = |name: &str| {
        seen.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(header("x-request-id"), ["req-7"]);
    assert_eq!(header("cookie"), ["session=s3cret"]);
    assert_eq!(
        seen.content_type.as_deref(),
        Some("multipart/form-data; boundary=apigen-boundary-0")
    );
    let expected = concat!(
        "--apigen-boundary-0\r\n",
        "Content-Disposition: form-data; name=\"parent\"\r\n\r\nproj\r\n",
        "--apigen-boundary-0\r\n",
        "Content-Disposition: form-data; name=\"file\"; filename=\"d.bin\"\r\nContent-Type: application/octet-stream\r\n\r\nDATA\r\n",
        "--apigen-boundary-0--\r\n",
    );
    assert_eq!(String::from_utf8(seen.body).unwrap(), expected);
    assert_eq!(
        echo.read,
        r#"Some(["name", "notes"]) Some(5) req-7 Some("s3cret") Some("proj") Some("d.bin")/Some("application/octet-stream")/DATA"#
    );
    // Only the required ones: no cookie, an empty query.
    let echo = client
        .post_attachment(PostAttachment::new("r", FilePart::new(b"x".to_vec())))
        .await
        .unwrap();
    let seen = log.lock().unwrap().last().cloned().unwrap();
    assert_eq!(seen.query, "");
    assert!(seen.headers.iter().all(|(k, _)| k != "cookie"));
    assert_eq!(
        echo.read,
        r#"None None r None None Some("file")/Some("application/octet-stream")/x"#
    );
    // The server reads the header parameter from the request: without it, a 400.
    let payload = attachment().payload().unwrap();
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/bodies/attachments", client.base_url()))
        .header("content-type", &payload.content_type)
        .body(payload.bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let error: serde_json::Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(error["error"]["param"], "X-Request-Id");
}

#[test]
fn multipart_beside_parameters_reads_back_what_it_wrote() {
    assert_eq!(PostAttachment::ROUTE.encoding, Encoding::Multipart);
    let params = attachment();
    let payload = params.payload().unwrap();
    let mut expected = params.clone();
    expected.file.content_type = Some("application/octet-stream".to_owned());
    assert_eq!(
        PostAttachment::from_payload(
            &params.to_query(),
            &params.to_headers(),
            Some(&payload.content_type),
            &payload.bytes
        ),
        Ok(expected)
    );
    // Header names in any case, through the trait as the server calls it.
    let headers = vec![
        ("x-request-id".to_owned(), "q".to_owned()),
        ("cookie".to_owned(), "other=1; session=z".to_owned()),
    ];
    let read = <PostAttachment as Params>::from_payload(
        "opt_fields=a",
        &headers,
        Some(&payload.content_type),
        &payload.bytes,
    )
    .unwrap();
    assert_eq!(
        (read.x_request_id.as_str(), read.session.as_deref(), read.opt_fields),
        ("q", Some("z"), Some(vec!["a".to_owned()]))
    );
    assert_eq!(
        PostAttachment::from_payload("", &[], Some(&payload.content_type), &payload.bytes),
        Err(ValidationError::new("X-Request-Id", Rule::Missing))
    );
    assert_eq!(
        PostAttachment::from_payload("limit=1&x=2", &headers, Some(&payload.content_type), &payload.bytes),
        Err(ValidationError::new("x", Rule::Unknown))
    );
}

#[tokio::test]
async fn several_media_types_send_the_preferred_and_accept_its_kind() {
    let (client, log) = serve().await;
    assert_eq!(
        <PostMixed as Params>::CONTENT_TYPES,
        &["application/json", "text/json"]
    );
    let echo = client
        .post_mixed(PostMixed::new().author("bo").version(3))
        .await
        .unwrap();
    assert_eq!(
        json(&log),
        (
            Some("application/json".to_owned()),
            r#"{"author":"bo","version":3}"#.to_owned()
        )
    );
    assert_eq!(echo.read, r#"Some("bo") Some(3)"#);
    // `text/json` is JSON too; a form, though listed, is a 415.
    let base = client.base_url().to_owned();
    let http = reqwest::Client::new();
    let answer = http
        .post(format!("{base}/v1/bodies/mixed"))
        .header("content-type", "text/json")
        .body(r#"{"version":4}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let echo: serde_json::Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(echo["read"], "None Some(4)");
    let answer = http
        .post(format!("{base}/v1/bodies/mixed"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("version=4")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 415);
    let error: serde_json::Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(error["error"]["type"], "invalid_request_error");
}
