//! Parameter styles end to end, run inside the crate generated from
//! `tests/fixtures/params/styles.yaml` (package `fixture-styles`):
//! `tests/tests/param_styles.rs` writes this file into that crate as
//! `tests/styles.rs`, lints it with the crate and runs it. It checks the
//! runtime's `style` module against the style examples table of the OpenAPI
//! 3.0.3 specification (the `color` rows, each style and explode, encoded and
//! decoded), then the generated client's exact bytes on the wire (path
//! styles, query styles, headers, the `Cookie` header) as a raw socket
//! receives them, and the generated server reading the same requests back
//! into equal params (and answering a missing required header, cookie or a
//! path segment that does not parse with a 400 naming the parameter).

#![cfg(all(
    feature = "full",
    feature = "server",
    feature = "client",
    feature = "proptest"
))]

use std::sync::{Arc, Mutex};

use fixture_styles::client::Client;
use fixture_styles::errors::ApiError;
use fixture_styles::form::{FormDecode, FormEncode, FormWriter};
use fixture_styles::models::{Color, Paint, Shade, Slot};
use fixture_styles::params::{CreateLabel, FindPaints, RetrievePaint, RetrievePaintCoat};
use fixture_styles::routes::{Labels, Paints};
use fixture_styles::style::{self, Shape, Style, Wire};
use proptest::prelude::*;

const KEY: &str = "sk_test_styles";

fn wire(style: Style, explode: bool, shape: Shape) -> Wire {
    Wire {
        name: "color",
        style,
        explode,
        allow_reserved: false,
        shape,
    }
}

const ARRAY: Shape = Shape::Array;
const OBJECT: Shape = Shape::Object {
    keys: Some(&["R", "G", "B"]),
};

fn rgb() -> Color {
    Color::new().r(100).g(200).b(150)
}

fn colors() -> Vec<String> {
    vec!["blue".to_owned(), "black".to_owned(), "brown".to_owned()]
}

/// Where a style's text goes: a query string, a path segment or a header.
fn encode<T: FormEncode>(value: &T, wire: &Wire) -> String {
    match wire.style {
        Style::Form | Style::SpaceDelimited | Style::PipeDelimited | Style::DeepObject => {
            let mut out = FormWriter::new();
            style::query(value, wire, &mut out);
            out.finish()
        }
        Style::Simple => style::header(value, wire).expect("a value"),
        Style::Label | Style::Matrix => style::path(value, wire),
    }
}

fn decode<T: FormDecode>(text: &str, wire: &Wire) -> T {
    let node = match wire.style {
        Style::Form | Style::SpaceDelimited | Style::PipeDelimited | Style::DeepObject => {
            let split = style::split(text, '&', &[*wire], &[]).expect("the query reads");
            assert_eq!(split.rest, "", "every pair is the parameter's");
            split.styled.into_iter().next().expect("the parameter is there").1
        }
        Style::Simple => style::header_node(text, wire).expect("the header reads"),
        Style::Label | Style::Matrix => style::path_node(text, wire).expect("the segment reads"),
    };
    style::decode(&node, "color").expect("the value decodes")
}

/// The table's `simple` cells hold in a path segment too.
fn path_agrees<T: FormEncode + FormDecode + PartialEq + std::fmt::Debug>(value: &T, expected: &str, wire: &Wire) {
    if wire.style == Style::Simple {
        assert_eq!(style::path(value, wire), expected, "simple in a path");
        let node = style::path_node(expected, wire).expect("the segment reads");
        assert_eq!(&style::decode::<T>(&node, "color").expect("the value decodes"), value);
    }
}

