//! The drift rules, one test per rule, each in both directions: a change
//! old -> new and the same change undone (new -> old) must give the mirrored
//! verdict. Specs are small inline YAML documents built from one template, so
//! each test shows only what it changes. Also: identical specs, and specs that
//! differ only in key order, `title`s or explicit OpenAPI defaults, report nothing.

use apigen::diff::{Bump, Change, ChangeKind, Report, Side, Wire, diff};
use apigen::ir::Api;

/// The parts of the template spec a test can change. `GET /v1/things` takes
/// the `query` parameters (a flow-style YAML list); `POST /v1/things` takes a
/// form body (`body`, a flow-style schema); both return the `thing` component.
#[derive(Clone, Copy)]
struct Spec<'a> {
    query: &'a str,
    body: &'a str,
    thing: &'a str,
    /// Extra `paths` entries, each a line indented by two spaces.
    paths: &'a str,
    /// Extra component schemas, each a line indented by four spaces.
    schemas: &'a str,
}

impl Default for Spec<'static> {
    fn default() -> Self {
        Spec {
            query: "[]",
            body: "{type: object, properties: {name: {type: string}}}",
            thing: "{type: object, properties: {id: {type: string}}, required: [id]}",
            paths: "",
            schemas: "",
        }
    }
}

const TEMPLATE: &str = "openapi: 3.0.3
info: {title: Things, version: '1'}
paths:
  /v1/things:
    get:
      operationId: GetThings
      parameters: QUERY
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/thing'}
    post:
      operationId: PostThings
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: BODY
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/thing'}
PATHS
components:
  schemas:
    thing: THING
SCHEMAS
";

impl Spec<'_> {
    fn yaml(&self) -> String {
        TEMPLATE
            .replace("QUERY", self.query)
            .replace("BODY", self.body)
            .replace("THING", self.thing)
            .replace("PATHS\n", &lines(self.paths))
            .replace("SCHEMAS\n", &lines(self.schemas))
    }

    fn api(&self, name: &str) -> Api {
        lower_yaml(&self.yaml(), name)
    }
}

fn lines(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("{text}\n")
    }
}

fn lower_yaml(yaml: &str, name: &str) -> Api {
    let spec = apigen::load::load_bytes(yaml.as_bytes(), name)
        .unwrap_or_else(|e| panic!("{name} does not load: {e}\n{yaml}"));
    apigen::lower::lower(&spec).unwrap_or_else(|e| panic!("{name} does not lower: {e}\n{yaml}"))
}

fn report(old: &Spec, new: &Spec) -> Report {
    diff(&old.api("old.yaml"), &new.api("new.yaml"))
}

