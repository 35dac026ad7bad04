//! The loader on the fixtures of `tests/fixtures/load/`: a spec split over
//! nested folders is bundled into one document (schemas hoisted under stable
//! names, cycles across files closed, other objects copied in), URL `$ref`s
//! are refused unless mapped to a local path, `$ref` keys in example data are
//! left alone, integers beyond `i64` load, and the common flaws are repaired
//! with warnings that name the file and the pointer. Errors in other files
//! name that file and the pointer of the `$ref` that is wrong.

use std::path::{Path, PathBuf};

use apigen::Error;
use apigen::load::{LoadOptions, Spec, UrlMap, load_bytes, load_file, load_file_with};
use apigen::pointer::Pointer;
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/load")
        .join(name)
}

fn load(name: &str) -> Result<Spec, Error> {
    load_file(&fixture(name), &format!("load/{name}"))
}

fn at<'v>(spec: &'v Spec, pointer: &str) -> &'v Value {
    spec.raw
        .pointer(pointer)
        .unwrap_or_else(|| panic!("nothing at {pointer}"))
}

fn location(error: &Error) -> (String, String) {
    let at = error.location().expect("the error has a location");
    (at.file.clone(), at.pointer.clone())
}

#[test]
fn a_split_spec_is_bundled_with_schemas_hoisted_and_the_rest_copied_in() {
    let spec = load("split/openapi.yaml").unwrap();
    let schemas: Vec<&str> = at(&spec, "/components/schemas")
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // The root's own schemas first (`Owner` takes the file it only `$ref`s),
    // then the hoisted ones in the order they are first used; a target that
    // is only a `$ref` (legacy.yaml's `Pet`) is the file it names.
    assert_eq!(schemas, ["Error", "Owner", "Pet", "tag", "legacy_pet"]);
    let schema_ref = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    // A cycle across files (Pet -> owner.yaml -> Pet) and one inside a file.
    assert_eq!(
        at(&spec, "/components/schemas/Owner/properties/pets/items"),
        &schema_ref("Pet")
    );
    assert_eq!(
        at(&spec, "/components/schemas/Pet/properties/owner"),
        &schema_ref("Owner")
    );
    assert_eq!(
        at(&spec, "/components/schemas/Pet/properties/friends/items"),
        &schema_ref("Pet")
    );
    // nested/tag.yaml refers to `../owner.yaml`, from its own folder.
    assert_eq!(
        at(&spec, "/components/schemas/tag/properties/owner"),
        &schema_ref("Owner")
    );
    // A whole-file path item, a parameter from another folder, a whole
    // `content` map by `$ref`, and a `$ref` back into the root.
    let list = "/paths/~1pets/get";
    assert_eq!(at(&spec, &format!("{list}/parameters/0/name")), "limit");
    assert_eq!(
        at(
            &spec,
            &format!("{list}/responses/200/content/application~1json/schema/items")
        ),
        &schema_ref("Pet")
    );
    assert_eq!(
        at(&spec, &format!("{list}/responses/default")),
        &json!({"$ref": "#/components/responses/Error"})
    );
    // A path item from a fragment, with a file-local example `$ref` copied
    // in, while `$ref` keys in example values and `x-` data stay as written.
    let media = "/paths/~1pets~1{id}/get/responses/200/content/application~1json";
    assert_eq!(at(&spec, &format!("{media}/schema")), &schema_ref("Pet"));
    assert_eq!(
        at(&spec, &format!("{media}/examples/rex")),
        &json!({"value": {"name": "Rex", "$ref": "also data"}})
    );
    assert_eq!(
        at(&spec, &format!("{media}/example")),
        &json!({"$ref": "this is data, not a reference"})
    );
    assert_eq!(
        at(&spec, "/paths/~1pets~1{id}/x-notes/$ref"),
        "https://example.com/never/fetched.yaml"
    );
    assert_eq!(spec.api.paths.paths.len(), 2);
    assert!(spec.warnings.is_empty(), "{:?}", spec.warnings);
    // Messages about a piece name the file and pointer it was written at.
    let pointer = Pointer::root()
        .push("components")
        .push("schemas")
        .push("Pet")
        .push("properties")
        .push("name");
    let origin = spec.at(&pointer);
    assert_eq!(origin.file, "load/split/schemas/pet.yaml");
    assert_eq!(origin.pointer, "#/Pet/properties/name");
    let origin = spec.at(&Pointer::root().push("paths").push("/pets/{id}").push("get"));
    assert_eq!(origin.file, "load/split/paths/pets.yaml");
    assert_eq!(origin.pointer, "#/components/paths/pet/get");
    // The hash covers every file, and is the same on every load.
    assert_eq!(spec.sha256, load("split/openapi.yaml").unwrap().sha256);
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join("split-copy");
    copy_dir(&fixture("split"), &copy);
    let sha = |dir: &Path| {
        load_file(&dir.join("openapi.yaml"), "x.yaml")
            .unwrap()
            .sha256
    };
    assert_eq!(sha(&copy), spec.sha256);
    let leaf = copy.join("schemas/legacy_pet.yaml");
    let text = std::fs::read_to_string(&leaf).unwrap();
    std::fs::write(&leaf, text.replace("integer", "string")).unwrap();
    assert_ne!(sha(&copy), spec.sha256);
    // A spec given as bytes has no folder to read other files from.
    let bytes = std::fs::read(fixture("split/openapi.yaml")).unwrap();
    let err = load_bytes(&bytes, "x.yaml").unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn the_split_fixture_generates() {
    let spec = load("split/openapi.yaml").unwrap();
    let output = apigen::generate_from(
        &spec,
        &apigen::Options {
            package: "split-pets".to_owned(),
            standalone: true,
        },
    )
    .unwrap();
    let models = output
        .files
        .iter()
        .filter(|(path, _)| path.starts_with("src/models"))
        .map(|(_, text)| text.as_str())
        .collect::<String>();
    for name in [
        "pub struct Pet",
        "pub struct Owner",
        "pub struct Tag",
        "pub struct LegacyPet",
    ] {
        assert!(models.contains(name), "{name} missing");
    }
}

#[test]
fn a_url_ref_is_an_error_unless_its_prefix_is_mapped() {
    let err = load("url_ref.yaml").unwrap_err();
    assert!(matches!(err, Error::UrlRef { .. }), "{err}");
    assert_eq!(
        location(&err),
        (
            "load/url_ref.yaml".to_owned(),
            "#/paths/~1prices/get/responses/200/content/application~1json/schema/$ref".to_owned()
        )
    );
    assert!(
        err.to_string()
            .contains("https://example.com/specs/v1/common.yaml#/components/schemas/Money"),
        "{err}"
    );
    let folder: UrlMap = format!(
        "https://example.com/specs/v1={}",
        fixture("mapped").display()
    )
    .parse()
    .unwrap();
    let file: UrlMap = format!(
        "https://example.com/specs/v1/common.yaml={}",
        fixture("mapped/common.yaml").display()
    )
    .parse()
    .unwrap();
    for map in [folder, file] {
        let options = LoadOptions { map_url: vec![map] };
        let spec = load_file_with(&fixture("url_ref.yaml"), "load/url_ref.yaml", &options).unwrap();
        assert_eq!(
            at(&spec, "/components/schemas/Money/properties/currency"),
            &json!({"$ref": "#/components/schemas/Currency"})
        );
        assert_eq!(
            at(&spec, "/components/schemas/Currency"),
            &json!({"type": "string"})
        );
    }
    assert!("no-equals-sign".parse::<UrlMap>().is_err());
}

#[test]
fn refs_inside_example_values_defaults_and_extensions_are_data() {
    let spec = load("example_refs.yaml").unwrap();
    assert_eq!(at(&spec, "/x-shared/$ref"), "missing.yaml");
    assert_eq!(
        at(
            &spec,
            "/components/schemas/Thing/properties/meta/default/$ref"
        ),
        "#/nowhere"
    );
    // An `examples` entry that is itself a `$ref` is still checked.
    let broken = std::fs::read_to_string(fixture("example_refs.yaml"))
        .unwrap()
        .replace(
            "linked: {$ref: '#/components/examples/thing'}",
            "linked: {$ref: '#/components/examples/gone'}",
        );
    let err = load_bytes(broken.as_bytes(), "example_refs.yaml").unwrap_err();
    assert!(matches!(err, Error::DanglingRef { .. }), "{err}");
    assert_eq!(
        location(&err).1,
        "#/paths/~1things/get/responses/200/content/application~1json/examples/linked/$ref"
    );
}

#[test]
fn integers_beyond_i64_load_as_numbers() {
    for name in ["big_integer.yaml", "big_integer.json"] {
        let spec = load(name).unwrap();
        let counter = at(&spec, "/components/schemas/Counter");
        assert_eq!(
            counter["example"].as_f64(),
            Some(1.2345678901234568e29),
            "{name}"
        );
        assert!(counter.get("maximum").is_none() && counter.get("minimum").is_none());
        assert!(
            at(&spec, "/components/schemas/Huge/maximum")
                .as_f64()
                .unwrap()
                > 3e38
        );
        let warnings: Vec<String> = spec.warnings.iter().map(|w| w.at.pointer.clone()).collect();
        assert_eq!(
            warnings,
            [
                "#/components/schemas/Counter/minimum",
                "#/components/schemas/Counter/maximum"
            ],
            "{name}"
        );
        assert_eq!(spec.warnings[0].at.file, format!("load/{name}"));
    }
}

#[test]
fn common_flaws_are_repaired_with_warnings() {
    let spec = load("flaws.yaml").unwrap();
    let warnings: Vec<String> = spec.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "load/flaws.yaml: #/components/parameters/limit/schema/default: `default` is the string \"100\" but the type is `integer` (read as the number 100)",
            "load/flaws.yaml: #/components/schemas/Paging/properties/size/default: `default` is the string \"20 - per page\" but the type is `integer` (default dropped)",
            "load/flaws.yaml: #/components/schemas/Paging/properties/ratio/default: `default` is the string \" 0.5\" but the type is `number` (read as the number 0.5)",
            "load/flaws.yaml: #/paths/~1a~1{id}/get/operationId: operationId `Index` is used by an earlier operation too (renamed `Index_3`)",
            "load/flaws.yaml: #/paths/~1a~1{id}/post/operationId: operationId `Index` is used by an earlier operation too (renamed `Index_4`)",
            "load/flaws.yaml: #/description: `description` at the root of the document (OpenAPI puts it in `info`) (ignored)",
            "load/flaws.yaml: #/paths/~1/get/parameters/0: path parameter `path` is not a `{path}` of the path `/` (ignored)",
            "load/flaws.yaml: #/paths/~1a~1{id}/parameters/1: path parameter `other` is not a `{other}` of the path `/a/{id}` (ignored)",
        ]
    );
    assert_eq!(
        at(&spec, "/components/parameters/limit/schema/default"),
        100
    );
    assert!(
        at(&spec, "/components/schemas/Paging/properties/size")
            .get("default")
            .is_none()
    );
    assert_eq!(at(&spec, "/paths/~1a~1{id}/post/operationId"), "Index_4");
    assert_eq!(at(&spec, "/paths/~1b/get/operationId"), "Index_2");
    assert!(spec.raw.get("description").is_none());
    assert_eq!(
        at(&spec, "/paths/~1/get/parameters"),
        &json!([{"$ref": "#/components/parameters/limit"}])
    );
    assert_eq!(
        at(&spec, "/paths/~1a~1{id}/parameters")
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn errors_in_other_files_name_that_file_and_the_ref() {
    let err = load("dangling/root.yaml").unwrap_err();
    assert!(matches!(err, Error::DanglingRef { .. }), "{err}");
    assert_eq!(
        location(&err),
        (
            "load/dangling/part.yaml".to_owned(),
            "#/components/schemas/A/properties/b/$ref".to_owned()
        )
    );
    // A missing fragment of a file that exists.
    let err = load("dangling/fragment.yaml").unwrap_err();
    assert!(matches!(err, Error::DanglingRef { .. }), "{err}");
    assert_eq!(
        location(&err),
        (
            "load/dangling/fragment.yaml".to_owned(),
            "#/components/schemas/B/properties/a/$ref".to_owned()
        )
    );
    // A missing file.
    let err = load("dangling/missing_file.yaml").unwrap_err();
    assert!(matches!(err, Error::RefFile { .. }), "{err}");
    assert_eq!(
        location(&err),
        (
            "load/dangling/missing_file.yaml".to_owned(),
            "#/paths/~1x/$ref".to_owned()
        )
    );
    assert!(
        err.to_string().contains("load/dangling/nested/gone.yaml"),
        "{err}"
    );
    // Path items that `$ref` each other in a circle cannot be copied in.
    let err = load("inline_cycle/root.yaml").unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert_eq!(
        location(&err),
        ("load/inline_cycle/b.yaml".to_owned(), "#/y/$ref".to_owned())
    );
}

#[test]
fn discriminator_mappings_follow_their_targets() {
    let spec = load("mapping/root.yaml").unwrap();
    assert_eq!(
        at(&spec, "/components/schemas/animal/discriminator/mapping"),
        &json!({"dog": "#/components/schemas/animal/oneOf/0", "cat": "#/components/schemas/cat"})
    );
    assert_eq!(
        at(&spec, "/components/schemas/animal/oneOf/1"),
        &json!({"$ref": "#/components/schemas/cat"})
    );
}

/// The real specs of `../shared/specs/corpus` that need the loader's work
/// (skipped when `../shared` is not beside the workspace).
#[test]
fn corpus_specs_pass_the_loader() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/corpus");
    if !corpus.exists() {
        eprintln!("../shared not found: skipped");
        return;
    }
    let load = |name: &str, options: &LoadOptions| {
        load_file_with(&corpus.join(name), name, options).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let none = LoadOptions::default();
    // Split specs: every operation is there, every `$ref` outside data local.
    for (root, operations) in [
        ("pi-hole_ftl/main.yaml", 85),
        ("lob_lob-openapi/lob-api-public.yml", 105),
    ] {
        let spec = load(root, &none);
        assert_eq!(spec.api.operations().count(), operations, "{root}");
        assert!(!spec.origins.is_empty(), "{root}");
        let mut refs = Vec::new();
        local_refs(&spec.raw, &mut refs);
        assert!(!refs.is_empty());
        for target in refs {
            assert!(target.starts_with("#/"), "{root}: {target}");
            let pointer = Pointer::from_ref(&target).unwrap();
            assert!(
                spec.raw.pointer(pointer.json_pointer()).is_some(),
                "{root}: {target}"
            );
        }
    }
    // A remote `$ref`, mapped to the copy of its target beside it.
    let wes = "ga4gh_workflow-execution-service-schemas_wes.yaml";
    let err = load_file_with(&corpus.join(wes), wes, &none).unwrap_err();
    assert!(matches!(err, Error::UrlRef { .. }), "{err}");
    let map: UrlMap = format!(
        "https://raw.githubusercontent.com/ga4gh-discovery/ga4gh-service-info/v1.0.0/service-info.yaml={}",
        corpus
            .join("ga4gh-discovery_ga4gh-service-info_service-info.yaml")
            .display()
    )
    .parse()
    .unwrap();
    let spec = load(wes, &LoadOptions { map_url: vec![map] });
    assert_eq!(
        at(&spec, "/components/schemas/ServiceInfo/allOf/0"),
        &json!({"$ref": "#/components/schemas/Service"})
    );
    // Published flaws, repaired with warnings.
    for (name, warnings) in [
        ("temporalio_api_openapiv3.yaml", 122),
        ("sonarr_sonarr_api-v3.json", 1),
        // A string default, and a request body used as a response (copied once,
        // two `$ref`s repointed).
        ("pagerduty_api-schema_rest.json", 4),
        ("ably_open-specs_platform-v1.yaml", 1),
    ] {
        let spec = load(name, &none);
        assert_eq!(
            spec.warnings.len(),
            warnings,
            "{name}: {:#?}",
            spec.warnings
        );
    }
}

/// The `$ref` targets of a tree outside `x-` extensions and examples.
fn local_refs(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                out.push(target.clone());
            }
            for (key, value) in map {
                if !key.starts_with("x-") && key != "example" && key != "examples" {
                    local_refs(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| local_refs(item, out)),
        _ => {}
    }
}

#[test]
fn a_flaw_in_a_shared_file_is_one_warning_naming_that_file() {
    let spec = load("shared_flaw/root.yaml").unwrap();
    let warnings: Vec<String> = spec.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "load/shared_flaw/params.yaml: #/limit/schema/default: `default` is the string \"5\" but the type is `integer` (read as the number 5)"
        ]
    );
    // Both copies are repaired.
    for path in [
        "/paths/~1a/get/parameters/0/schema/default",
        "/paths/~1b/get/parameters/0/schema/default",
    ] {
        assert_eq!(at(&spec, path), 5);
    }
}

