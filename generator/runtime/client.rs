//! An HTTP client for the API (feature `client`): [`Client`] implements every
//! route trait, building each request from the route table and the
//! parameters' own wire encoding, so it cannot disagree with the server. It
//! sends the credentials each operation's security asks for (the API key
//! given to [`Client::new`] as a bearer token; other schemes' credentials
//! set with [`Client::with_credential`]), the API version as `Stripe-Version`
//! and a fresh `Idempotency-Key` with every POST, sends each body with the
//! media type its params type chose (`Params::payload`), retries
//! connection errors, 409, 429 and 5xx answers with exponential backoff or
//! after the answer's `Retry-After` (at most [`MAX_RETRY_AFTER`]), reusing
//! the idempotency key, and parses error answers into
//! [`crate::errors::ApiError`]. Every list
//! operation also gets an auto-paginating stream (`<operation>_auto`). The
//! support code is emitted verbatim by the generator; the trait
//! implementations follow it. Plain `http://` works out of the box; for
//! `https://` enable a TLS feature of `reqwest` (for example `rustls`) in your
//! own `Cargo.toml`.

use std::collections::VecDeque;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::Stream;

use crate::payload::Payload;
use crate::runtime::{List, Method, Params, Route};
use crate::security::{ApiKeyIn, Credential, Requirements, SchemeKind};

/// Why a call failed.
#[derive(Debug)]
pub enum ClientError {
    /// The API answered with an error (after any retries).
    Api(crate::errors::ApiError),
    /// The request could not be sent, or the answer could not be read.
    Transport(reqwest::Error),
    /// The API answered with a body that is not the expected JSON.
    Decode {
        status: u16,
        message: String,
        body: String,
    },
}

impl ClientError {
    /// The API's error, when it answered with one.
    pub fn api_error(&self) -> Option<&crate::errors::ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            ClientError::Transport(_) | ClientError::Decode { .. } => None,
        }
    }

    /// The HTTP status of the answer, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api(e) => Some(e.status),
            ClientError::Transport(e) => e.status().map(|s| s.as_u16()),
            ClientError::Decode { status, .. } => Some(*status),
        }
    }
}

impl From<crate::errors::ApiError> for ClientError {
    fn from(error: crate::errors::ApiError) -> Self {
        ClientError::Api(error)
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Api(e) => write!(f, "{e}"),
            ClientError::Transport(e) => write!(f, "request failed: {e}"),
            ClientError::Decode { status, message, .. } => {
                write!(f, "unexpected answer (HTTP status {status}): {message}")
            }
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Api(e) => Some(e),
            ClientError::Transport(e) => Some(e),
            ClientError::Decode { .. } => None,
        }
    }
}

/// A final answer of the API: status, headers and body.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

/// The longest wait a `Retry-After` header can ask for: a larger value waits
/// this long. The header is read as whole seconds (an HTTP date is ignored,
/// and the usual backoff applies).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The wait a `Retry-After` value asks for (whole seconds), at most
/// [`MAX_RETRY_AFTER`]; `None` when it is not a number of seconds.
pub fn retry_after(value: &str) -> Option<Duration> {
    let seconds: u64 = value.trim().parse().ok()?;
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// A client of the API. Cheap to clone (the connection pool is shared).
#[derive(Clone, Debug)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
    credentials: Vec<(String, Credential)>,
    api_version: String,
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    ids: std::sync::Arc<Ids>,
}

#[derive(Debug)]
struct Ids {
    counter: AtomicU64,
    hasher: std::collections::hash_map::RandomState,
}

impl Client {
    /// A client of [`DEFAULT_BASE_URL`] with this API key, 2 retries, and
    /// backoff from 0.5 s up to 8 s.
    pub fn new(api_key: impl Into<String>) -> Self {
        Client {
            http: reqwest::Client::new(),
            base_url: DEFAULT_BASE_URL.trim_end_matches('/').to_owned(),
            api_key: api_key.into(),
            credentials: Vec::new(),
            api_version: crate::API_VERSION.to_owned(),
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            ids: std::sync::Arc::new(Ids {
                counter: AtomicU64::new(0),
                hasher: std::collections::hash_map::RandomState::new(),
            }),
        }
    }

