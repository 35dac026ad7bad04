//! Serde round trips of sample JSON through the models generated from the
//! schema fixtures `tests/fixtures/models/{allof_mixed,compose,unions,nullable_everywhere,typed_enums}.yaml`,
//! run inside one crate per fixture by `tests/tests/schema_roundtrip.rs`
//! (which prefixes this file with `use <crate>::models::*;` under the
//! feature `fixture_<name>` it enables by renaming). Each test reads JSON
//! into the generated type, checks what it became, and writes it back to an
//! equal JSON value.

use serde_json::{Value, json};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: Value) -> T {
    let typed: T = serde_json::from_value(value.clone())
        .unwrap_or_else(|e| panic!("deserialize: {e}\n{value:#}"));
    let back = serde_json::to_value(&typed).expect("serialize");
    assert_eq!(back, value, "the round trip changed the JSON");
    typed
}