fn listing(report: &Report) -> String {
    report
        .changes
        .iter()
        .map(|c| {
            format!(
                "  {:?} {:?} {} {}: {} ({})",
                c.wire, c.bump, c.location, c.kind, c.detail, c.rust
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The one change of `kind` at `location`.
fn the(report: &Report, kind: ChangeKind, location: &str) -> Change {
    let found: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| c.kind == kind && c.location == location)
        .collect();
    match found.as_slice() {
        [one] => (*one).clone(),
        _ => panic!(
            "expected one {kind} at {location}, found {}; the report:\n{}",
            found.len(),
            listing(report)
        ),
    }
}

/// Expected verdicts of one change.
struct Expect {
    kind: ChangeKind,
    location: &'static str,
    wire: Wire,
    bump: Bump,
}

/// `old -> new` gives `forward` and `new -> old` gives `backward`, and the
/// overall report verdicts agree with them.
fn both_ways(old: &Spec, new: &Spec, forward: Expect, backward: Expect) -> (Change, Change) {
    let mut out = Vec::new();
    for (a, b, e) in [(old, new, forward), (new, old, backward)] {
        let r = report(a, b);
        let c = the(&r, e.kind, e.location);
        assert_eq!(
            (c.wire, c.bump),
            (e.wire, e.bump),
            "{} at {}:\n{}",
            e.kind,
            e.location,
            listing(&r)
        );
        if e.wire == Wire::Breaking {
            assert!(r.is_breaking(), "{}", listing(&r));
        }
        assert!(r.bump >= e.bump);
        out.push(c);
    }
    let backward = out.pop().expect("two reports");
    (out.pop().expect("two reports"), backward)
}

fn expect(kind: ChangeKind, location: &'static str, wire: Wire, bump: Bump) -> Expect {
    Expect {
        kind,
        location,
        wire,
        bump,
    }
}

use Bump::{Major, Minor, Patch};
use ChangeKind as K;
use Wire::{Breaking, Compatible};

const THING_PATH: &str = "  /v1/things/{thing}: {get: {operationId: GetThing, parameters: [{name: thing, in: path, required: true, schema: {type: string}}], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/thing'}}}}}}}";

#[test]
fn operation_added_is_compatible_on_the_wire_but_major_for_implementers() {
    let old = Spec::default();
    let new = Spec {
        paths: THING_PATH,
        ..Spec::default()
    };
    let (added, removed) = both_ways(
        &old,
        &new,
        expect(
            K::OperationAdded,
            "GET /v1/things/{thing}",
            Compatible,
            Major,
        ),
        expect(
            K::OperationRemoved,
            "GET /v1/things/{thing}",
            Breaking,
            Major,
        ),
    );
    assert_eq!(added.rust.to_string(), "method Things::RetrieveThing");
    assert_eq!(
        added.new_pointer.as_deref(),
        Some("#/paths/~1v1~1things~1{thing}/get")
    );
    assert_eq!(removed.new_pointer, None);
    assert_eq!(
        removed.old_pointer.as_deref(),
        Some("#/paths/~1v1~1things~1{thing}/get")
    );
}

#[test]
fn method_or_path_changed_under_the_same_operation_id_breaks_clients() {
    let search = |path: &'static str| Spec {
        paths: path,
        ..Spec::default()
    };
    let post = search(
        "  /v1/things/search: {post: {operationId: SearchThings, responses: {'200': {description: ok}}}}",
    );
    let get = search(
        "  /v1/things/search: {get: {operationId: SearchThings, responses: {'200': {description: ok}}}}",
    );
    let moved = search(
        "  /v1/things/find: {post: {operationId: SearchThings, responses: {'200': {description: ok}}}}",
    );
    both_ways(
        &post,
        &get,
        expect(K::MethodChanged, "GET /v1/things/search", Breaking, Patch),
        expect(K::MethodChanged, "POST /v1/things/search", Breaking, Patch),
    );
    let (c, _) = both_ways(
        &post,
        &moved,
        expect(K::PathChanged, "POST /v1/things/find", Breaking, Patch),
        expect(K::PathChanged, "POST /v1/things/search", Breaking, Patch),
    );
    assert_eq!(c.detail, "/v1/things/search -> /v1/things/find");
    // Neither is reported as a removal plus an addition.
    let r = report(&post, &moved);
    assert!(
        r.changes
            .iter()
            .all(|c| c.kind != K::OperationAdded && c.kind != K::OperationRemoved),
        "{}",
        listing(&r)
    );
}

#[test]
fn a_renamed_path_parameter_changes_no_url() {
    let old = Spec {
        paths: THING_PATH,
        ..Spec::default()
    };
    let new = Spec {
        paths: "  /v1/things/{id}: {get: {operationId: GetThing, parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/thing'}}}}}}}",
        ..Spec::default()
    };
    both_ways(
        &old,
        &new,
        expect(
            K::ParameterRenamed,
            "GET /v1/things/{id} path.id",
            Compatible,
            Patch,
        ),
        expect(
            K::ParameterRenamed,
            "GET /v1/things/{thing} path.thing",
            Compatible,
            Patch,
        ),
    );
    let r = report(&old, &new);
    assert!(!r.is_breaking(), "{}", listing(&r));
}

#[test]
fn an_operation_moved_to_another_resource_moves_its_trait_method() {
    let old = Spec {
        paths: THING_PATH,
        ..Spec::default()
    };
    let new = Spec {
        paths: "  /v1/things/{thing}: {get: {operationId: GetThing, tags: [Widgets], parameters: [{name: thing, in: path, required: true, schema: {type: string}}], responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/thing'}}}}}}}",
        ..Spec::default()
    };
    let (c, _) = both_ways(
        &old,
        &new,
        expect(
            K::ResourceChanged,
            "GET /v1/things/{thing}",
            Compatible,
            Major,
        ),
        expect(
            K::ResourceChanged,
            "GET /v1/things/{thing}",
            Compatible,
            Major,
        ),
    );
    assert_eq!(c.detail, "trait Things -> Widgets");
    assert_eq!(c.rust.to_string(), "method Widgets::RetrieveThing");
}

#[test]
fn optional_request_parameter_added_is_compatible_removed_breaks() {
    let old = Spec::default();
    let new = Spec {
        query: "[{name: limit, in: query, schema: {type: integer}}]",
        ..Spec::default()
    };
    let (added, removed) = both_ways(
        &old,
        &new,
        // Compatible on the wire; a new setter of the non-exhaustive params
        // struct: minor.
        expect(
            K::ParameterAdded,
            "GET /v1/things query.limit",
            Compatible,
            Minor,
        ),
        expect(
            K::ParameterRemoved,
            "GET /v1/things query.limit",
            Breaking,
            Major,
        ),
    );
    assert_eq!(added.side, Side::Request);
    assert_eq!(added.rust.to_string(), "param ListThings::limit");
    assert_eq!(
        removed.old_pointer.as_deref(),
        Some("#/paths/~1v1~1things/get/parameters/0")
    );
}

#[test]
fn header_and_cookie_parameters_are_request_parameters() {
    let old = Spec::default();
    let new = Spec {
        query: "[{name: X-Tenant, in: header, required: true, schema: {type: string}}, {name: session, in: cookie, schema: {type: string}}]",
        ..Spec::default()
    };
    both_ways(
        &old,
        &new,
        expect(
            K::ParameterAdded,
            "GET /v1/things header.X-Tenant",
            Breaking,
            Major,
        ),
        expect(
            K::ParameterRemoved,
            "GET /v1/things header.X-Tenant",
            Breaking,
            Major,
        ),
    );
    both_ways(
        &old,
        &new,
        expect(
            K::ParameterAdded,
            "GET /v1/things cookie.session",
            Compatible,
            Minor,
        ),
        expect(
            K::ParameterRemoved,
            "GET /v1/things cookie.session",
            Breaking,
            Major,
        ),
    );
}

#[test]
fn required_request_parameter_added_breaks_clients() {
    let old = Spec::default();
    let new = Spec {
        query: "[{name: limit, in: query, required: true, schema: {type: integer}}]",
        ..Spec::default()
    };
    both_ways(
        &old,
        &new,
        expect(
            K::ParameterAdded,
            "GET /v1/things query.limit",
            Breaking,
            Major,
        ),
        expect(
            K::ParameterRemoved,
            "GET /v1/things query.limit",
            Breaking,
            Major,
        ),
    );
}

#[test]
fn body_properties_are_request_parameters() {
    let old = Spec::default();
    let optional = Spec {
        body: "{type: object, properties: {name: {type: string}, note: {type: string}}}",
        ..Spec::default()
    };
    let required = Spec {
        body: "{type: object, properties: {name: {type: string}, note: {type: string}}, required: [note]}",
        ..Spec::default()
    };
    both_ways(
        &old,
        &optional,
        expect(
            K::ParameterAdded,
            "POST /v1/things body.note",
            Compatible,
            Minor,
        ),
        expect(
            K::ParameterRemoved,
            "POST /v1/things body.note",
            Breaking,
            Major,
        ),
    );
    both_ways(
        &old,
        &required,
        expect(
            K::ParameterAdded,
            "POST /v1/things body.note",
            Breaking,
            Major,
        ),
        expect(
            K::ParameterRemoved,
            "POST /v1/things body.note",
            Breaking,
            Major,
        ),
    );
}

#[test]
fn response_property_added_is_compatible_removed_breaks() {
    let old = Spec::default();
    let new = Spec {
        thing: "{type: object, properties: {id: {type: string}, name: {type: string}}, required: [id]}",
        ..Spec::default()
    };
    let (added, removed) = both_ways(
        &old,
        &new,
        // Compatible on the wire, but a struct literal of `Thing` breaks.
        expect(K::PropertyAdded, "thing.name", Compatible, Major),
        expect(K::PropertyRemoved, "thing.name", Breaking, Major),
    );
    assert_eq!(added.side, Side::Response);
    assert_eq!(added.rust.to_string(), "field Thing::name");
    assert_eq!(
        added.new_pointer.as_deref(),
        Some("#/components/schemas/thing/properties/name")
    );
    assert_eq!(
        removed.old_pointer.as_deref(),
        Some("#/components/schemas/thing/properties/name")
    );
}

#[test]
fn response_property_added_to_a_closed_object_breaks() {
    let old = Spec {
        thing: "{type: object, additionalProperties: false, properties: {id: {type: string}}}",
        ..Spec::default()
    };
    let new = Spec {
        thing: "{type: object, additionalProperties: false, properties: {id: {type: string}, name: {type: string}}}",
        ..Spec::default()
    };
    both_ways(
        &old,
        &new,
        expect(K::PropertyAdded, "thing.name", Breaking, Major),
        expect(K::PropertyRemoved, "thing.name", Breaking, Major),
    );
}

#[test]
fn a_type_used_on_both_sides_takes_the_worse_verdict() {
    let shared = |props: &'static str| Spec {
        body: "{type: object, properties: {item: {$ref: '#/components/schemas/item'}}}",
        thing: "{type: object, properties: {item: {$ref: '#/components/schemas/item'}}}",
        schemas: props,
        ..Spec::default()
    };
    let old = shared("    item: {type: object, properties: {a: {type: string}}}");
    let new = shared(
        "    item: {type: object, properties: {a: {type: string}, b: {type: string}}, required: [b]}",
    );
    let (added, _) = both_ways(
        &old,
        &new,
        // Harmless in the response, but requests lack it.
        expect(K::PropertyAdded, "item.b", Breaking, Major),
        expect(K::PropertyRemoved, "item.b", Breaking, Major),
    );
    assert_eq!(added.side, Side::Both);
}

#[test]
fn type_changes_follow_the_direction_of_the_wire() {
    let query = |ty: &'static str| Spec {
        query: ty,
        ..Spec::default()
    };
    let int = query("[{name: n, in: query, schema: {type: integer}}]");
    let num = query("[{name: n, in: query, schema: {type: number}}]");
    // A request parameter that widens accepts everything old clients send.
    both_ways(
        &int,
        &num,
        expect(K::TypeChanged, "GET /v1/things query.n", Compatible, Major),
        expect(K::TypeChanged, "GET /v1/things query.n", Breaking, Major),
    );
    let thing = |ty: &'static str| Spec {
        thing: ty,
        ..Spec::default()
    };
    let int = thing("{type: object, properties: {n: {type: integer}}}");
    let num = thing("{type: object, properties: {n: {type: number}}}");
    let text = thing("{type: object, properties: {n: {type: string}}}");
    // A response field that widens sends what old clients cannot read.
    let (c, _) = both_ways(
        &int,
        &num,
        expect(K::TypeChanged, "thing.n", Breaking, Major),
        expect(K::TypeChanged, "thing.n", Compatible, Major),
    );
    assert_eq!(c.detail, "i64 -> f64");
    both_ways(
        &int,
        &text,
        expect(K::TypeChanged, "thing.n", Breaking, Major),
        expect(K::TypeChanged, "thing.n", Breaking, Major),
    );
}