#[test]
fn a_components_map_given_by_ref_is_split_into_its_entries() {
    let spec = load("component_map/root.yaml").unwrap();
    let schemas: Vec<&str> = at(&spec, "/components/schemas")
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(schemas, ["Game", "Speed"]);
    assert_eq!(
        at(&spec, "/components/schemas/Game/properties/speed/$ref"),
        "#/components/schemas/Speed"
    );
    assert_eq!(
        at(&spec, "/components/schemas/Speed/enum"),
        &json!(["blitz", "rapid"])
    );
    apigen::lower::lower(&spec).expect("lowers");
}

#[test]
fn a_response_that_refs_a_request_body_is_repaired() {
    let yaml = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    put:
      responses:
        "200": {$ref: "#/components/requestBodies/Data"}
components:
  requestBodies:
    Data:
      description: the data
      content:
        application/json:
          schema: {type: object, properties: {v: {type: string}}}
"##;
    let spec = load_bytes(yaml.as_bytes(), "t.yaml").unwrap();
    assert_eq!(
        at(&spec, "/paths/~1a/put/responses/200/$ref"),
        "#/components/responses/Data"
    );
    assert_eq!(
        at(&spec, "/components/responses/Data/description"),
        "the data"
    );
    let pointers: Vec<&str> = spec
        .warnings
        .iter()
        .map(|w| w.at.pointer.as_str())
        .collect();
    assert_eq!(
        pointers,
        [
            "#/components/responses/Data",
            "#/paths/~1a/put/responses/200/$ref"
        ]
    );
    apigen::lower::lower(&spec).expect("lowers");
}

#[test]
fn a_requirement_naming_an_undefined_scheme_is_dropped() {
    let yaml = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
security: [{key: []}]
paths:
  /a:
    get:
      security: [{session: []}]
      responses: {"200": {description: ok}}
  /b:
    get:
      security: [{nope: []}, {key: []}]
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
"##;
    let spec = load_bytes(yaml.as_bytes(), "t.yaml").unwrap();
    assert!(spec.raw.pointer("/paths/~1a/get/security").is_none());
    assert_eq!(at(&spec, "/paths/~1b/get/security"), &json!([{"key": []}]));
    let pointers: Vec<&str> = spec
        .warnings
        .iter()
        .map(|w| w.at.pointer.as_str())
        .collect();
    assert_eq!(
        pointers,
        [
            "#/paths/~1a/get/security/0/session",
            "#/paths/~1b/get/security/0/nope"
        ]
    );
    let api = apigen::lower::lower(&spec).expect("lowers");
    assert_eq!(api.operations.len(), 2);
}
