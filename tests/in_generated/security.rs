//! Security schemes end to end, run inside the crate generated from
//! `tests/fixtures/ops/security.yaml` (package `fixture-ops-security`):
//! `tests/tests/op_security.rs` writes this file into that crate as
//! `tests/security.rs`, lints it with the crate and runs it. The generated
//! client calls the generated server (behind a middleware that records the
//! credentials of each request): each operation gets exactly the credentials
//! its security asks for (API keys in a header, the query string and a
//! cookie; bearer tokens for bearer, oauth2 and openIdConnect; basic auth),
//! the server checks them (by default the API key check, or a check per
//! scheme) and answers 401 without them, and a public operation needs none.

#![cfg(all(feature = "full", feature = "server", feature = "client"))]

use std::sync::{Arc, Mutex};

use fixture_ops_security::client::Client;
use fixture_ops_security::errors::ApiError;
use fixture_ops_security::models::Who;
use fixture_ops_security::params::{
    GetBasic, GetBoth, GetCookie, GetDefault, GetEither, GetHeader, GetOauth, GetOidc, GetPublic,
    GetQuery,
};
use fixture_ops_security::routes::Guarded;
use fixture_ops_security::security::Credential;

#[derive(Clone, Default)]
struct Guard;

fn who(operation: &str) -> Result<Who, ApiError> {
    Ok(Who {
        operation: operation.to_owned(),
    })
}

impl Guarded for Guard {
    type Error = ApiError;

    async fn get_default(&self, _: GetDefault) -> Result<Who, ApiError> {
        who("default")
    }

    async fn get_public(&self, _: GetPublic) -> Result<Who, ApiError> {
        who("public")
    }

    async fn get_header(&self, _: GetHeader) -> Result<Who, ApiError> {
        who("header")
    }

    async fn get_query(&self, params: GetQuery) -> Result<Who, ApiError> {
        who(&format!("query {:?}", params.limit))
    }

    async fn get_cookie(&self, _: GetCookie) -> Result<Who, ApiError> {
        who("cookie")
    }

    async fn get_basic(&self, _: GetBasic) -> Result<Who, ApiError> {
        who("basic")
    }

    async fn get_oauth(&self, _: GetOauth) -> Result<Who, ApiError> {
        who("oauth")
    }

    async fn get_oidc(&self, _: GetOidc) -> Result<Who, ApiError> {
        who("oidc")
    }

    async fn get_both(&self, _: GetBoth) -> Result<Who, ApiError> {
        who("both")
    }

    async fn get_either(&self, _: GetEither) -> Result<Who, ApiError> {
        who("either")
    }
}

/// The credentials of a request as the server received it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Seen {
    query: String,
    authorization: Option<String>,
    api_key: Option<String>,
    cookie: Option<String>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(
    axum::extract::State(log): axum::extract::State<Log>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let seen = {
        let headers = request.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .map(|v| v.to_str().unwrap_or_default().to_owned())
        };
        Seen {
            query: request.uri().query().unwrap_or_default().to_owned(),
            authorization: header("authorization"),
            api_key: header("x-api-key"),
            cookie: header("cookie"),
        }
    };
    log.lock().unwrap().push(seen);
    next.run(request).await
}

async fn serve(server: fixture_ops_security::server::Server) -> (String, Log) {
    let log = Log::default();
    let router = server
        .into_router()
        .layer(axum::middleware::from_fn_with_state(log.clone(), record));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{address}"), log)
}

fn last(log: &Log) -> Seen {
    log.lock().unwrap().last().cloned().expect("a request")
}