/// The `color` rows of the OpenAPI 3.0.3 style examples table: style,
/// explode, then the empty, string, array and object columns (`None` where
/// the table says n/a). The table leaves the name out of the
/// spaceDelimited and pipeDelimited rows; they are sent as `color=…`.
#[allow(clippy::type_complexity)]
const TABLE: &[(Style, bool, Option<&str>, Option<&str>, Option<&str>, Option<&str>)] = &[
    (Style::Matrix, false, Some(";color"), Some(";color=blue"), Some(";color=blue,black,brown"), Some(";color=R,100,G,200,B,150")),
    (Style::Matrix, true, Some(";color"), Some(";color=blue"), Some(";color=blue;color=black;color=brown"), Some(";R=100;G=200;B=150")),
    (Style::Label, false, Some("."), Some(".blue"), Some(".blue.black.brown"), Some(".R.100.G.200.B.150")),
    (Style::Label, true, Some("."), Some(".blue"), Some(".blue.black.brown"), Some(".R=100.G=200.B=150")),
    (Style::Form, false, Some("color="), Some("color=blue"), Some("color=blue,black,brown"), Some("color=R,100,G,200,B,150")),
    (Style::Form, true, Some("color="), Some("color=blue"), Some("color=blue&color=black&color=brown"), Some("R=100&G=200&B=150")),
    (Style::Simple, false, None, Some("blue"), Some("blue,black,brown"), Some("R,100,G,200,B,150")),
    (Style::Simple, true, None, Some("blue"), Some("blue,black,brown"), Some("R=100,G=200,B=150")),
    (Style::SpaceDelimited, false, None, None, Some("color=blue%20black%20brown"), Some("color=R%20100%20G%20200%20B%20150")),
    (Style::PipeDelimited, false, None, None, Some("color=blue|black|brown"), Some("color=R|100|G|200|B|150")),
    (Style::DeepObject, true, None, None, None, Some("color[R]=100&color[G]=200&color[B]=150")),
];

#[test]
fn the_style_examples_table_both_ways() {
    let mut checked = 0;
    for &(style, explode, empty, string, array, object) in TABLE {
        let context = format!("{style:?} explode={explode}");
        if let Some(expected) = empty {
            let w = wire(style, explode, Shape::Primitive);
            assert_eq!(encode(&String::new(), &w), expected, "{context}: empty");
            assert_eq!(decode::<String>(expected, &w), "", "{context}: empty");
            checked += 1;
        }
        if let Some(expected) = string {
            let w = wire(style, explode, Shape::Primitive);
            assert_eq!(encode(&"blue".to_owned(), &w), expected, "{context}: string");
            assert_eq!(decode::<String>(expected, &w), "blue", "{context}: string");
            path_agrees(&"blue".to_owned(), expected, &w);
            checked += 1;
        }
        if let Some(expected) = array {
            let w = wire(style, explode, ARRAY);
            assert_eq!(encode(&colors(), &w), expected, "{context}: array");
            assert_eq!(decode::<Vec<String>>(expected, &w), colors(), "{context}: array");
            path_agrees(&colors(), expected, &w);
            checked += 1;
        }
        if let Some(expected) = object {
            let w = wire(style, explode, OBJECT);
            assert_eq!(encode(&rgb(), &w), expected, "{context}: object");
            assert_eq!(decode::<Color>(expected, &w), rgb(), "{context}: object");
            path_agrees(&rgb(), expected, &w);
            checked += 1;
        }
    }
    // Every cell of the table that is not n/a.
    assert_eq!(checked, 35);
}

#[test]
fn deep_object_arrays_keep_the_indexed_reading() {
    let w = wire(Style::DeepObject, true, ARRAY);
    let text = encode(&colors(), &w);
    assert_eq!(text, "color[0]=blue&color[1]=black&color[2]=brown");
    assert_eq!(decode::<Vec<String>>(&text, &w), colors());
}

#[test]
fn values_are_escaped_per_location_and_delimiters_survive() {
    let tricky = vec!["a,b".to_owned(), "c d".to_owned(), "é/?".to_owned()];
    let form = wire(Style::Form, false, ARRAY);
    let text = encode(&tricky, &form);
    assert_eq!(text, "color=a%2Cb,c%20d,%C3%A9%2F%3F");
    assert_eq!(decode::<Vec<String>>(&text, &form), tricky);
    let label = wire(Style::Label, false, ARRAY);
    let text = encode(&tricky, &label);
    assert_eq!(text, ".a%2Cb.c%20d.%C3%A9%2F%3F");
    assert_eq!(decode::<Vec<String>>(&text, &label), tricky);
    let reserved = Wire {
        allow_reserved: true,
        ..wire(Style::Form, true, Shape::Primitive)
    };
    let mut out = FormWriter::new();
    style::query(&"https://x.test/a?b=c&d#e".to_owned(), &reserved, &mut out);
    assert_eq!(out.finish(), "color=https://x.test/a?b%3Dc%26d%23e");
}

/// Items that survive every style: not empty (an empty item is no item).
fn item() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z0-9_.-]{1,12}", "[ -~]{1,12}", any::<String>().prop_filter("not empty", |s| !s.is_empty())]
}

fn color() -> impl Strategy<Value = Color> {
    (any::<i64>(), any::<i64>(), any::<i64>()).prop_map(|(r, g, b)| Color::new().r(r).g(g).b(b))
}