#[test]
fn required_changes_follow_the_direction_of_the_wire() {
    let query = |required: &'static str| Spec {
        query: required,
        ..Spec::default()
    };
    let optional = query("[{name: n, in: query, schema: {type: string}}]");
    let required = query("[{name: n, in: query, required: true, schema: {type: string}}]");
    both_ways(
        &optional,
        &required,
        expect(
            K::RequiredChanged,
            "GET /v1/things query.n",
            Breaking,
            Major,
        ),
        expect(
            K::RequiredChanged,
            "GET /v1/things query.n",
            Compatible,
            Major,
        ),
    );
    let thing = |required: &'static str| Spec {
        thing: required,
        ..Spec::default()
    };
    let required = thing("{type: object, properties: {id: {type: string}}, required: [id]}");
    let optional = thing("{type: object, properties: {id: {type: string}}}");
    let (c, _) = both_ways(
        &required,
        &optional,
        expect(K::RequiredChanged, "thing.id", Breaking, Major),
        expect(K::RequiredChanged, "thing.id", Compatible, Major),
    );
    assert_eq!(c.detail, "required -> optional");
    // Required-and-nullable and optional are both `Option<T>` in Rust.
    let required_nullable =
        thing("{type: object, properties: {id: {type: string, nullable: true}}, required: [id]}");
    let r = report(&required_nullable, &optional);
    assert_eq!(the(&r, K::RequiredChanged, "thing.id").bump, Patch);
}

