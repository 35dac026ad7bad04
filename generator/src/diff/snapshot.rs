//! The spec a generated crate was made from, kept beside it in normalized form
//! (JSON with sorted keys, whatever the source format or key order), so that
//! `cargo xtask codegen --check` can say not only that the crate is stale but
//! how the API drifted since: [`drift_since`] diffs that copy against the
//! current spec. Key order and formatting never show up as drift because the
//! comparison is on the lowered IR.

use serde_json::{Map, Value};

use super::{Report, diff};
use crate::error::{Error, Result};
use crate::load::{Spec, load_bytes};
use crate::lower::lower;

/// Where the normalized copy lives, relative to the generated crate's directory.
pub const FILE: &str = "openapi.json";

/// The normalized text of `spec`: pretty JSON, object keys sorted at every
/// level, ending with a newline. Equal documents give equal bytes.
pub fn normalize(spec: &Spec) -> String {
    let mut out =
        serde_json::to_string_pretty(&sorted(&spec.raw)).expect("a JSON tree always serializes");
    out.push('\n');
    out
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                out.insert(key.clone(), sorted(&map[key]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// The drift from a normalized copy (`snapshot`, named `display` in messages)
/// to the `current` spec.
pub fn drift_since(snapshot: &str, display: &str, current: &Spec) -> Result<Report> {
    // The copy is JSON whatever it is called; load it as such.
    let name = if display.ends_with(".json") {
        display.to_owned()
    } else {
        format!("{display}.json")
    };
    let old = load_bytes(snapshot.as_bytes(), &name).map_err(|e| rename(e, &name, display))?;
    let old = lower(&old)?;
    let new = lower(current)?;
    Ok(diff(&old, &new))
}

/// Errors about the copy name the file as the caller did.
fn rename(error: Error, from: &str, to: &str) -> Error {
    let fix = |file: String| if file == from { to.to_owned() } else { file };
    match error {
        Error::Syntax {
            file,
            format,
            message,
        } => Error::Syntax {
            file: fix(file),
            format,
            message,
        },
        Error::Read { file, source } => Error::Read {
            file: fix(file),
            source,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{ChangeKind, Wire};

    const OLD: &str = "openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/things:
    get:
      parameters: [{name: limit, in: query, schema: {type: integer}}]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/thing'}
components:
  schemas:
    thing: {type: object, properties: {id: {type: string}, n: {type: integer}}}
";

    fn load(yaml: &str) -> Spec {
        load_bytes(yaml.as_bytes(), "spec.yaml").expect("loads")
    }

    #[test]
    fn normalizing_ignores_key_order_and_format() {
        let reordered = OLD.replace(
            "{type: object, properties: {id: {type: string}, n: {type: integer}}}",
            "{properties: {n: {type: integer}, id: {type: string}}, type: object}",
        );
        let a = normalize(&load(OLD));
        assert_eq!(a, normalize(&load(&reordered)));
        // Normalizing is idempotent.
        let again = load_bytes(a.as_bytes(), "openapi.json").expect("loads");
        assert_eq!(a, normalize(&again));
        assert!(a.find("\"components\"") < a.find("\"info\""));
    }

    #[test]
    fn drift_since_a_snapshot_is_the_drift_of_the_specs() {
        let old = load(OLD);
        let snapshot = normalize(&old);
        let unchanged = drift_since(&snapshot, "generated/openapi.json", &old).expect("diffs");
        assert!(unchanged.is_empty(), "{:?}", unchanged.changes);

        let new = load(&OLD.replace(
            "schema: {type: integer}}]",
            "required: true, schema: {type: integer}}]",
        ));
        let report = drift_since(&snapshot, "generated/openapi.json", &new).expect("diffs");
        let kinds: Vec<(ChangeKind, &str, Wire)> = report
            .changes
            .iter()
            .map(|c| (c.kind, c.location.as_str(), c.wire))
            .collect();
        assert_eq!(
            kinds,
            [(
                ChangeKind::RequiredChanged,
                "GET /v1/things query.limit",
                Wire::Breaking
            )]
        );
    }

    #[test]
    fn a_broken_snapshot_is_named_as_given() {
        let err = drift_since("{not json", "generated/openapi", &load(OLD)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("generated/openapi: not valid JSON"),
            "{err}"
        );
    }
}
