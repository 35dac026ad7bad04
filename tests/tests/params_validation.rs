//! Validation from the spec: every rule (required, maxLength, pattern, enum,
//! minimum/maximum, format, unknown parameters) is rejected with the
//! parameter named the way Stripe names it and a Stripe-like code, by the one
//! generated `validate()` (client side) and by `from_wire` (server side); and
//! the generated `ApiError` turns such an error into Stripe's error object.

use promo_api::errors::ApiError;
use promo_api::form::{Rule, ValidationError};
use promo_api::models::ApiErrorsType;
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, CreatePromotionCodePromotion,
    CreatePromotionCodeRestrictions, CreatePromotionCodeRestrictionsCurrencyOptionsValue,
    ListCoupons, ListPromotionCodes, UpdatePromotionCode,
};
use promo_api::runtime::{Params, Timestamp};

const PROMOTION: &str = "promotion[type]=coupon&promotion[coupon]=nVJYDOag";

fn create() -> CreatePromotionCode {
    CreatePromotionCode::new(CreatePromotionCodePromotion::new("coupon", "nVJYDOag"))
}

/// The parameter, code and rule of a failed validation.
fn failure(result: Result<(), ValidationError>) -> (String, &'static str, Rule) {
    let e = result.expect_err("the value breaks a rule");
    let code = e.code();
    (e.param, code, e.rule)
}

/// Decodes a create body and validates it, as a server does.
fn serve_create(body: &str) -> Result<(), ValidationError> {
    CreatePromotionCode::from_wire("", body)?.validate()
}

#[test]
fn valid_parameters_pass() {
    assert_eq!(create().validate(), Ok(()));
    let full = create()
        .code("SPRING-25")
        .max_redemptions(10)
        .expires_at(Timestamp(1678040164))
        .restrictions(
            CreatePromotionCodeRestrictions::new()
                .minimum_amount(1000)
                .minimum_amount_currency("usd"),
        );
    assert_eq!(full.validate(), Ok(()));
    assert_eq!(serve_create(&full.to_body()), Ok(()));
    assert_eq!(ListPromotionCodes::new().limit(100).validate(), Ok(()));
}

#[test]
fn max_length() {
    let long = "A".repeat(501);
    let expected = (
        "code".to_owned(),
        "parameter_invalid_string_too_long",
        Rule::MaxLength(500),
    );
    assert_eq!(failure(create().code(long.clone()).validate()), expected);
    assert_eq!(
        failure(serve_create(&format!("{PROMOTION}&code={long}"))),
        expected
    );
    assert_eq!(
        failure(CreateCoupon::new().name("n".repeat(41)).validate()),
        (
            "name".to_owned(),
            "parameter_invalid_string_too_long",
            Rule::MaxLength(40)
        )
    );
    // Characters, not bytes.
    assert_eq!(CreateCoupon::new().name("é".repeat(40)).validate(), Ok(()));
    // Items of arrays, named by index.
    let expand = vec!["ok".to_owned(), "x".repeat(5001)];
    assert_eq!(
        failure(create().expand(expand).validate()),
        (
            "expand[1]".to_owned(),
            "parameter_invalid_string_too_long",
            Rule::MaxLength(5000)
        )
    );
    // Nested objects.
    let promotion = CreatePromotionCodePromotion::new("coupon", "c".repeat(5001));
    assert_eq!(
        failure(CreatePromotionCode::new(promotion).validate()).0,
        "promotion[coupon]"
    );
}

#[test]
fn pattern() {
    let expected = (
        "code".to_owned(),
        "parameter_invalid_string_format",
        Rule::Pattern("^[a-zA-Z0-9-]*$"),
    );
    assert_eq!(failure(create().code("SPRING 25!").validate()), expected);
    assert_eq!(
        failure(serve_create(&format!("{PROMOTION}&code=SPRING%2025"))),
        expected
    );
}