#[test]
fn nullable_changes_follow_the_direction_of_the_wire() {
    let thing = |ty: &'static str| Spec {
        thing: ty,
        ..Spec::default()
    };
    let plain = thing("{type: object, properties: {id: {type: string}}, required: [id]}");
    let nullable =
        thing("{type: object, properties: {id: {type: string, nullable: true}}, required: [id]}");
    both_ways(
        &plain,
        &nullable,
        expect(K::NullableChanged, "thing.id", Breaking, Major),
        expect(K::NullableChanged, "thing.id", Compatible, Major),
    );
    let body = |ty: &'static str| Spec {
        body: ty,
        ..Spec::default()
    };
    let plain = body("{type: object, properties: {name: {type: string}}}");
    let nullable = body("{type: object, properties: {name: {type: string, nullable: true}}}");
    both_ways(
        &nullable,
        &plain,
        expect(
            K::NullableChanged,
            "POST /v1/things body.name",
            Breaking,
            Major,
        ),
        expect(
            K::NullableChanged,
            "POST /v1/things body.name",
            Compatible,
            Major,
        ),
    );
}

#[test]
fn enum_values_added_are_compatible_because_enums_are_open() {
    let thing = |values: &'static str| Spec {
        thing: values,
        ..Spec::default()
    };
    let old = thing("{type: object, properties: {status: {type: string, enum: [open, closed]}}}");
    let new =
        thing("{type: object, properties: {status: {type: string, enum: [open, closed, void]}}}");
    let (added, removed) = both_ways(
        &old,
        &new,
        // Old clients read `void` as `Unknown`; exhaustive matches break.
        expect(K::EnumValueAdded, "ThingStatus", Compatible, Major),
        // The server merely stops sending it.
        expect(K::EnumValueRemoved, "ThingStatus", Compatible, Major),
    );
    assert_eq!(added.detail, "\"void\"");
    assert_eq!(added.rust.to_string(), "variant ThingStatus::Void");
    assert_eq!(removed.rust.to_string(), "variant ThingStatus::Void");

    let query = |values: &'static str| Spec {
        query: values,
        ..Spec::default()
    };
    let old = query("[{name: status, in: query, schema: {type: string, enum: [open, closed]}}]");
    let new = query("[{name: status, in: query, schema: {type: string, enum: [open]}}]");
    both_ways(
        &old,
        &new,
        expect(K::EnumValueRemoved, "ListThingsStatus", Breaking, Major),
        expect(K::EnumValueAdded, "ListThingsStatus", Compatible, Major),
    );
}

