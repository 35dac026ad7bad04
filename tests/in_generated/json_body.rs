//! JSON request bodies end to end, run inside the crate generated from
//! `tests/fixtures/params/json_body.yaml` (package `fixture-json-body`):
//! `tests/tests/json_bodies.rs` writes this file into that crate as
//! `tests/json_body.rs`, lints it with the crate and runs it. It checks the
//! JSON `to_body` (fields in order, unset ones left out, "clear" as `null`),
//! the `from_wire` round trip (by hand and with proptest), the errors of
//! `from_wire` (unknown, missing, wrongly typed parameters; a body that is
//! not JSON), the generated server answering JSON bodies with Stripe-shaped
//! 400s, and the generated client sending `application/json` to it.

#![cfg(all(
    feature = "full",
    feature = "server",
    feature = "client",
    feature = "proptest"
))]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use fixture_json_body::client::Client;
use fixture_json_body::errors::ApiError;
use fixture_json_body::form::{Rule, ValidationError};
use fixture_json_body::models::{Dimensions, Gadget, GadgetObject, Order, OrderObject};
use fixture_json_body::params::{
    CreateGadget, CreateGadgetPartsItem, CreateGadgetShapeObject, CreateGadgetShapeString,
    CreateOrder, CreateOrderLinesItem, RetrieveGadget, UpdateGadget,
};
use fixture_json_body::routes::{Gadgets, Orders};
use fixture_json_body::runtime::{Clearable, ClearableMap, Encoding, Nullable, Params, Timestamp};
use proptest::prelude::*;

const KEY: &str = "sk_test_json";

fn full_gadget() -> CreateGadget {
    CreateGadget::new("spanner", "widget")
        .dry_run(true)
        .quantity(3)
        .tags(vec!["a".to_owned(), "b c".to_owned()])
        .dimensions(Dimensions::new(10).unit("mm"))
        .note(Nullable::Null)
        .price(9.5)
        .released_at(Timestamp(1_700_000_000))
        .metadata(ClearableMap::new().set("k", "v").unset("old"))
        .shape(CreateGadgetShapeString::Circle)
        .parts(vec![
            CreateGadgetPartsItem::new("p1").count(2),
            CreateGadgetPartsItem::new("p2").label(Clearable::Clear),
        ])
}

/// The error of reading a create body (and no query string).
fn create_error(body: &str) -> ValidationError {
    CreateGadget::from_wire("", body).expect_err("the body is rejected")
}

fn error(param: &str, rule: Rule) -> ValidationError {
    ValidationError::new(param, rule)
}

// ---------------------------------------------------------------------------
// The params types

#[test]
fn routes_say_json() {
    assert_eq!(CreateGadget::ROUTE.encoding, Encoding::Json);
    assert_eq!(UpdateGadget::ROUTE.encoding, Encoding::Json);
    assert_eq!(CreateOrder::ROUTE.encoding, Encoding::Json);
    assert_eq!(RetrieveGadget::ROUTE.encoding, Encoding::Query);
}