/// A client with a credential for every scheme.
fn client(base: &str) -> Client {
    Client::new("sk_test_token")
        .with_base_url(base)
        .with_max_retries(0)
        .with_credential("key_header", Credential::ApiKey("sk_test_header".to_owned()))
        .with_credential("key_query", Credential::ApiKey("sk_test_query".to_owned()))
        .with_credential("key_cookie", Credential::ApiKey("sk_test_cookie".to_owned()))
        .with_credential(
            "basic",
            Credential::Basic {
                user: "sk_test_user".to_owned(),
                password: "pw".to_owned(),
            },
        )
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

#[tokio::test]
async fn each_operation_gets_the_credentials_it_asks_for() {
    let (base, log) = serve(fixture_ops_security::server::server(Guard)).await;
    let client = client(&base);

    assert_eq!(client.get_default(GetDefault::new()).await.unwrap().operation, "default");
    assert_eq!(
        last(&log),
        Seen {
            authorization: bearer("sk_test_token"),
            ..Seen::default()
        }
    );
    // oauth2 and openIdConnect tokens are bearer tokens.
    client.get_oauth(GetOauth::new()).await.unwrap();
    assert_eq!(last(&log).authorization, bearer("sk_test_token"));
    client.get_oidc(GetOidc::new()).await.unwrap();
    assert_eq!(last(&log).authorization, bearer("sk_test_token"));

    client.get_public(GetPublic::new()).await.unwrap();
    assert_eq!(last(&log), Seen::default());

    client.get_header(GetHeader::new()).await.unwrap();
    assert_eq!(
        last(&log),
        Seen {
            api_key: Some("sk_test_header".to_owned()),
            ..Seen::default()
        }
    );

    // The query key rides beside the parameters, which still decode.
    let read = client.get_query(GetQuery::new().limit(3)).await.unwrap();
    assert_eq!(read.operation, "query Some(3)");
    assert_eq!(last(&log).query, "limit=3&api_key=sk_test_query");

    client.get_cookie(GetCookie::new()).await.unwrap();
    assert_eq!(last(&log).cookie.as_deref(), Some("session=sk_test_cookie"));

    client.get_basic(GetBasic::new()).await.unwrap();
    // base64("sk_test_user:pw")
    assert_eq!(
        last(&log).authorization.as_deref(),
        Some("Basic c2tfdGVzdF91c2VyOnB3")
    );

    // Two schemes together.
    client.get_both(GetBoth::new()).await.unwrap();
    let seen = last(&log);
    assert_eq!(seen.api_key.as_deref(), Some("sk_test_header"));
    assert_eq!(seen.query, "api_key=sk_test_query");

    // Either of two: the first the client has credentials for.
    client.get_either(GetEither::new()).await.unwrap();
    assert!(last(&log).authorization.unwrap().starts_with("Basic "));
    let header_only = Client::new("")
        .with_base_url(&base)
        .with_max_retries(0)
        .with_credential("key_header", Credential::ApiKey("sk_test_header".to_owned()));
    header_only.get_either(GetEither::new()).await.unwrap();
    assert_eq!(
        last(&log),
        Seen {
            api_key: Some("sk_test_header".to_owned()),
            ..Seen::default()
        }
    );
}

#[tokio::test]
async fn missing_or_rejected_credentials_are_401s() {
    let (base, _log) = serve(fixture_ops_security::server::server(Guard)).await;
    let anonymous = Client::new("").with_base_url(&base).with_max_retries(0);
    // Public: anyone.
    assert_eq!(
        anonymous.get_public(GetPublic::new()).await.unwrap().operation,
        "public"
    );
    for status in [
        anonymous.get_default(GetDefault::new()).await.unwrap_err().status(),
        anonymous.get_header(GetHeader::new()).await.unwrap_err().status(),
        anonymous.get_query(GetQuery::new()).await.unwrap_err().status(),
        anonymous.get_cookie(GetCookie::new()).await.unwrap_err().status(),
        anonymous.get_basic(GetBasic::new()).await.unwrap_err().status(),
    ] {
        assert_eq!(status, Some(401));
    }
    // One of two schemes that must come together is not enough.
    let header_only = Client::new("")
        .with_base_url(&base)
        .with_max_retries(0)
        .with_credential("key_header", Credential::ApiKey("sk_test_header".to_owned()));
    let error = header_only.get_both(GetBoth::new()).await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    // The default check takes test keys only.
    let wrong = Client::new("live_key").with_base_url(&base).with_max_retries(0);
    let error = wrong.get_default(GetDefault::new()).await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    let body = &error.api_error().unwrap().body;
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid API Key provided"),
        "{body}"
    );
    // A raw request: the 401 is the Stripe-shaped error.
    let answer = reqwest::Client::new()
        .get(format!("{base}/v1/header"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);
    let body: serde_json::Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("key_header"),
        "{body}"
    );
}

#[tokio::test]
async fn each_scheme_can_have_its_own_check() {
    let server = fixture_ops_security::server::server(Guard)
        .check("key_header", |c: &Credential| c.secret() == "letmein")
        .check("basic", |c: &Credential| {
            *c == Credential::Basic {
                user: "ann".to_owned(),
                password: "secret".to_owned(),
            }
        });
    let (base, _log) = serve(server).await;
    let with = |scheme: &str, credential: Credential| {
        Client::new("")
            .with_base_url(&base)
            .with_max_retries(0)
            .with_credential(scheme, credential)
    };
    let good = with("key_header", Credential::ApiKey("letmein".to_owned()));
    assert_eq!(good.get_header(GetHeader::new()).await.unwrap().operation, "header");
    let bad = with("key_header", Credential::ApiKey("sk_test_header".to_owned()));
    assert_eq!(
        bad.get_header(GetHeader::new()).await.unwrap_err().status(),
        Some(401)
    );
    let ann = with(
        "basic",
        Credential::Basic {
            user: "ann".to_owned(),
            password: "secret".to_owned(),
        },
    );
    assert_eq!(ann.get_basic(GetBasic::new()).await.unwrap().operation, "basic");
    let wrong_password = with(
        "basic",
        Credential::Basic {
            user: "ann".to_owned(),
            password: "guess".to_owned(),
        },
    );
    assert_eq!(
        wrong_password.get_basic(GetBasic::new()).await.unwrap_err().status(),
        Some(401)
    );
    // Schemes without their own check still use the API key check.
    let token = Client::new("sk_test_token").with_base_url(&base).with_max_retries(0);
    assert_eq!(token.get_oauth(GetOauth::new()).await.unwrap().operation, "oauth");
}

#[test]
fn credentials_do_not_show_in_debug_output() {
    let credential = Credential::Basic {
        user: "ann".to_owned(),
        password: "secret".to_owned(),
    };
    let shown = format!("{credential:?}");
    assert!(!shown.contains("secret"), "{shown}");
    assert!(!format!("{:?}", Credential::ApiKey("k3y".to_owned())).contains("k3y"));
}