#[test]
fn format_changes_narrow_or_widen() {
    let query = |ty: &'static str| Spec {
        query: ty,
        ..Spec::default()
    };
    let plain = query("[{name: at, in: query, schema: {type: string}}]");
    let dated = query("[{name: at, in: query, schema: {type: string, format: date-time}}]");
    let (c, _) = both_ways(
        &plain,
        &dated,
        expect(K::FormatChanged, "GET /v1/things query.at", Breaking, Patch),
        expect(
            K::FormatChanged,
            "GET /v1/things query.at",
            Compatible,
            Patch,
        ),
    );
    assert_eq!(c.detail, "format none -> \"date-time\"");
    // unix-time changes the Rust type (i64 <-> Timestamp) but not the wire.
    let thing = |ty: &'static str| Spec {
        thing: ty,
        ..Spec::default()
    };
    let int = thing("{type: object, properties: {at: {type: integer}}}");
    let time = thing("{type: object, properties: {at: {type: integer, format: unix-time}}}");
    both_ways(
        &int,
        &time,
        expect(K::FormatChanged, "thing.at", Compatible, Major),
        expect(K::FormatChanged, "thing.at", Breaking, Major),
    );
    let r = report(&int, &time);
    assert!(
        r.changes.iter().all(|c| c.kind != K::TypeChanged),
        "{}",
        listing(&r)
    );
}

#[test]
fn every_constraint_tightened_on_a_request_breaks_loosened_does_not() {
    let cases: [(&str, &str, &str, &str); 8] = [
        (
            "{type: string, maxLength: 100}",
            "{type: string, maxLength: 50}",
            "maxLength 100 -> 50",
            "maxLength 50 -> 100",
        ),
        (
            "{type: string}",
            "{type: string, minLength: 2}",
            "minLength none -> 2",
            "minLength 2 -> none",
        ),
        (
            "{type: string}",
            "{type: string, pattern: '^[a-z]+$'}",
            "pattern none -> \"^[a-z]+$\"",
            "pattern \"^[a-z]+$\" -> none",
        ),
        (
            "{type: integer, minimum: 0}",
            "{type: integer, minimum: 1}",
            "minimum 0 -> 1",
            "minimum 1 -> 0",
        ),
        (
            "{type: integer, maximum: 100}",
            "{type: integer, maximum: 10}",
            "maximum 100 -> 10",
            "maximum 10 -> 100",
        ),
        (
            "{type: integer, maximum: 10}",
            "{type: integer, maximum: 10, exclusiveMaximum: true}",
            "exclusiveMaximum false -> true",
            "exclusiveMaximum true -> false",
        ),
        (
            "{type: array, items: {type: string}}",
            "{type: array, maxItems: 3, items: {type: string}}",
            "maxItems none -> 3",
            "maxItems 3 -> none",
        ),
        (
            "{type: array, items: {type: string, maxLength: 9}}",
            "{type: array, items: {type: string, maxLength: 5}}",
            "items.maxLength 9 -> 5",
            "items.maxLength 5 -> 9",
        ),
    ];
    for (loose, tight, forward, backward) in cases {
        let query = |schema: &str| format!("[{{name: q, in: query, schema: {schema}}}]");
        let (loose, tight) = (query(loose), query(tight));
        let (t, l) = both_ways(
            &Spec {
                query: &loose,
                ..Spec::default()
            },
            &Spec {
                query: &tight,
                ..Spec::default()
            },
            expect(
                K::ConstraintTightened,
                "GET /v1/things query.q",
                Breaking,
                Patch,
            ),
            expect(
                K::ConstraintLoosened,
                "GET /v1/things query.q",
                Compatible,
                Patch,
            ),
        );
        assert_eq!((t.detail.as_str(), l.detail.as_str()), (forward, backward));
    }
}

#[test]
fn constraints_on_a_response_are_the_other_way_round() {
    let thing = |ty: &'static str| Spec {
        thing: ty,
        ..Spec::default()
    };
    let loose = thing("{type: object, properties: {code: {type: string, maxLength: 100}}}");
    let tight = thing("{type: object, properties: {code: {type: string, maxLength: 10}}}");
    both_ways(
        &loose,
        &tight,
        // The server promises less: nothing an old client relies on is lost.
        expect(K::ConstraintTightened, "thing.code", Compatible, Patch),
        // The server may send longer codes than old clients were told.
        expect(K::ConstraintLoosened, "thing.code", Breaking, Patch),
    );
}

#[test]
fn a_changed_request_default_breaks_clients_that_leave_it_out() {
    let query = |ty: &'static str| Spec {
        query: ty,
        ..Spec::default()
    };
    let ten = query("[{name: limit, in: query, schema: {type: integer, default: 10}}]");
    let twenty = query("[{name: limit, in: query, schema: {type: integer, default: 20}}]");
    let (c, _) = both_ways(
        &ten,
        &twenty,
        expect(
            K::DefaultChanged,
            "GET /v1/things query.limit",
            Breaking,
            Patch,
        ),
        expect(
            K::DefaultChanged,
            "GET /v1/things query.limit",
            Breaking,
            Patch,
        ),
    );
    assert_eq!(c.detail, "10 -> 20");
    let thing = |ty: &'static str| Spec {
        thing: ty,
        ..Spec::default()
    };
    both_ways(
        &thing("{type: object, properties: {n: {type: integer, default: 1}}}"),
        &thing("{type: object, properties: {n: {type: integer, default: 2}}}"),
        expect(K::DefaultChanged, "thing.n", Compatible, Patch),
        expect(K::DefaultChanged, "thing.n", Compatible, Patch),
    );
}