#[test]
fn to_body_writes_one_json_object() {
    let gadget = full_gadget();
    assert_eq!(gadget.to_query(), "dry_run=true");
    assert_eq!(
        gadget.to_body(),
        concat!(
            r#"{"name":"spanner","kind":"widget","quantity":3,"tags":["a","b c"],"#,
            r#""dimensions":{"width":10,"unit":"mm"},"note":null,"price":9.5,"released_at":1700000000,"#,
            r#""metadata":{"k":"v","old":null},"shape":"circle","#,
            r#""parts":[{"sku":"p1","count":2},{"sku":"p2","label":null}]}"#
        )
    );
    // Unset optional fields are left out; a union's object variant is an object.
    let small = CreateGadget::new("x", "sprocket").shape(CreateGadgetShapeObject::new().radius(4));
    assert_eq!(
        small.to_body(),
        r#"{"name":"x","kind":"sprocket","shape":{"radius":4}}"#
    );
    // "Clear" is null, for a field and for a whole map.
    let cleared = UpdateGadget::new()
        .description(Clearable::Clear)
        .metadata(ClearableMap::Clear);
    assert_eq!(cleared.to_body(), r#"{"description":null,"metadata":null}"#);
    let order = CreateOrder::new("gad_1", vec![CreateOrderLinesItem::new(1).gift(true)])
        .box_(Dimensions::new(1).height(2))
        .deliver_after(Nullable::Value(Timestamp(5)));
    assert_eq!(
        order.to_body(),
        r#"{"gadget":"gad_1","box":{"width":1,"height":2},"lines":[{"quantity":1,"gift":true}],"deliver_after":5}"#
    );
}

#[test]
fn nothing_set_is_no_body_unless_the_body_is_required() {
    // The update body is optional: nothing set, nothing sent.
    assert_eq!(UpdateGadget::new().to_body(), "");
    assert_eq!(UpdateGadget::from_wire("", ""), Ok(UpdateGadget::new()));
    assert_eq!(UpdateGadget::from_wire("", " \n"), Ok(UpdateGadget::new()));
    assert_eq!(UpdateGadget::from_wire("", "{}"), Ok(UpdateGadget::new()));
    // An empty body is `{}`: a required body's required fields are missing.
    assert_eq!(
        CreateOrder::from_wire("", ""),
        Err(error("gadget", Rule::Missing))
    );
    // A query-only operation has no body.
    assert_eq!(
        RetrieveGadget::new().expand(vec!["x".to_owned()]).to_body(),
        ""
    );
}

#[test]
fn from_wire_reads_back_what_to_body_wrote() {
    let cases = [
        full_gadget(),
        CreateGadget::new("x", "sprocket"),
        CreateGadget::new("y", "other kind")
            .note("text".to_owned())
            .shape(CreateGadgetShapeObject::new()),
        CreateGadget::new("z", "widget")
            .metadata(ClearableMap::Clear)
            .tags(Vec::<String>::new()),
    ];
    for params in cases {
        assert_eq!(
            CreateGadget::from_wire(&params.to_query(), &params.to_body()),
            Ok(params.clone()),
            "{}",
            params.to_body()
        );
    }
    let update = UpdateGadget::new()
        .name("n")
        .description("d".to_owned())
        .quantity(5)
        .active(false)
        .metadata(ClearableMap::new().set("a", "1"));
    assert_eq!(UpdateGadget::from_wire("", &update.to_body()), Ok(update));
    let update = UpdateGadget::new().description(Clearable::Clear);
    assert_eq!(UpdateGadget::from_wire("", &update.to_body()), Ok(update));
    let order =
        CreateOrder::new("g", vec![CreateOrderLinesItem::new(2)]).deliver_after(Nullable::Null);
    assert_eq!(CreateOrder::from_wire("", &order.to_body()), Ok(order));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_create_gadget_round_trips(params in any::<CreateGadget>()) {
        prop_assert_eq!(CreateGadget::from_wire(&params.to_query(), &params.to_body()), Ok(params));
    }

    #[test]
    fn every_update_gadget_round_trips(params in any::<UpdateGadget>()) {
        prop_assert_eq!(UpdateGadget::from_wire(&params.to_query(), &params.to_body()), Ok(params));
    }

    #[test]
    fn every_create_order_round_trips(params in any::<CreateOrder>()) {
        prop_assert_eq!(CreateOrder::from_wire(&params.to_query(), &params.to_body()), Ok(params));
    }
}

#[test]
fn the_spec_s_empty_string_also_clears() {
    let update = UpdateGadget::from_wire(
        "",
        r#"{"description": "", "metadata": {"a": "", "b": "2"}}"#,
    )
    .expect("valid");
    assert_eq!(update.description, Some(Clearable::Clear));
    assert_eq!(
        update.metadata,
        Some(ClearableMap::new().unset("a").set("b", "2"))
    );
    let update = UpdateGadget::from_wire("", r#"{"metadata": ""}"#).expect("valid");
    assert_eq!(update.metadata, Some(ClearableMap::Clear));
}

#[test]
fn nullable_fields_keep_null_and_absence_apart() {
    let with_null = create_error_free(r#"{"name": "n", "kind": "widget", "note": null}"#);
    assert_eq!(with_null.note, Nullable::Null);
    let absent = create_error_free(r#"{"name": "n", "kind": "widget"}"#);
    assert_eq!(absent.note, Nullable::Absent);
    assert_eq!(absent.to_body(), r#"{"name":"n","kind":"widget"}"#);
}

fn create_error_free(body: &str) -> CreateGadget {
    CreateGadget::from_wire("", body).expect("the body is valid")
}

#[test]
fn unknown_keys_are_rejected_at_every_level() {
    assert_eq!(
        create_error(r#"{"name": "n", "kind": "widget", "colour": "red"}"#),
        error("colour", Rule::Unknown)
    );
    assert_eq!(
        create_error(r#"{"name": "n", "kind": "widget", "dimensions": {"width": 1, "depth": 2}}"#),
        error("dimensions[depth]", Rule::Unknown)
    );
    assert_eq!(
        create_error(
            r#"{"name": "n", "kind": "widget", "parts": [{"sku": "a"}, {"sku": "b", "x": 1}]}"#
        ),
        error("parts[1][x]", Rule::Unknown)
    );
    // A body parameter in the query string is unknown there (and the reverse).
    assert_eq!(
        CreateGadget::from_wire("name=n", r#"{"name": "n", "kind": "widget"}"#),
        Err(error("name", Rule::Unknown))
    );
    assert_eq!(
        create_error(r#"{"name": "n", "kind": "widget", "dry_run": true}"#),
        error("dry_run", Rule::Unknown)
    );
    let unknown = create_error(r#"{"name": "n", "kind": "widget", "colour": "red"}"#);
    assert_eq!(unknown.code(), "parameter_unknown");
}

#[test]
fn missing_required_fields_are_named_as_by_the_form_path() {
    assert_eq!(
        create_error(r#"{"kind": "widget"}"#),
        error("name", Rule::Missing)
    );
    assert_eq!(create_error("{}"), error("name", Rule::Missing));
    assert_eq!(
        create_error(r#"{"name": "n", "kind": "widget", "dimensions": {"unit": "mm"}}"#),
        error("dimensions[width]", Rule::Missing)
    );
    assert_eq!(
        CreateOrder::from_wire("", r#"{"gadget": "g", "lines": [{"quantity": 1}, {}]}"#),
        Err(error("lines[1][quantity]", Rule::Missing))
    );
    let missing = create_error("{}");
    assert_eq!(missing.code(), "parameter_missing");
    assert_eq!(missing.message, "Missing required param: name.");
}

#[test]
fn values_of_the_wrong_json_type_name_the_parameter() {
    let base = |field: &str| format!(r#"{{"name": "n", "kind": "widget", {field}}}"#);
    let cases = [
        (r#""quantity": "5""#, "quantity", "integer"),
        (r#""quantity": 5.5"#, "quantity", "integer"),
        (r#""quantity": null"#, "quantity", "integer"),
        (r#""quantity": 99999999999999999999"#, "quantity", "integer"),
        (r#""price": "1.5""#, "price", "number"),
        (r#""released_at": "now""#, "released_at", "timestamp"),
        (r#""tags": "a""#, "tags", "array"),
        (r#""tags": ["a", 1]"#, "tags[1]", "string"),
        (r#""dimensions": 3"#, "dimensions", "object"),
        (
            r#""dimensions": {"width": true}"#,
            "dimensions[width]",
            "integer",
        ),
        (
            r#""dimensions": {"width": 1, "unit": 2}"#,
            "dimensions[unit]",
            "string",
        ),
        (r#""note": 5"#, "note", "string"),
        (r#""metadata": 5"#, "metadata", "object"),
        (r#""metadata": {"k": 5}"#, "metadata[k]", "string"),
        (
            r#""parts": [{"sku": "a", "count": "2"}]"#,
            "parts[0][count]",
            "integer",
        ),
        (
            r#""parts": [{"sku": "a", "label": 7}]"#,
            "parts[0][label]",
            "string",
        ),
    ];
    for (field, param, expected) in cases {
        assert_eq!(
            create_error(&base(field)),
            error(param, Rule::Type(expected)),
            "{field}"
        );
    }
    assert_eq!(
        create_error(r#"{"name": 5, "kind": "widget"}"#),
        error("name", Rule::Type("string"))
    );
    assert_eq!(
        create_error(r#"{"name": "n", "kind": ["widget"]}"#),
        error("kind", Rule::Type("string"))
    );
    let update = UpdateGadget::from_wire("", r#"{"active": "true"}"#)
        .expect_err("a string is not a boolean");
    assert_eq!(update, error("active", Rule::Type("boolean")));
    assert_eq!(update.code(), "parameter_invalid_boolean");
    assert_eq!(update.message, "Invalid boolean: active must be a boolean.");
    // A union names itself when no variant fits.
    let shape = create_error(&base(r#""shape": 5"#));
    assert_eq!(shape.param, "shape");
    assert!(matches!(shape.rule, Rule::Type(_)), "{shape:?}");
    // The query string is still a form: its values are coerced.
    assert_eq!(
        CreateGadget::from_wire("dry_run=maybe", r#"{"name": "n", "kind": "widget"}"#),
        Err(error("dry_run", Rule::Type("boolean")))
    );
}

#[test]
fn bodies_that_are_not_json_objects_are_rejected() {
    for body in [
        "{",
        "name=n&kind=widget",
        "[1]",
        "\"text\"",
        "null",
        "{\"name\": \"n\",}",
    ] {
        let e = create_error(body);
        assert_eq!(e.rule, Rule::InvalidJson, "{body}");
        assert_eq!(e.param, "", "{body}");
        assert_eq!(e.code(), "invalid_json_body");
        assert!(
            e.message.starts_with("Invalid request body: "),
            "{}",
            e.message
        );
    }
}

#[test]
fn validation_runs_on_what_was_read() {
    // Type-correct values that break the spec's rules are read, then rejected by `validate`.
    let zero = create_error_free(r#"{"name": "n", "kind": "widget", "quantity": 0}"#);
    assert_eq!(
        zero.validate(),
        Err(error(
            "quantity",
            Rule::Minimum {
                limit: 1.0,
                exclusive: false
            }
        ))
    );
    let many = create_error_free(r#"{"name": "n", "kind": "widget", "quantity": 101}"#);
    assert_eq!(
        many.validate(),
        Err(error(
            "quantity",
            Rule::Maximum {
                limit: 100.0,
                exclusive: false
            }
        ))
    );
    let kind = create_error_free(r#"{"name": "n", "kind": "gizmo"}"#);
    assert_eq!(
        kind.validate(),
        Err(error("kind", Rule::Enum(&["sprocket", "widget"])))
    );
    let tags =
        create_error_free(r#"{"name": "n", "kind": "widget", "tags": ["a", "b", "c", "d"]}"#);
    assert_eq!(tags.validate(), Err(error("tags", Rule::MaxItems(3))));
    let part = create_error_free(
        r#"{"name": "n", "kind": "widget", "parts": [{"sku": "a", "count": 0}]}"#,
    );
    assert_eq!(
        part.validate(),
        Err(error(
            "parts[0][count]",
            Rule::Minimum {
                limit: 1.0,
                exclusive: false
            }
        ))
    );
    assert_eq!(full_gadget().validate(), Ok(()));
}

#[test]
fn nested_clearable_fields_round_trip_through_serde() {
    for part in [
        CreateGadgetPartsItem::new("a").label(Clearable::Clear),
        CreateGadgetPartsItem::new("a").label("l".to_owned()),
        CreateGadgetPartsItem::new("a"),
    ] {
        let json = serde_json::to_string(&part).expect("serialize");
        let back: CreateGadgetPartsItem = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, part, "{json}");
    }
}

// ---------------------------------------------------------------------------
// The generated server and client

/// An in-memory shop: gadgets by id, and the orders' count.
#[derive(Clone, Default)]
struct Shop {
    gadgets: Arc<Mutex<BTreeMap<String, Gadget>>>,
}

impl Shop {
    fn not_found(id: &str) -> ApiError {
        ApiError::new("invalid_request_error", format!("No such gadget: '{id}'"))
            .with_code("resource_missing")
            .with_status(404)
    }
}

impl Gadgets for Shop {
    type Error = ApiError;

    async fn create(&self, params: CreateGadget) -> Result<Gadget, ApiError> {
        let mut gadgets = self.gadgets.lock().unwrap();
        let mut metadata = BTreeMap::new();
        if let Some(update) = params.metadata {
            update.apply_to(&mut metadata);
        }
        let gadget = Gadget {
            id: format!("gad_{}", gadgets.len() + 1),
            object: GadgetObject::Gadget,
            name: params.name,
            kind: params.kind.as_str().to_owned(),
            quantity: params.quantity.map_or(Nullable::Null, Nullable::Value),
            description: params.note,
            metadata: Some(metadata),
        };
        gadgets.insert(gadget.id.clone(), gadget.clone());
        Ok(gadget)
    }

    async fn retrieve(&self, gadget: String, _params: RetrieveGadget) -> Result<Gadget, ApiError> {
        let gadgets = self.gadgets.lock().unwrap();
        gadgets
            .get(&gadget)
            .cloned()
            .ok_or_else(|| Self::not_found(&gadget))
    }

    async fn update(&self, gadget: String, params: UpdateGadget) -> Result<Gadget, ApiError> {
        let mut gadgets = self.gadgets.lock().unwrap();
        let found = gadgets
            .get_mut(&gadget)
            .ok_or_else(|| Self::not_found(&gadget))?;
        if let Some(name) = params.name {
            found.name = name;
        }
        match params.description {
            Some(Clearable::Set(text)) => found.description = Nullable::Value(text),
            Some(Clearable::Clear) => found.description = Nullable::Null,
            None => {}
        }
        if let Some(quantity) = params.quantity {
            found.quantity = Nullable::Value(quantity);
        }
        if let Some(update) = params.metadata {
            update.apply_to(found.metadata.get_or_insert_with(BTreeMap::new));
        }
        Ok(found.clone())
    }
}

impl Orders for Shop {
    type Error = ApiError;

    async fn create(&self, params: CreateOrder) -> Result<Order, ApiError> {
        Ok(Order {
            id: "ord_1".to_owned(),
            object: OrderObject::Order,
            gadget: params.gadget,
            lines: i64::try_from(params.lines.len()).unwrap_or(i64::MAX),
        })
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    content_type: Option<String>,
    body: String,
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
        path: parts.uri.path().to_owned(),
        content_type: parts
            .headers
            .get("content-type")
            .map(|v| v.to_str().unwrap_or_default().to_owned()),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    });
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

/// Serves the shop with the generated router on a free port; its base URL and the request log.
async fn serve() -> (String, Log) {
    let log = Log::default();
    let router = fixture_json_body::server::router(Shop::default())
        .layer(axum::middleware::from_fn_with_state(log.clone(), record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), log)
}

/// Posts `body` with `content_type` as a raw request; the status and the JSON answer.
async fn post(
    base: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(KEY)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    (
        status,
        serde_json::from_slice(&bytes).expect("a JSON answer"),
    )
}

#[tokio::test]
async fn the_server_reads_json_bodies_and_answers_bad_ones_with_400s() {
    let (base, _) = serve().await;
    let json = "application/json";
    let (status, gadget) = post(
        &base,
        "/v1/gadgets",
        json,
        br#"{"name": "spanner", "kind": "widget", "quantity": 2, "metadata": {"a": "1"}}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{gadget}");
    assert_eq!(gadget["name"], "spanner");
    assert_eq!(gadget["quantity"], 2);
    assert_eq!(gadget["metadata"], serde_json::json!({"a": "1"}));

    let invalid = |code: &str, param: Option<&str>| {
        let mut error = serde_json::json!({"type": "invalid_request_error", "code": code});
        if let Some(param) = param {
            error["param"] = param.into();
        }
        error
    };
    let cases: [(&[u8], &str, Option<&str>); 8] = [
        (b"{", "invalid_json_body", None),
        (b"[]", "invalid_json_body", None),
        (b"name=spanner&kind=widget", "invalid_json_body", None),
        (br#"{"name": "spanner"}"#, "parameter_missing", Some("kind")),
        (
            br#"{"name": "s", "kind": "widget", "quantity": "2"}"#,
            "parameter_invalid_integer",
            Some("quantity"),
        ),
        (
            br#"{"name": "s", "kind": "widget", "quantity": 0}"#,
            "parameter_invalid_too_small",
            Some("quantity"),
        ),
        (
            br#"{"name": "s", "kind": "widget", "size": 1}"#,
            "parameter_unknown",
            Some("size"),
        ),
        (
            br#"{"name": "s", "kind": "gizmo"}"#,
            "parameter_invalid_enum",
            Some("kind"),
        ),
    ];
    for (body, code, param) in cases {
        let (status, answer) = post(&base, "/v1/gadgets", json, body.to_vec()).await;
        assert_eq!(status, 400, "{}: {answer}", String::from_utf8_lossy(body));
        let mut error = answer["error"].clone();
        assert!(error["message"].is_string(), "{answer}");
        error.as_object_mut().unwrap().remove("message");
        assert_eq!(
            error,
            invalid(code, param),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    // Not UTF-8.
    let (status, answer) = post(&base, "/v1/gadgets", json, vec![b'{', 0xff, b'}']).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"]["type"], "invalid_request_error");
    assert_eq!(
        answer["error"]["message"],
        "Invalid request: the body is not valid UTF-8 JSON."
    );
    // Deeply nested JSON is an error, not a crash.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let (status, answer) = post(&base, "/v1/gadgets", json, deep.into_bytes()).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "invalid_json_body");
}

#[tokio::test]
async fn the_client_sends_json_to_the_server() {
    let (base, log) = serve().await;
    let client = Client::new(KEY).with_base_url(&base);
    let created = Gadgets::create(
        &client,
        CreateGadget::new("spanner", "widget")
            .dry_run(false)
            .quantity(2)
            .note("blue".to_owned())
            .metadata(ClearableMap::new().set("a", "1").set("b", "2")),
    )
    .await
    .expect("created");
    assert_eq!(created.name, "spanner");
    assert_eq!(created.quantity, Nullable::Value(2));
    assert_eq!(created.description, Nullable::Value("blue".to_owned()));

    let updated = Gadgets::update(
        &client,
        created.id.clone(),
        UpdateGadget::new()
            .description(Clearable::Clear)
            .metadata(ClearableMap::new().unset("a")),
    )
    .await
    .expect("updated");
    assert_eq!(updated.description, Nullable::Null);
    assert_eq!(
        updated.metadata,
        Some(BTreeMap::from([("b".to_owned(), "2".to_owned())]))
    );
    // Nothing to update: no body at all.
    let same = Gadgets::update(&client, created.id.clone(), UpdateGadget::new())
        .await
        .expect("nothing changed");
    assert_eq!(same, updated);
    let fetched = Gadgets::retrieve(&client, created.id.clone(), RetrieveGadget::new())
        .await
        .expect("retrieved");
    assert_eq!(fetched, updated);
    let order = Orders::create(
        &client,
        CreateOrder::new(
            created.id.clone(),
            vec![CreateOrderLinesItem::new(1), CreateOrderLinesItem::new(2)],
        ),
    )
    .await
    .expect("ordered");
    assert_eq!(order.lines, 2);

    // The server's answer to a bad value reaches the client as its error.
    let error = Gadgets::create(&client, CreateGadget::new("spanner", "widget").quantity(0))
        .await
        .expect_err("quantity 0 is too small");
    let error = error.api_error().expect("an API error");
    assert_eq!(error.status, 400);
    assert_eq!(error.details().param.as_deref(), Some("quantity"));

    let seen = log.lock().unwrap().clone();
    let summary: Vec<(&str, &str, Option<&str>)> = seen
        .iter()
        .map(|s| {
            (
                s.method.as_str(),
                s.path.as_str(),
                s.content_type.as_deref(),
            )
        })
        .collect();
    let gadget_path = format!("/v1/gadgets/{}", created.id);
    assert_eq!(
        summary,
        vec![
            ("POST", "/v1/gadgets", Some("application/json")),
            ("POST", gadget_path.as_str(), Some("application/json")),
            ("POST", gadget_path.as_str(), None),
            ("GET", gadget_path.as_str(), None),
            ("POST", "/v1/orders", Some("application/json")),
            ("POST", "/v1/gadgets", Some("application/json")),
        ]
    );
    assert_eq!(
        seen[0].body,
        r#"{"name":"spanner","kind":"widget","quantity":2,"note":"blue","metadata":{"a":"1","b":"2"}}"#
    );
    assert_eq!(
        seen[1].body,
        r#"{"description":null,"metadata":{"a":null}}"#
    );
    assert_eq!(seen[2].body, "");
    assert_eq!(
        seen[4].body,
        r#"{"gadget":"gad_1","lines":[{"quantity":1},{"quantity":2}]}"#
    );
}
