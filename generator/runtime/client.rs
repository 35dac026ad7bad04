//! An HTTP client for the API (feature `client`): [`Client`] implements every
//! route trait, building each request from the route table and the
//! parameters' own wire encoding, so it cannot disagree with the server. It
//! sends the API key as a bearer token, the API version as `Stripe-Version`
//! and a fresh `Idempotency-Key` with every POST, sends bodies as forms or as
//! JSON (`Content-Type: application/json`) as each route says, retries
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

use crate::runtime::{Encoding, List, Method, Params, Route};

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
    /// order) and parameters, and reads the answer as `T`.
    pub async fn call<P: Params, T: serde::de::DeserializeOwned>(
        &self,
        route: &Route,
        path_args: &[String],
        params: &P,
    ) -> Result<T, ClientError> {
        self.send_with_headers(route, path_args, params.to_query(), &params.to_headers(), params.to_body()).await
    }

    /// Sends one request (retrying as configured) with already encoded path
    /// arguments (see [`path_text`]), query string and body. A form route always sends its body, empty or
    /// not, as `application/x-www-form-urlencoded`. A JSON route sends its
    /// body as `application/json`, and sends no body (nor `Content-Type`) when
    /// the body is empty: `Params::to_body` gives the empty string only when
    /// no field is set and the operation's body is optional (`{}` when it is
    /// required), so "nothing set" is no body rather than `{}`.
    pub async fn send<T: serde::de::DeserializeOwned>(
        &self,
        route: &Route,
        path_args: &[String],
        query: String,
        body: String,
    ) -> Result<T, ClientError> {
        self.send_with_headers(route, path_args, query, &[], body).await
    }

    /// [`Client::send`] with the operation's header (and `Cookie`) parameters.
    /// `path_args` are already encoded (`path_text`, `style::path`).
    pub async fn send_with_headers<T: serde::de::DeserializeOwned>(
        &self,
        route: &Route,
        path_args: &[String],
        query: String,
        headers: &[(String, String)],
        body: String,
    ) -> Result<T, ClientError> {
        let args: Vec<&str> = path_args.iter().map(String::as_str).collect();
        let mut url = format!("{}{}", self.base_url, route.fill_encoded(&args));
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
        let content_type = match route.encoding {
            Encoding::Json if body.is_empty() => None,
            Encoding::Json => Some("application/json"),
            Encoding::Form => Some("application/x-www-form-urlencoded"),
            Encoding::Query if body.is_empty() => None,
            Encoding::Query => Some("application/x-www-form-urlencoded"),
        };
        let mut attempt = 0;
        loop {
            let mut request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(&self.api_key)
                .header("Stripe-Version", &self.api_version);
            if let Some(key) = &idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            for (name, value) in headers {
                request = request.header(name.as_str(), value.as_str());
            }
            if let Some(content_type) = content_type {
                request = request.header(reqwest::header::CONTENT_TYPE, content_type).body(body.clone());
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok());
                    let should_retry = header("stripe-should-retry").map(|v| v == "true");
                    let wait = header("retry-after").and_then(retry_after);
                    match response.bytes().await {
                        Ok(bytes) => Ok((status, should_retry, wait, bytes)),
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
            let (status, _, _, bytes) = outcome.map_err(ClientError::Transport)?;
            return decode(status, &bytes);
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
            query: String,
            headers: Vec<(String, String)>,
            body: String,
            cursor: bool,
            after: Option<String>,
            items: VecDeque<T>,
            more: bool,
        }
        let state = Pages {
            client: self.clone(),
            route,
            path_args,
            query: params.to_query(),
            headers: params.to_headers(),
            body: params.to_body(),
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
                let page: Result<List<T>, ClientError> =
                    state.client.send_with_headers(&state.route, &state.path_args, query, &state.headers, state.body.clone()).await;
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