#[test]
fn expandable_fields_removed_break_clients_that_expand_them() {
    let thing = |ty: &'static str| Spec {
        thing: ty,
        schemas: "    owner: {type: object, properties: {id: {type: string}}}",
        ..Spec::default()
    };
    let plain =
        thing("{type: object, properties: {owner: {type: string}}, x-expandableFields: []}");
    let expandable = thing(
        "{type: object, properties: {owner: {anyOf: [{type: string}, {$ref: '#/components/schemas/owner'}], x-expansionResources: {oneOf: [{$ref: '#/components/schemas/owner'}]}}}, x-expandableFields: [owner]}",
    );
    let (c, _) = both_ways(
        &plain,
        &expandable,
        expect(K::ExpandabilityChanged, "thing", Compatible, Patch),
        expect(K::ExpandabilityChanged, "thing", Breaking, Patch),
    );
    assert_eq!(c.detail, "owner became expandable");
    // The field's type: an id string, or the object when expanded. Old
    // clients never ask to expand, so they keep receiving the id.
    let (c, _) = both_ways(
        &plain,
        &expandable,
        expect(K::ExpandabilityChanged, "thing.owner", Compatible, Major),
        expect(K::ExpandabilityChanged, "thing.owner", Compatible, Major),
    );
    assert_eq!(c.detail, "String -> Expandable<Owner>");
    // An embedded object that becomes expandable arrives as an id by default.
    let embedded = thing(
        "{type: object, properties: {owner: {$ref: '#/components/schemas/owner'}}, x-expandableFields: [owner]}",
    );
    both_ways(
        &embedded,
        &expandable,
        expect(K::ExpandabilityChanged, "thing.owner", Breaking, Major),
        expect(K::ExpandabilityChanged, "thing.owner", Compatible, Major),
    );
}

#[test]
fn a_changed_parameter_style_breaks_requests() {
    let query = |ty: &'static str| Spec {
        query: ty,
        ..Spec::default()
    };
    let exploded = query("[{name: ids, in: query, schema: {type: array, items: {type: string}}}]");
    let joined = query(
        "[{name: ids, in: query, explode: false, schema: {type: array, items: {type: string}}}]",
    );
    both_ways(
        &exploded,
        &joined,
        expect(K::StyleChanged, "GET /v1/things query.ids", Breaking, Patch),
        expect(K::StyleChanged, "GET /v1/things query.ids", Breaking, Patch),
    );
}

#[test]
fn union_alternatives_added_to_a_response_break_old_clients() {
    let thing = |ty: &'static str| Spec {
        thing: ty,
        schemas: "    a: {type: object, properties: {x: {type: string}}}\n    b: {type: object, properties: {y: {type: integer}}}\n    c: {type: object, properties: {z: {type: boolean}}}",
        ..Spec::default()
    };
    // oneOf: an anyOf of objects one value may match together is raw JSON.
    let two = thing(
        "{type: object, properties: {v: {oneOf: [{$ref: '#/components/schemas/a'}, {$ref: '#/components/schemas/b'}]}}}",
    );
    let three = thing(
        "{type: object, properties: {v: {oneOf: [{$ref: '#/components/schemas/a'}, {$ref: '#/components/schemas/b'}, {$ref: '#/components/schemas/c'}]}}}",
    );
    let r = report(&two, &three);
    // The union is named after its alternatives, so it is a different type.
    let c = the(&r, K::TypeChanged, "thing.v");
    assert_eq!((c.wire, c.bump), (Breaking, Major), "{}", listing(&r));
    let r = report(&three, &two);
    let c = the(&r, K::TypeChanged, "thing.v");
    assert_eq!((c.wire, c.bump), (Compatible, Major), "{}", listing(&r));
}

#[test]
fn union_variants_of_a_named_union_follow_the_direction_of_the_wire() {
    let thing = |ty: &'static str| Spec {
        thing: "{type: object, properties: {v: {$ref: '#/components/schemas/value'}}}",
        schemas: ty,
        ..Spec::default()
    };
    let two = thing("    value: {anyOf: [{type: string}, {type: integer}]}");
    let three = thing("    value: {anyOf: [{type: string}, {type: integer}, {type: boolean}]}");
    let (added, _) = both_ways(
        &two,
        &three,
        expect(K::VariantAdded, "value", Breaking, Major),
        expect(K::VariantRemoved, "value", Compatible, Major),
    );
    assert_eq!(added.rust.to_string(), "variant Value::Bool");
}

#[test]
fn deprecation_is_minor_and_docs_are_patch() {
    let thing = |ty: &'static str| Spec {
        thing: ty,
        ..Spec::default()
    };
    let plain = thing("{type: object, properties: {id: {type: string, description: The id.}}}");
    let deprecated = thing(
        "{type: object, properties: {id: {type: string, description: The id., deprecated: true}}}",
    );
    let redocumented =
        thing("{type: object, properties: {id: {type: string, description: The identifier.}}}");
    both_ways(
        &plain,
        &deprecated,
        expect(K::DeprecationChanged, "thing.id", Compatible, Minor),
        expect(K::DeprecationChanged, "thing.id", Compatible, Patch),
    );
    both_ways(
        &plain,
        &redocumented,
        expect(K::DocsChanged, "thing.id", Compatible, Patch),
        expect(K::DocsChanged, "thing.id", Compatible, Patch),
    );
    let r = report(&plain, &redocumented);
    assert_eq!((r.wire, r.bump, r.changes.len()), (Compatible, Patch, 1));
}