proptest! {
    /// Arrays and objects read back as they were written, in every style of the table.
    #[test]
    fn every_style_reads_back_what_it_wrote(items in prop::collection::vec(item(), 1..4), rgb in color()) {
        for &(style, explode, ..) in TABLE {
            // spaceDelimited cannot tell a space in an item from the delimiter.
            let spaced = style == Style::SpaceDelimited && items.iter().any(|i| i.contains(' '));
            if style != Style::DeepObject && !spaced {
                let w = wire(style, explode, ARRAY);
                prop_assert_eq!(decode::<Vec<String>>(&encode(&items, &w), &w), items.clone(), "{:?} {}", style, explode);
            }
            let w = wire(style, explode, OBJECT);
            prop_assert_eq!(decode::<Color>(&encode(&rgb, &w), &w), rgb.clone(), "{:?} {}", style, explode);
        }
    }

    /// What the client writes (query, headers, cookies) the server reads back.
    #[test]
    fn headers_cookies_and_query_styles_round_trip(
        tag in any::<String>(),
        session in any::<String>(),
        trace in proptest::option::of(any::<String>()),
        prefs in proptest::option::of(prop::collection::vec(item(), 1..4)),
        shades in proptest::option::of(prop::collection::vec(any::<Shade>(), 1..4)),
        tags in prop::collection::vec(item(), 1..4),
        words in prop::collection::vec("[a-z]{1,5}", 1..4),
        redirect in any::<String>(),
        rgb in color(),
    ) {
        let mut get = RetrievePaint::new(tag, session).verbose(true);
        get.x_trace_id = trace;
        get.prefs = prefs;
        get.x_shades = shades;
        prop_assert_eq!(
            RetrievePaint::from_request(&get.to_query(), &get.to_headers(), &get.to_body()),
            Ok(get.clone())
        );
        let find = FindPaints::new().tags(tags).words(words).redirect(redirect).rgb(rgb).codes(vec![1, -2]).at_slot(3);
        prop_assert_eq!(FindPaints::from_wire(&find.to_query(), &find.to_body()), Ok(find.clone()));
    }
}

/// Echoes what each operation received, as its Debug text, in `note`.
#[derive(Clone, Default)]
struct Studio;

impl Paints for Studio {
    type Error = ApiError;

    async fn retrieve_paint(&self, paint_id: i64, params: RetrievePaint) -> Result<Paint, ApiError> {
        Ok(Paint {
            id: paint_id,
            note: format!("{params:?}"),
        })
    }

    async fn retrieve_paint_coat(
        &self,
        coat: String,
        paint_id: i64,
        _params: RetrievePaintCoat,
    ) -> Result<Paint, ApiError> {
        Ok(Paint { id: paint_id, note: coat })
    }

    async fn find_paints(
        &self,
        shade: Shade,
        slot: Slot,
        ids: Vec<i64>,
        color: Color,
        params: FindPaints,
    ) -> Result<Vec<Paint>, ApiError> {
        Ok(vec![Paint {
            id: slot,
            note: format!("{shade:?} {ids:?} {color:?} {params:?}"),
        }])
    }
}

impl Labels for Studio {
    type Error = ApiError;

    async fn create(&self, params: CreateLabel) -> Result<Paint, ApiError> {
        Ok(Paint {
            id: params.slot.unwrap_or_default(),
            note: params.text,
        })
    }
}

async fn serve() -> String {
    let router = fixture_styles::server::router(Studio);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// A socket that records one request's head and answers `body` as JSON.
async fn capture(body: &'static str) -> (String, Arc<Mutex<String>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let seen = Arc::new(Mutex::new(String::new()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let log = seen.clone();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        *log.lock().unwrap() = String::from_utf8_lossy(&head).into_owned();
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(answer.as_bytes()).await.unwrap();
    });
    (format!("http://{address}"), seen)
}

fn head_lines(head: &str) -> Vec<String> {
    head.lines().map(str::to_owned).collect()
}

fn retrieve_params() -> RetrievePaint {
    RetrievePaint::new("tag-1", "s3cr3t")
        .verbose(true)
        .x_shades(vec![Shade::Light, Shade::Dark])
        .x_trace_id("trace 7")
        .prefs(vec!["dark mode".to_owned(), "compact".to_owned()])
}

fn find_params() -> FindPaints {
    FindPaints::new()
        .tags(vec!["a".to_owned(), "b,c".to_owned()])
        .words(vec!["x".to_owned(), "y".to_owned()])
        .codes(vec![1, 2, 3])
        .multi(vec!["m".to_owned(), "n".to_owned()])
        .rgb(rgb())
        .filter(Color::new().r(1).b(3))
        .redirect("/back?to=1")
        .at_slot(4)
}