#[test]
fn enum_values() {
    let promotion = CreatePromotionCodePromotion::new("gift_card", "nVJYDOag");
    assert_eq!(
        failure(CreatePromotionCode::new(promotion).validate()),
        (
            "promotion[type]".to_owned(),
            "parameter_invalid_enum",
            Rule::Enum(&["coupon"])
        )
    );
    assert_eq!(
        failure(
            CreateCoupon::from_wire("", "duration=weekly")
                .unwrap()
                .validate()
        ),
        (
            "duration".to_owned(),
            "parameter_invalid_enum",
            Rule::Enum(&["forever", "once", "repeating"])
        )
    );
}

#[test]
fn minimum_and_maximum() {
    assert_eq!(
        failure(ListPromotionCodes::new().limit(0).validate()),
        (
            "limit".to_owned(),
            "parameter_invalid_too_small",
            Rule::Minimum {
                limit: 1.0,
                exclusive: false
            }
        )
    );
    assert_eq!(
        failure(ListCoupons::from_wire("limit=101", "").unwrap().validate()),
        (
            "limit".to_owned(),
            "parameter_invalid_too_large",
            Rule::Maximum {
                limit: 100.0,
                exclusive: false
            }
        )
    );
    assert_eq!(
        failure(create().max_redemptions(0).validate()).0,
        "max_redemptions"
    );
    assert_eq!(
        failure(CreateCoupon::new().percent_off(100.5).validate()),
        (
            "percent_off".to_owned(),
            "parameter_invalid_too_large",
            Rule::Maximum {
                limit: 100.0,
                exclusive: false
            }
        )
    );
    let restrictions = CreatePromotionCodeRestrictions::new().minimum_amount(-1);
    assert_eq!(
        failure(create().restrictions(restrictions).validate()),
        (
            "restrictions[minimum_amount]".to_owned(),
            "parameter_invalid_too_small",
            Rule::Minimum {
                limit: 0.0,
                exclusive: false
            }
        )
    );
    // Inside a map of nested objects.
    let restrictions = CreatePromotionCodeRestrictions::new().currency_options(
        [(
            "eur".to_owned(),
            CreatePromotionCodeRestrictionsCurrencyOptionsValue::new().minimum_amount(-5),
        )]
        .into_iter()
        .collect::<std::collections::BTreeMap<_, _>>(),
    );
    assert_eq!(
        failure(create().restrictions(restrictions).validate()).0,
        "restrictions[currency_options][eur][minimum_amount]"
    );
    assert_eq!(
        failure(serve_create(&format!(
            "{PROMOTION}&restrictions[currency_options][usd][minimum_amount]=-1"
        )))
        .0,
        "restrictions[currency_options][usd][minimum_amount]"
    );
}

#[test]
fn currency_format() {
    let restrictions = CreatePromotionCodeRestrictions::new().minimum_amount_currency("dollars");
    assert_eq!(
        failure(create().restrictions(restrictions).validate()),
        (
            "restrictions[minimum_amount_currency]".to_owned(),
            "parameter_invalid_currency",
            Rule::Format("currency")
        )
    );
}

#[test]
fn required_parameters() {
    assert_eq!(
        failure(serve_create("")),
        ("promotion".to_owned(), "parameter_missing", Rule::Missing)
    );
    assert_eq!(
        failure(serve_create("promotion[type]=coupon")),
        (
            "promotion[coupon]".to_owned(),
            "parameter_missing",
            Rule::Missing
        )
    );
    // The empty string means "unset", which a required parameter cannot be.
    assert_eq!(
        failure(serve_create("promotion[type]=coupon&promotion[coupon]=")),
        (
            "promotion[coupon]".to_owned(),
            "parameter_invalid_empty",
            Rule::Empty
        )
    );
    assert_eq!(
        failure(serve_create("promotion[coupon]=x&promotion[type]=")),
        (
            "promotion[type]".to_owned(),
            "parameter_invalid_empty",
            Rule::Empty
        )
    );
}

