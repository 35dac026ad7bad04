//! Fuzzing the wire decoders of the generated crate with proptest (stable
//! Rust): arbitrary bytes, and bracket-heavy form-like text, fed to
//! `promo_api::form::parse`, to every operation's `from_wire` (query and
//! body) and to `promo_api::json::parse`. None may panic; a parsed form may
//! not hold more than a small multiple of its input's bytes (no allocation
//! out of proportion to the input); keys nested past `form::MAX_DEPTH` and
//! forms of more than `form::MAX_PAIRS` pairs are a clear 400
//! (`parameter_malformed`); and an array given for a hash (`metadata[]=x`)
//! never decodes as a map.

use std::collections::BTreeMap;

use promo_api::form::{self, FormDecode, FormNode, Rule};
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, DeleteCoupon, ListCoupons, ListPromotionCodes,
    RetrieveCoupon, RetrievePromotionCode, UpdateCoupon, UpdatePromotionCode,
};
use promo_api::runtime::Params;
use proptest::prelude::*;

/// Bytes held by a parsed form: keys, values and one per node.
fn weight(node: &FormNode) -> usize {
    match node {
        FormNode::Value(v) => 1 + v.len(),
        FormNode::Object(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| k.len() + weight(v))
                .sum::<usize>()
        }
    }
}

/// Every operation's decoder, both ways round (query and body).
fn decode_everything(query: &str, body: &str) {
    fn one<P: Params>(query: &str, body: &str) {
        if let Ok(params) = P::from_wire(query, body) {
            let _ = params.validate();
        }
        if let Ok(params) = P::from_wire(body, query) {
            let _ = params.validate();
        }
    }
    one::<ListPromotionCodes>(query, body);
    one::<CreatePromotionCode>(query, body);
    one::<RetrievePromotionCode>(query, body);
    one::<UpdatePromotionCode>(query, body);
    one::<ListCoupons>(query, body);
    one::<CreateCoupon>(query, body);
    one::<RetrieveCoupon>(query, body);
    one::<UpdateCoupon>(query, body);
    one::<DeleteCoupon>(query, body);
}

fn check_form(input: &str) {
    if let Ok(node) = form::parse(input) {
        assert!(
            weight(&node) <= 4 * input.len() + 16,
            "{} bytes parsed into {}",
            input.len(),
            weight(&node)
        );
        let _ = BTreeMap::<String, String>::decode_form(&node, "");
        let _ = Vec::<String>::decode_form(&node, "");
        let _ = serde_json::Value::decode_form(&node, "");
    }
    decode_everything(input, input);
    let _ = promo_api::json::parse(input);
}

/// Form-like text: keys and values from an alphabet full of brackets,
/// separators and escapes, so the interesting paths are hit often.
fn formish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("[]".to_owned()),
        Just("=".to_owned()),
        Just("&".to_owned()),
        Just("%5B".to_owned()),
        Just("%5D".to_owned()),
        Just("%".to_owned()),
        Just("%zz".to_owned()),
        Just("%ff".to_owned()),
        Just("+".to_owned()),
        Just("0".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("metadata".to_owned()),
        Just("expand".to_owned()),
        Just("promotion".to_owned()),
        Just("coupon".to_owned()),
        Just("created".to_owned()),
        Just("restrictions".to_owned()),
        Just("currency_options".to_owned()),
        Just("percent_off".to_owned()),
        Just("true".to_owned()),
        Just("1e308".to_owned()),
        "[a-z_]{1,6}",
        "\\PC{0,4}",
    ];
    proptest::collection::vec(token, 0..64).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_form(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn form_like_text_never_panics(text in formish()) {
        check_form(&text);
    }

    #[test]
    fn json_like_text_never_panics(text in "[\\[\\]{}:,\"0-9a-z \\\\.eE+-]{0,200}") {
        let _ = promo_api::json::parse(&text);
        decode_everything("", &text);
    }

    #[test]
    fn an_array_never_decodes_as_a_hash(values in proptest::collection::vec("[a-z0-9]{0,8}", 1..8)) {
        let input: String = values.iter().map(|v| format!("metadata[]={v}&")).collect();
        let node = form::parse(&input).unwrap();
        let error = BTreeMap::<String, String>::decode_form(node.get("metadata").unwrap(), "metadata").unwrap_err();
        prop_assert_eq!(error.rule, Rule::Type("object"));
        let array = Vec::<String>::decode_form(node.get("metadata").unwrap(), "metadata").unwrap();
        prop_assert_eq!(array, values);
    }
}

#[test]
fn deep_nesting_is_a_clear_400_not_a_stack_overflow() {
    for depth in [33usize, 1_000, 100_000] {
        let input = format!("a{}=x", "[b]".repeat(depth));
        let error = form::parse(&input).unwrap_err();
        assert_eq!(error.rule, Rule::Malformed);
        assert_eq!(error.code(), "parameter_malformed");
        assert!(
            error.message.contains("nested more than"),
            "{}",
            error.message
        );
    }
    let ok = format!("a{}=x", "[b]".repeat(form::MAX_DEPTH));
    assert!(form::parse(&ok).is_ok());
    // JSON: serde_json's recursion limit gives a 400, not a crash.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(promo_api::json::parse(&deep).is_err());
    let deep = format!(
        "{{\"a\":{}1{}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    assert!(promo_api::json::parse(&deep).is_err());
}

#[test]
fn too_many_pairs_are_a_clear_400() {
    let many: String = (0..form::MAX_PAIRS + 1)
        .map(|i| format!("k{i}=v&"))
        .collect();
    let error = form::parse(&many).unwrap_err();
    assert_eq!(error.code(), "parameter_malformed");
    assert!(
        error.message.contains("more than 10000"),
        "{}",
        error.message
    );
    let just: String = (0..form::MAX_PAIRS).map(|i| format!("k[{i}]=v&")).collect();
    let node = form::parse(&just).unwrap();
    assert_eq!(
        Vec::<String>::decode_form(node.get("k").unwrap(), "k")
            .unwrap()
            .len(),
        form::MAX_PAIRS
    );
    // Appended items are indexes, also across thousands of them.
    let appended: String = (0..5000).map(|_| "e[]=v&").collect();
    let node = form::parse(&appended).unwrap();
    assert_eq!(
        Vec::<String>::decode_form(node.get("e").unwrap(), "e")
            .unwrap()
            .len(),
        5000
    );
}