#[tokio::test]
async fn the_client_writes_headers_and_cookies_exactly() {
    let (base, seen) = capture(r#"{"id": 12, "note": ""}"#).await;
    let client = Client::new(KEY).with_base_url(base).with_max_retries(0);
    let paint = client.retrieve_paint(12, retrieve_params()).await.expect("the answer decodes");
    assert_eq!(paint.id, 12);
    let lines = head_lines(&seen.lock().unwrap());
    assert_eq!(lines[0], "GET /v1/paints/12?verbose=true HTTP/1.1");
    // HTTP/1 header names are case-insensitive; hyper writes them in lower case.
    for expected in [
        "x-request-tag: tag-1",
        "x-shades: light,dark",
        "x-trace-id: trace 7",
        "cookie: session=s3cr3t; prefs=dark%20mode,compact",
    ] {
        assert!(lines.iter().any(|l| l == expected), "{expected} in {lines:#?}");
    }
    assert!(!lines.iter().any(|l| l.starts_with("accept: ") && l.contains("text/")), "{lines:#?}");
}

#[tokio::test]
async fn the_client_writes_path_and_query_styles_exactly() {
    let (base, seen) = capture(r#"[]"#).await;
    let client = Client::new(KEY).with_base_url(base).with_max_retries(0);
    let found = client
        .find_paints(Shade::Dark, 7, vec![3, 4], Color::new().r(1).g(2), find_params())
        .await
        .expect("the answer decodes");
    assert!(found.is_empty());
    let lines = head_lines(&seen.lock().unwrap());
    assert_eq!(
        lines[0],
        "GET /v1/paints/dark/7/.3.4/;R=1;G=2?tags=a,b%2Cc&words=x%20y&codes=1|2|3&multi=m&multi=n&R=100&G=200&B=150&filter[R]=1&filter[B]=3&redirect=/back?to%3D1&at_slot=4 HTTP/1.1"
    );
}

#[tokio::test]
async fn the_server_reads_what_the_client_sends() {
    let client = Client::new(KEY).with_base_url(serve().await).with_max_retries(0);
    let params = retrieve_params();
    let paint = client.retrieve_paint(12, params.clone()).await.expect("the server answers");
    assert_eq!(paint, Paint { id: 12, note: format!("{params:?}") });

    let params = find_params();
    let color = Color::new().r(1).g(2);
    let found = client
        .find_paints(Shade::Dark, 7, vec![3, 4], color.clone(), params.clone())
        .await
        .expect("the server answers");
    assert_eq!(
        found,
        vec![Paint {
            id: 7,
            note: format!("{:?} {:?} {color:?} {params:?}", Shade::Dark, vec![3, 4]),
        }]
    );

    // Path parameters declared out of the template's order reach their arguments.
    let coat = client
        .retrieve_paint_coat("gloss".to_owned(), 9, RetrievePaintCoat::new())
        .await
        .expect("the server answers");
    assert_eq!(coat, Paint { id: 9, note: "gloss".to_owned() });

    let label = client
        .create(CreateLabel::new("hello").slot(2))
        .await
        .expect("the server answers");
    assert_eq!(label, Paint { id: 2, note: "hello".to_owned() });
}

async fn get(base: &str, path: &str, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let mut request = reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(KEY);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    (status, serde_json::from_slice(&bytes).expect("a JSON answer"))
}

#[tokio::test]
async fn the_server_answers_bad_parameters_with_400s_naming_them() {
    let base = serve().await;
    let (status, body) = get(&base, "/v1/paints/1", &[("cookie", "session=s")]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "X-Request-Tag", "{body}");
    assert_eq!(body["error"]["code"], "parameter_missing", "{body}");

    let (status, body) = get(&base, "/v1/paints/1", &[("x-request-tag", "t")]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "session", "{body}");

    let (status, body) = get(
        &base,
        "/v1/paints/1",
        &[("X-REQUEST-TAG", "far too long for sixteen"), ("cookie", "session=s")],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "X-Request-Tag", "{body}");

    // A path segment that does not parse as the declared type.
    let ok = [("x-request-tag", "t"), ("cookie", "session=s")];
    let (status, body) = get(&base, "/v1/paints/one", &ok).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "paint_id", "{body}");
    let (status, body) = get(&base, "/v1/paints/dark/7/3.4/;R=1", &[]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "ids", "{body}");

    // `Accept` is no parameter: any value is fine.
    let (status, body) = get(&base, "/v1/paints/5", &[ok[0], ok[1], ("accept", "text/plain")]).await;
    assert_eq!(status, 200, "{body}");
}