#[test]
fn schemas_are_matched_by_component_key() {
    let old = Spec {
        schemas: "    owner: {type: object, properties: {id: {type: string}}}",
        ..Spec::default()
    };
    let new = Spec {
        schemas: "    person: {type: object, properties: {id: {type: string}}}",
        ..Spec::default()
    };
    both_ways(
        &old,
        &new,
        expect(K::SchemaAdded, "person", Compatible, Minor),
        expect(K::SchemaRemoved, "person", Compatible, Major),
    );
}

#[test]
fn response_bodies_are_compared_through_matched_types() {
    let returns = |schema: &str| {
        format!(
            "  /v1/other: {{get: {{operationId: GetOther, responses: {{'200': {{description: ok, content: {{application/json: {{schema: {schema}}}}}}}}}}}}}"
        )
    };
    let (thing, list) = (
        returns("{$ref: '#/components/schemas/thing'}"),
        returns("{type: array, items: {$ref: '#/components/schemas/thing'}}"),
    );
    let thing = Spec {
        paths: &thing,
        ..Spec::default()
    };
    let list = Spec {
        paths: &list,
        ..Spec::default()
    };
    both_ways(
        &thing,
        &list,
        expect(K::TypeChanged, "GET /v1/other response", Breaking, Major),
        expect(K::TypeChanged, "GET /v1/other response", Breaking, Major),
    );
    let r = report(&thing, &thing);
    assert!(r.is_empty(), "{}", listing(&r));
}

#[test]
fn identical_specs_report_no_change() {
    for spec in [
        Spec::default(),
        Spec {
            paths: THING_PATH,
            query: "[{name: limit, in: query, schema: {type: integer, maximum: 100}}]",
            ..Spec::default()
        },
    ] {
        let r = report(&spec, &spec);
        assert!(r.is_empty(), "{}", listing(&r));
        assert_eq!((r.wire, r.bump, r.breaking), (Compatible, Bump::None, 0));
    }
}

#[test]
fn key_order_titles_and_explicit_defaults_are_not_changes() {
    let old = Spec {
        query: "[{name: limit, in: query, schema: {type: integer, maximum: 100}}, {name: ids, in: query, schema: {type: array, items: {type: string}}}]",
        thing: "{type: object, title: Thing, properties: {id: {type: string}, n: {type: integer}}, required: [id]}",
        body: "{type: object, title: ThingParams, properties: {name: {type: string}}}",
        ..Spec::default()
    };
    let new = Spec {
        // Reordered keys, other titles, explicit `style: form` + `explode: true`.
        query: "[{in: query, name: limit, schema: {maximum: 100, type: integer}}, {name: ids, in: query, style: form, explode: true, schema: {items: {type: string}, type: array}}]",
        thing: "{required: [id], title: A Thing Renamed, properties: {n: {type: integer}, id: {type: string}}, type: object}",
        body: "{properties: {name: {type: string}}, type: object, title: Something Else}",
        ..Spec::default()
    };
    let r = report(&old, &new);
    assert!(r.is_empty(), "{}", listing(&r));
    let r = report(&new, &old);
    assert!(r.is_empty(), "{}", listing(&r));
}

#[test]
fn reports_are_sorted_and_serialize_to_json() {
    let old = Spec::default();
    let new = Spec {
        paths: THING_PATH,
        query: "[{name: limit, in: query, required: true, schema: {type: integer}}]",
        thing: "{type: object, properties: {id: {type: string}, name: {type: string}}, required: [id]}",
        ..Spec::default()
    };
    let r = report(&old, &new);
    let mut sorted = r.changes.clone();
    sorted.sort();
    assert_eq!(r.changes, sorted);
    assert_eq!(r.breaking, 1, "{}", listing(&r));
    let json: serde_json::Value =
        serde_json::from_str(&apigen::diff::render::json(&r)).expect("valid JSON");
    assert_eq!(json["wire"], "breaking");
    assert_eq!(json["bump"], "major");
    assert_eq!(
        json["changes"].as_array().map(Vec::len),
        Some(r.changes.len())
    );
    let first = &json["changes"][0];
    for key in [
        "location",
        "subject",
        "kind",
        "detail",
        "old_pointer",
        "new_pointer",
        "side",
        "wire",
        "rust",
        "bump",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
}

/// A nested params type (inline in a request body) is non-exhaustive like the
/// params struct, so a new optional field is minor; a component schema that
/// requests use is a model, built with struct literals, so it is major there.
#[test]
fn new_optional_fields_of_nested_params_are_minor_of_models_major() {
    let nested = |fields: &'static str| Spec {
        body: fields,
        ..Spec::default()
    };
    let old = nested(
        "{type: object, properties: {limits: {type: object, properties: {a: {type: integer}}}, shape: {$ref: '#/components/schemas/shape'}}}",
    );
    let new = nested(
        "{type: object, properties: {limits: {type: object, properties: {a: {type: integer}, b: {type: integer}}}, shape: {$ref: '#/components/schemas/shape'}}}",
    );
    let old = Spec {
        schemas: "    shape: {type: object, properties: {x: {type: integer}}}",
        ..old
    };
    let new = Spec {
        schemas: "    shape: {type: object, properties: {x: {type: integer}, y: {type: integer}}}",
        ..new
    };
    let r = report(&old, &new);
    let listed = listing(&r);
    let added: Vec<&Change> = r
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::PropertyAdded)
        .collect();
    assert_eq!(added.len(), 2, "{listed}");
    let nested = added
        .iter()
        .find(|c| c.location.ends_with(".b"))
        .expect(&listed);
    assert_eq!((nested.wire, nested.bump), (Compatible, Minor), "{listed}");
    let model = added
        .iter()
        .find(|c| c.location.ends_with(".y"))
        .expect(&listed);
    assert_eq!((model.wire, model.bump), (Compatible, Major), "{listed}");
}