    /// Sends requests to `url` (`http://127.0.0.1:8080`) instead.
    pub fn with_base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_owned();
        self
    }

    /// Retries a failed request at most `retries` times (0: never).
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Waits `initial` before the first retry, doubling up to `max` (an
    /// answer's `Retry-After` takes precedence, up to [`MAX_RETRY_AFTER`]).
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Sends `credential` for the security scheme `scheme` (its key in
    /// `components/securitySchemes`) to operations that require it. Without
    /// one, bearer schemes (`http` bearer, `oauth2`, `openIdConnect`) get the
    /// API key given to [`Client::new`] as their token.
    pub fn with_credential(mut self, scheme: impl Into<String>, credential: Credential) -> Self {
        let scheme = scheme.into();
        self.credentials.retain(|(s, _)| *s != scheme);
        self.credentials.push((scheme, credential));
        self
    }

    /// The credential this client has for a scheme.
    fn credential_for(&self, key: &str) -> Option<Credential> {
        if let Some((_, c)) = self.credentials.iter().find(|(s, _)| s == key) {
            return Some(c.clone());
        }
        match crate::security::scheme(key)?.kind {
            SchemeKind::Bearer if !self.api_key.is_empty() => Some(Credential::Bearer(self.api_key.clone())),
            _ => None,
        }
    }

    /// The credentials to send for `security`: those of the first
    /// alternative this client has every credential of (nothing for a public
    /// operation; `None` security: the API key as a bearer token).
    fn credentials(&self, security: Option<Requirements>) -> Vec<(SchemeKind, Credential)> {
        let Some(security) = security else {
            return vec![(SchemeKind::Bearer, Credential::Bearer(self.api_key.clone()))];
        };
        for requirement in security {
            let found: Option<Vec<(SchemeKind, Credential)>> = requirement
                .iter()
                .map(|key| Some((crate::security::scheme(key)?.kind, self.credential_for(key)?)))
                .collect();
            if let Some(found) = found {
                return found;
            }
        }
        Vec::new()
    }

    /// Sends this `Stripe-Version` instead of [`crate::API_VERSION`].
    pub fn with_api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = version.into();
        self
    }

    /// Uses this `reqwest` client (for timeouts, proxies, TLS …).
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A fresh idempotency key (a random UUID, version 4).
    pub fn idempotency_key(&self) -> String {
        let n = self.ids.counter.fetch_add(1, Ordering::Relaxed);
        let word = |salt: u8| self.ids.hasher.hash_one((n, salt, std::time::SystemTime::now()));
        let (a, b) = (word(0), word(1));
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0x0fff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// Calls the operation of `route` with its path arguments (in the route's
    /// order) and parameters, sending the API key as a bearer token, and reads
    /// the answer as `T`.
    pub async fn call<P: Params, T: serde::de::DeserializeOwned>(
        &self,
        route: &Route,
        path_args: &[String],
        params: &P,
    ) -> Result<T, ClientError> {
        self.call_as(None, route, path_args, params).await
    }

    /// [`Client::call`] for an operation with these security requirements
    /// (`None`: the API key as a bearer token).
    pub async fn call_as<P: Params, T: serde::de::DeserializeOwned>(
        &self,
        security: Option<Requirements>,
        route: &Route,
        path_args: &[String],
        params: &P,
    ) -> Result<T, ClientError> {
        let answer = self.exchange(security, route, path_args, params.to_query(), &params.to_headers(), params.payload()).await?;
        decode(answer.status, &answer.body)
    }

    /// Sends one request (retrying as configured) with already encoded path
    /// arguments (see [`path_text`]), query string and form or JSON body, and
    /// reads the answer as `T`. A form
    /// route always sends its body, empty or not; any other route sends no
    /// body (nor `Content-Type`) when the body is empty: `Params::to_body`
    /// gives the empty string for a JSON body only when no field is set and
    /// the operation's body is optional (`{}` when it is required), so
    /// "nothing set" is no body rather than `{}`.
    pub async fn send<T: serde::de::DeserializeOwned>(
        &self,
        route: &Route,
        path_args: &[String],
        query: String,
        body: String,
    ) -> Result<T, ClientError> {
        let content_type = route.encoding.content_types().first().copied().unwrap_or("application/x-www-form-urlencoded");
        let payload = match route.encoding {
            crate::runtime::Encoding::Form => Some(Payload::new(content_type, body)),
            _ if body.is_empty() => None,
            _ => Some(Payload::new(content_type, body)),
        };
        let answer = self.exchange(None, route, path_args, query, &[], payload).await?;
        decode(answer.status, &answer.body)
    }

    /// [`Client::send`] with the operation's header (and `Cookie`) parameters.
    pub async fn send_with_headers<T: serde::de::DeserializeOwned>(
        &self,
        route: &Route,
        path_args: &[String],
        query: String,
        headers: &[(String, String)],
        body: String,
    ) -> Result<T, ClientError> {
        let content_type = route.encoding.content_types().first().copied().unwrap_or("application/x-www-form-urlencoded");
        let payload = match route.encoding {
            crate::runtime::Encoding::Form => Some(Payload::new(content_type, body)),
            _ if body.is_empty() => None,
            _ => Some(Payload::new(content_type, body)),
        };
        let answer = self.exchange(None, route, path_args, query, headers, payload).await?;
        decode(answer.status, &answer.body)
    }

    /// Sends one request (retrying as configured): the query string, the
    /// header (and `Cookie`) parameters, the body (with its content type) and
    /// the credentials `security` asks for. `path_args` are already encoded
    /// (`path_text`, `style::path`).
    /// Gives the final answer, whatever its status.
    pub async fn exchange(
        &self,
        security: Option<Requirements>,
        route: &Route,
        path_args: &[String],
        query: String,
        headers: &[(String, String)],
        payload: Option<Payload>,
    ) -> Result<Answer, ClientError> {
        let args: Vec<&str> = path_args.iter().map(String::as_str).collect();
        let mut url = format!("{}{}", self.base_url, route.fill_encoded(&args));
        let credentials = self.credentials(security);
        let mut query = query;
        for (kind, credential) in &credentials {
            if let SchemeKind::ApiKey { location: ApiKeyIn::Query, name } = kind {
                let pair = crate::form::encode(name, credential.secret());
                query = if query.is_empty() { pair } else { format!("{query}&{pair}") };
            }
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let method = match route.method {
            Method::Get => reqwest::Method::GET,
            Method::Put => reqwest::Method::PUT,
            Method::Post => reqwest::Method::POST,
            Method::Delete => reqwest::Method::DELETE,
            Method::Options => reqwest::Method::OPTIONS,
            Method::Head => reqwest::Method::HEAD,
            Method::Patch => reqwest::Method::PATCH,
            Method::Trace => reqwest::Method::TRACE,
        };
        let idempotency_key = (route.method == Method::Post).then(|| self.idempotency_key());
        let mut attempt = 0;
        loop {
            let mut request = self.http.request(method.clone(), &url).header("Stripe-Version", &self.api_version);
            let mut cookies = Vec::new();
            for (kind, credential) in &credentials {
                request = match (kind, credential) {
                    (SchemeKind::Basic, Credential::Basic { user, password }) => {
                        request.basic_auth(user, Some(password).filter(|p| !p.is_empty()))
                    }
                    (SchemeKind::ApiKey { location: ApiKeyIn::Header, name }, c) => request.header(*name, c.secret()),
                    (SchemeKind::ApiKey { location: ApiKeyIn::Cookie, name }, c) => {
                        cookies.push(format!("{name}={}", c.secret()));
                        request
                    }
                    (SchemeKind::ApiKey { location: ApiKeyIn::Query, .. }, _) => request,
                    (SchemeKind::Basic, c) => request.basic_auth(c.secret(), None::<&str>),
                    (SchemeKind::Bearer, c) => request.bearer_auth(c.secret()),
                };
            }
            if let Some(key) = &idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            for (name, value) in headers {
                if name.eq_ignore_ascii_case("cookie") {
                    cookies.push(value.clone());
                } else {
                    request = request.header(name.as_str(), value.as_str());
                }
            }
            if !cookies.is_empty() {
                request = request.header(reqwest::header::COOKIE, cookies.join("; "));
            }
            if let Some(payload) = &payload {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, payload.content_type.as_str())
                    .body(payload.bytes.clone());
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
                    let should_retry = header("stripe-should-retry").map(|v| v == "true");
                    let wait = header("retry-after").and_then(retry_after);
                    let headers = response.headers().clone();
                    match response.bytes().await {
                        Ok(bytes) => Ok((status, should_retry, wait, (headers, bytes))),
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            let retry = match &outcome {
                Ok((status, should_retry, _, _)) => {
                    should_retry.unwrap_or(*status == 409 || *status == 429 || *status >= 500)
                        && !(200..300).contains(status)
                }
                Err(e) => !e.is_builder() && !e.is_redirect(),
            };
            if retry && attempt < self.max_retries {
                // The answer's `Retry-After` (already capped), else the backoff.
                let wait = match &outcome {
                    Ok((_, _, Some(wait), _)) => *wait,
                    _ => self.backoff(attempt),
                };
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            let (status, _, _, (headers, bytes)) = outcome.map_err(ClientError::Transport)?;
            return Ok(Answer { status, headers, body: bytes.to_vec() });
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.initial_backoff.saturating_mul(1 << attempt.min(16)).min(self.max_backoff);
        // Jitter: between half and all of the delay.
        let noise = self.ids.hasher.hash_one((attempt, std::time::SystemTime::now()));
        let fraction = 0.5 + (noise % 1000) as f64 / 2000.0;
        base.mul_f64(fraction)
    }

    /// Every item of a list operation, page after page (`starting_after` the
    /// last id while `has_more`). `cursor` says whether the operation takes
    /// `starting_after`; without it only the first page is read.
    pub fn paginate<P, T>(
        &self,
        security: Option<Requirements>,
        route: Route,
        path_args: Vec<String>,
        params: &P,
        cursor: bool,
    ) -> impl Stream<Item = Result<T, ClientError>> + Send + 'static + use<P, T>
    where
        P: Params,
        T: serde::de::DeserializeOwned + serde::Serialize + Send + 'static,
    {
        struct Pages<T> {
            client: Client,
            route: Route,
            path_args: Vec<String>,
            security: Option<Requirements>,
            query: String,
            headers: Vec<(String, String)>,
            payload: Option<Payload>,
            cursor: bool,
            after: Option<String>,
            items: VecDeque<T>,
            more: bool,
        }
        let state = Pages {
            client: self.clone(),
            route,
            path_args,
            security,
            query: params.to_query(),
            headers: params.to_headers(),
            payload: params.payload(),
            cursor,
            after: None,
            items: VecDeque::new(),
            more: true,
        };
        futures_util::stream::unfold(state, |mut state| async move {
            loop {
                if let Some(item) = state.items.pop_front() {
                    return Some((Ok(item), state));
                }
                if !state.more {
                    return None;
                }
                let query = match &state.after {
                    Some(after) => with_cursor(&state.query, after),
                    None => state.query.clone(),
                };
                let page: Result<List<T>, ClientError> = match state
                    .client
                    .exchange(state.security, &state.route, &state.path_args, query, &state.headers, state.payload.clone())
                    .await
                {
                    Ok(answer) => decode(answer.status, &answer.body),
                    Err(e) => Err(e),
                };
                match page {
                    Ok(page) => {
                        let last = page.data.last().and_then(|item| {
                            serde_json::to_value(item).ok()?.get("id")?.as_str().map(str::to_owned)
                        });
                        state.more = page.has_more && state.cursor && last.is_some();
                        state.after = last;
                        state.items.extend(page.data);
                    }
                    Err(e) => {
                        state.more = false;
                        return Some((Err(e), state));
                    }
                }
            }
        })
    }
}

/// `query` with `starting_after` set to `after` (replacing any given).
fn with_cursor(query: &str, after: &str) -> String {
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some("starting_after"))
        .collect();
    let cursor = crate::form::encode("starting_after", after);
    pairs.push(&cursor);
    pairs.join("&")
}

/// A path argument as text, percent-encoded: a string as it is, other
/// values as their JSON.
pub fn path_text<T: serde::Serialize>(value: &T) -> String {
    let text = match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    };
    let mut encoded = String::new();
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The error of an answer that is not one of the operation's successes: the
/// API's error object, or a decoding error.
pub fn failure(answer: &Answer) -> ClientError {
    let text = || String::from_utf8_lossy(&answer.body).into_owned();
    if (200..300).contains(&answer.status) {
        return ClientError::Decode {
            status: answer.status,
            message: "a success status the operation does not declare".to_owned(),
            body: text(),
        };
    }
    match serde_json::from_slice(&answer.body) {
        Ok(body) => ClientError::Api(crate::errors::ApiError::from_parts(answer.status, body)),
        Err(e) => ClientError::Decode { status: answer.status, message: e.to_string(), body: text() },
    }
}

/// An answer's JSON body as `T`.
pub fn json_body<T: serde::de::DeserializeOwned>(answer: &Answer) -> Result<T, ClientError> {
    serde_json::from_slice(&answer.body).map_err(|e| ClientError::Decode {
        status: answer.status,
        message: e.to_string(),
        body: String::from_utf8_lossy(&answer.body).into_owned(),
    })
}

/// An answer's text body.
pub fn text_body(answer: &Answer) -> Result<String, ClientError> {
    String::from_utf8(answer.body.clone()).map_err(|e| ClientError::Decode {
        status: answer.status,
        message: e.to_string(),
        body: String::from_utf8_lossy(&answer.body).into_owned(),
    })
}

/// An answer's body as bytes, with its media type.
pub fn file_body(answer: &Answer) -> crate::payload::FilePart {
    crate::payload::FilePart {
        name: None,
        content_type: answer
            .headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        bytes: answer.body.clone(),
    }
}

/// A response header read as `T` (strings as they are, numbers and booleans
/// from their text); `None` when absent.
pub fn header<T: serde::de::DeserializeOwned>(answer: &Answer, name: &str) -> Result<Option<T>, ClientError> {
    let Some(value) = answer.headers.get(name) else {
        return Ok(None);
    };
    let wrong = |message: String| ClientError::Decode { status: answer.status, message, body: String::new() };
    let text = value.to_str().map_err(|e| wrong(format!("header {name}: {e}")))?;
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .or_else(|_| serde_json::from_str(text))
        .map(Some)
        .map_err(|e| wrong(format!("header {name}: {e}")))
}

/// A response header the spec requires, read as `T`.
pub fn required_header<T: serde::de::DeserializeOwned>(answer: &Answer, name: &str) -> Result<T, ClientError> {
    header(answer, name)?.ok_or_else(|| ClientError::Decode {
        status: answer.status,
        message: format!("the required header {name} is missing"),
        body: String::new(),
    })
}

/// A 2xx answer as `T`, anything else as an error.
fn decode<T: serde::de::DeserializeOwned>(status: u16, bytes: &[u8]) -> Result<T, ClientError> {
    let text = || String::from_utf8_lossy(bytes).into_owned();
    if (200..300).contains(&status) {
        return serde_json::from_slice(bytes).map_err(|e| ClientError::Decode {
            status,
            message: e.to_string(),
            body: text(),
        });
    }
    match serde_json::from_slice(bytes) {
        Ok(body) => Err(ClientError::Api(crate::errors::ApiError::from_parts(status, body))),
        Err(e) => Err(ClientError::Decode { status, message: e.to_string(), body: text() }),
    }
}