#[test]
fn unknown_parameters() {
    assert_eq!(
        failure(serve_create(&format!("{PROMOTION}&coupon=nVJYDOag"))),
        ("coupon".to_owned(), "parameter_unknown", Rule::Unknown)
    );
    assert_eq!(
        failure(serve_create(&format!(
            "{PROMOTION}&restrictions[minimum_amount_currencies]=usd"
        ))),
        (
            "restrictions[minimum_amount_currencies]".to_owned(),
            "parameter_unknown",
            Rule::Unknown
        )
    );
    assert_eq!(
        failure(serve_create(&format!(
            "{PROMOTION}&promotion[percent_off]=5"
        )))
        .0,
        "promotion[percent_off]"
    );
    // Query parameters of a list are not body fields, and the reverse.
    assert_eq!(
        failure(ListPromotionCodes::from_wire("", "limit=3").map(drop)).0,
        "limit"
    );
    assert_eq!(
        failure(UpdatePromotionCode::from_wire("active=true", "").map(drop)).0,
        "active"
    );
}

#[test]
fn messages_read_like_stripe() {
    let e = serve_create(&format!("{PROMOTION}&foo=1")).unwrap_err();
    assert_eq!(e.message, "Received unknown parameter: foo");
    let e = serve_create("promotion[type]=coupon").unwrap_err();
    assert_eq!(e.message, "Missing required param: promotion[coupon].");
    assert_eq!(
        e.to_string(),
        "Missing required param: promotion[coupon]. (parameter_missing)"
    );
}

#[test]
fn validation_errors_become_invalid_request_errors() {
    let e = serve_create(&format!("{PROMOTION}&restrictions[minimum_amount]=-1")).unwrap_err();
    let api: ApiError = e.clone().into();
    assert_eq!(api.status, 400);
    let details = api.details();
    assert_eq!(details.type_, ApiErrorsType::InvalidRequestError);
    assert_eq!(
        details.param.as_deref(),
        Some("restrictions[minimum_amount]")
    );
    assert_eq!(details.code.as_deref(), Some("parameter_invalid_too_small"));
    assert_eq!(details.message.as_deref(), Some(e.message.as_str()));
    // The body is Stripe's `{"error": {...}}`.
    let json = serde_json::to_value(&api.body).unwrap();
    assert_eq!(json["error"]["type"], "invalid_request_error");
    assert_eq!(json["error"]["param"], "restrictions[minimum_amount]");

    let missing: ApiError = serve_create("").unwrap_err().into();
    assert_eq!(missing.details().code.as_deref(), Some("parameter_missing"));

    // An error about the body as a whole names no parameter.
    let whole: ApiError = ValidationError::new("", Rule::InvalidJson).into();
    assert_eq!(whole.details().param, None);
    assert_eq!(whole.details().code.as_deref(), Some("invalid_json_body"));
}

#[test]
fn error_statuses_follow_type_and_code() {
    let status = |t: &str, code: Option<&str>| ApiError::status_for(t, code);
    assert_eq!(status("invalid_request_error", None), 400);
    assert_eq!(
        status("invalid_request_error", Some("resource_missing")),
        404
    );
    assert_eq!(status("authentication_error", None), 401);
    assert_eq!(status("card_error", None), 402);
    assert_eq!(status("permission_error", None), 403);
    assert_eq!(status("idempotency_error", None), 400);
    assert_eq!(
        status("invalid_request_error", Some("idempotency_key_in_use")),
        409
    );
    assert_eq!(status("rate_limit_error", None), 429);
    assert_eq!(status("invalid_request_error", Some("rate_limit")), 429);
    assert_eq!(status("api_error", None), 500);
    let missing = ApiError::new("invalid_request_error", "No such promotion code: 'promo_x'")
        .with_code("resource_missing")
        .with_param("promotion_code");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.to_string(),
        "invalid_request_error (404): No such promotion code: 'promo_x'"
    );
    // Received error objects get their status from type and code.
    let body = serde_json::from_value(serde_json::json!({
        "error": {"type": "invalid_request_error", "code": "resource_missing", "message": "gone"}
    }))
    .unwrap();
    assert_eq!(ApiError::from_body(body).status, 404);
}

#[test]
fn params_trait_validates_too() {
    fn check<P: Params>(params: &P) -> Result<(), ValidationError> {
        params.validate()
    }
    assert!(check(&ListPromotionCodes::new().limit(1000)).is_err());
    assert!(check(&ListPromotionCodes::new().limit(10)).is_ok());
}