/// A spec whose `GET /v1/things` has `security` and `responses` as given.
fn secured(security: &str, responses: &str) -> Api {
    let yaml = format!(
        "openapi: 3.0.3
info: {{title: Things, version: '1'}}
paths:
  /v1/things:
    get:
      operationId: GetThings
      security: {security}
      responses:
{responses}
components:
  securitySchemes:
    key: {{type: apiKey, in: header, name: X-Key}}
    token: {{type: http, scheme: bearer}}
"
    );
    lower_yaml(&yaml, "secured.yaml")
}

const OK: &str =
    "        '200': {description: ok, content: {application/json: {schema: {type: string}}}}";

#[test]
fn security_that_asks_for_more_breaks_callers() {
    let public = secured("[]", OK);
    let key = secured("[{key: []}]", OK);
    let key_or_token = secured("[{key: []}, {token: []}]", OK);
    let at = "GET /v1/things security";
    let change = the(&diff(&public, &key), ChangeKind::SecurityChanged, at);
    assert_eq!((change.wire, change.bump), (Wire::Breaking, Bump::Patch));
    assert_eq!(change.detail, "public -> key");
    let change = the(&diff(&key, &public), ChangeKind::SecurityChanged, at);
    assert_eq!(change.wire, Wire::Compatible);
    // Another accepted alternative breaks no one; dropping one does.
    let change = the(&diff(&key, &key_or_token), ChangeKind::SecurityChanged, at);
    assert_eq!(change.wire, Wire::Breaking, "a new requirement is listed");
    let change = the(&diff(&key_or_token, &key), ChangeKind::SecurityChanged, at);
    assert_eq!(change.wire, Wire::Compatible);
    assert!(diff(&key, &key).changes.is_empty());
}

#[test]
fn a_new_success_status_or_header_changes_the_answer() {
    let one = secured("[]", OK);
    let with_header = secured(
        "[]",
        "        '200': {description: ok, headers: {ETag: {schema: {type: string}}}, content: {application/json: {schema: {type: string}}}}",
    );
    let with_error = secured(
        "[]",
        &format!("{OK}\n        '404': {{description: missing}}"),
    );
    let at = "GET /v1/things responses";
    let change = the(&diff(&one, &with_header), ChangeKind::ResponsesChanged, at);
    assert_eq!((change.wire, change.bump), (Wire::Breaking, Bump::Major));
    let change = the(&diff(&one, &with_error), ChangeKind::ResponsesChanged, at);
    assert_eq!((change.wire, change.bump), (Wire::Compatible, Bump::Patch));
}

/// The template with `thing: {v: value}` and the given component schemas.
fn with_value(schemas: &str) -> Spec<'_> {
    Spec {
        thing: "{type: object, properties: {v: {$ref: '#/components/schemas/value'}}}",
        schemas,
        ..Spec::default()
    }
}

#[test]
fn tagged_union_variants_pair_by_tag_and_an_unknown_tag_is_kept() {
    let member = |name: &str| {
        format!(
            "    {name}: {{type: object, required: [k], properties: {{k: {{type: string}}}}}}\n"
        )
    };
    let value = |refs: &[&str]| {
        let refs: Vec<String> = refs
            .iter()
            .map(|r| format!("{{$ref: '#/components/schemas/{r}'}}"))
            .collect();
        format!(
            "    value: {{discriminator: {{propertyName: k}}, oneOf: [{}]}}\n",
            refs.join(", ")
        )
    };
    let members = format!("{}{}{}", member("a"), member("b"), member("c"));
    let two = format!("{members}{}", value(&["a", "b"]));
    let three = format!("{members}{}", value(&["a", "b", "c"]));
    let (added, _) = both_ways(
        &with_value(&two),
        &with_value(&three),
        expect(K::VariantAdded, "value", Compatible, Major),
        expect(K::VariantRemoved, "value", Compatible, Major),
    );
    assert_eq!(added.rust.to_string(), "variant Value::C");
}
