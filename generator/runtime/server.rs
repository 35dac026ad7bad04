//! An axum server for the route traits (feature `server`). [`Server`] holds
//! one handler per implemented operation (the generated functions at the end
//! of this module add them, from the route table) and answers every request
//! the way Stripe does: authentication by the operation's security schemes
//! (each checked by a pluggable [`Check`]; bearer and basic by the API key
//! [`Authenticate`] by default), content negotiation (a `Content-Type` the
//! operation does not declare is a 415), parameters decoded from the query
//! string and the body (form, JSON, text, bytes or multipart, as the
//! operation says) and validated, Stripe-shaped JSON errors (a body that
//! cannot be read is a 400 too), a `Request-Id` header, a body size limit
//! (multipart bodies included) and `Idempotency-Key` replay.
//! The support code is emitted verbatim by the generator; the functions that
//! know the operations follow it.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::{BuildHasher, Hash, Hasher};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, Response, StatusCode, header};
use futures_util::FutureExt as _;

use crate::form::ValidationError;
use crate::runtime::{Method, Params, Route};
use crate::security::{ApiKeyIn, Credential, Requirements, Scheme, SchemeKind};

/// The default limit on request bodies: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
/// The default number of idempotency keys remembered.
pub const DEFAULT_IDEMPOTENCY_CAPACITY: usize = 10_000;
/// How long an idempotency key is remembered (Stripe: 24 hours).
pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Decides whether an API key may call the API.
pub trait Authenticate: Send + Sync + 'static {
    /// Whether `key` (from `Authorization: Bearer <key>` or the user of HTTP
    /// basic auth) is valid.
    fn authenticate(&self, key: &str) -> bool;
}

/// Any `Fn(&str) -> bool` is an authenticator.
impl<F: Fn(&str) -> bool + Send + Sync + 'static> Authenticate for F {
    fn authenticate(&self, key: &str) -> bool {
        self(key)
    }
}

/// The default authenticator: accepts any test secret key (`sk_test_…`).
#[derive(Clone, Copy, Debug, Default)]
pub struct TestKeys;

impl Authenticate for TestKeys {
    fn authenticate(&self, key: &str) -> bool {
        key.len() > "sk_test_".len() && key.starts_with("sk_test_")
    }
}

/// Decides whether a credential of one security scheme may call the API
/// (see [`Server::check`]).
pub trait Check: Send + Sync + 'static {
    fn check(&self, credential: &Credential) -> bool;
}

/// Any `Fn(&Credential) -> bool` is a check.
impl<F: Fn(&Credential) -> bool + Send + Sync + 'static> Check for F {
    fn check(&self, credential: &Credential) -> bool {
        self(credential)
    }
}

/// What a handler answers: an HTTP status, a body (JSON unless `headers`
/// has a `Content-Type`) and response headers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// `value` as JSON with `status`.
    pub fn json<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> Reply {
        match serde_json::to_vec(value) {
            Ok(body) => Reply { status, body, headers: Vec::new() },
            Err(e) => api_error(format!("The response could not be serialized: {e}")),
        }
    }

    /// No body (and no `Content-Type`).
    pub fn empty(status: u16) -> Reply {
        Reply { status, body: Vec::new(), headers: Vec::new() }
    }

    /// A body of `content_type`.
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply { status, body, headers: vec![("content-type".to_owned(), content_type.to_owned())] }
    }

    /// A file: its bytes, with its own media type or else `content_type`.
    pub fn file(status: u16, content_type: &str, file: crate::payload::FilePart) -> Reply {
        let media = file.content_type.unwrap_or_else(|| content_type.to_owned());
        Reply::bytes(status, &media, file.bytes)
    }

    /// Adds a response header: a string as it is, other values as their JSON text.
    pub fn header<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let text = match serde_json::to_value(value) {
            Ok(serde_json::Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(_) => return,
        };
        self.headers.push((name.to_owned(), text));
    }
}

/// The reply for the result of a route trait method: the value as JSON
/// (200), or the error converted to [`crate::errors::ApiError`] with its status.
pub fn reply<T: serde::Serialize, E: Into<crate::errors::ApiError>>(result: Result<T, E>) -> Reply {
    match result {
        Ok(value) => match serde_json::to_vec(&value) {
            Ok(body) => Reply { status: 200, body, headers: Vec::new() },
            Err(e) => api_error(format!("The response could not be serialized: {e}")),
        },
        Err(error) => {
            let error: crate::errors::ApiError = error.into();
            match serde_json::to_vec(&*error.body) {
                Ok(body) => Reply { status: error.status, body, headers: Vec::new() },
                Err(e) => api_error(format!("The error could not be serialized: {e}")),
            }
        }
    }
}

/// A Stripe-shaped error body: `{"error": {"type": …, "code": …, "param": …, "message": …}}`.
pub fn error_reply(status: u16, type_: &str, code: Option<&str>, param: Option<&str>, message: &str) -> Reply {
    let mut error = serde_json::Map::new();
    error.insert("type".to_owned(), type_.into());
    if let Some(code) = code {
        error.insert("code".to_owned(), code.into());
    }
    if let Some(param) = param {
        error.insert("param".to_owned(), param.into());
    }
    error.insert("message".to_owned(), message.into());
    let mut body = serde_json::Map::new();
    body.insert("error".to_owned(), serde_json::Value::Object(error));
    Reply { status, body: serde_json::Value::Object(body).to_string().into_bytes(), headers: Vec::new() }
}

/// A 500 `api_error`.
pub fn api_error(message: String) -> Reply {
    error_reply(500, "api_error", None, None, &message)
}

/// A 400 `invalid_request_error` for a parameter, with its code (and no
/// `param` when the error is about the whole body, such as malformed JSON).
pub fn validation_reply(error: &ValidationError) -> Reply {
    let param = Some(error.param.as_str()).filter(|p| !p.is_empty());
    error_reply(400, "invalid_request_error", Some(error.code()), param, &error.message)
}

/// One request as a handler sees it: the path parameters (percent-decoded, in
/// the route's order, and as sent), the raw query string (without the API
/// keys of the operation's security schemes), the headers (names in lower
/// case), the body's `Content-Type` and the raw body.
#[derive(Clone, Debug)]
pub struct Call {
    pub path_params: Vec<String>,
    pub raw_path_params: Vec<String>,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Call {
    /// The operation's parameters, decoded and validated.
    pub fn params<P: Params>(&self) -> Result<P, ValidationError> {
        let params = P::from_payload(&self.query, &self.headers, self.content_type.as_deref(), &self.body)?;
        params.validate()?;
        Ok(params)
    }

    /// Path parameter `index` (named `name`), read as its declared type:
    /// strings as they are, numbers and booleans from their text. `kind` names
    /// the type in errors (`"integer"`).
    pub fn path<T: serde::de::DeserializeOwned>(&self, index: usize, name: &str, kind: &'static str) -> Result<T, ValidationError> {
        let raw = self.path_params.get(index).map(String::as_str).unwrap_or_default();
        let wrong = || ValidationError::new(name, crate::form::Rule::Type(kind));
        serde_json::from_value(serde_json::Value::String(raw.to_owned()))
            .or_else(|_| serde_json::from_str(raw))
            .map_err(|_| wrong())
    }

    /// Path parameter `index`, written in the style `wire` says (`label`,
    /// `matrix`, or a `simple` array or object), read as its declared type.
    /// A segment that does not parse is a 400 naming the parameter.
    pub fn path_styled<T: crate::form::FormDecode>(&self, index: usize, wire: &crate::style::Wire) -> Result<T, ValidationError> {
        let raw = self.raw_path_params.get(index).map(String::as_str).unwrap_or_default();
        let node = crate::style::path_node(raw, wire)?;
        crate::style::decode(&node, wire.name)
    }
}

/// A handler's answer: `Err` when the request was rejected before the operation ran.
type BoxFuture = Pin<Box<dyn Future<Output = Result<Reply, Reply>> + Send>>;
type Handler = Arc<dyn Fn(Call) -> BoxFuture + Send + Sync>;

/// One operation a server answers: its route, the media types its body may
/// have, who may call it (`None`: an API key, by bearer or basic auth) and
/// its handler.
#[derive(Clone)]
struct Operation {
    route: Route,
    accepts: &'static [&'static str],
    security: Option<Requirements>,
    handler: Handler,
}

/// A configurable set of operation handlers; [`Server::into_router`] makes an
/// [`axum::Router`] of it. The generated `router`, `server` and
/// `<resource>_routes` functions below build one from route trait implementations.
#[derive(Clone)]
pub struct Server {
    handlers: Vec<Operation>,
    auth: Arc<dyn Authenticate>,
    checks: Vec<(&'static str, Arc<dyn Check>)>,
    body_limit: usize,
    idempotency_capacity: usize,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            handlers: Vec::new(),
            auth: Arc::new(TestKeys),
            checks: Vec::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            idempotency_capacity: DEFAULT_IDEMPOTENCY_CAPACITY,
        }
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("routes", &self.handlers.iter().map(|e| e.route.operation).collect::<Vec<_>>())
            .field("body_limit", &self.body_limit)
            .field("idempotency_capacity", &self.idempotency_capacity)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// No operations, test keys accepted, a 1 MiB body limit.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the handler of one operation (replacing one for the same route),
    /// accepting the media types of its encoding, for any API key.
    pub fn route<F, Fut>(self, route: Route, handler: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, ValidationError>> + Send + 'static,
    {
        self.add(route, route.encoding.content_types(), None, handler)
    }

    /// Adds the handler of the operation of `P` (replacing one for the same
    /// route), accepting the media types of `P::CONTENT_TYPES`, for callers
    /// that meet one of `security` (scheme keys of
    /// `crate::routes::SECURITY_SCHEMES`; an empty requirement or none at
    /// all: anyone).
    pub fn operation<P, F, Fut>(self, security: Requirements, handler: F) -> Self
    where
        P: Params,
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, ValidationError>> + Send + 'static,
    {
        self.add(P::ROUTE, P::CONTENT_TYPES, Some(security), handler)
    }

    fn add<F, Fut>(mut self, route: Route, accepts: &'static [&'static str], security: Option<Requirements>, handler: F) -> Self
    where
        F: Fn(Call) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, ValidationError>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |call| {
            let future = handler(call);
            Box::pin(async move { future.await.map_err(|e| validation_reply(&e)) })
        });
        self.handlers.retain(|e| e.route != route);
        self.handlers.push(Operation { route, accepts, security, handler });
        self
    }

    /// Adds every operation of `other` (its settings are ignored).
    pub fn merge(mut self, other: Server) -> Self {
        for entry in other.handlers {
            self.handlers.retain(|e| e.route != entry.route);
            self.handlers.push(entry);
        }
        self
    }

    /// Checks the credentials of the security scheme `scheme` (its key in
    /// `components/securitySchemes`) with `check`. Without one, a scheme's
    /// credential is checked by the API key [`Authenticate`] ([`Server::auth`]):
    /// the bearer token, the basic user, or the API key.
    pub fn check(mut self, scheme: &'static str, check: impl Check) -> Self {
        self.checks.retain(|(s, _)| *s != scheme);
        self.checks.push((scheme, Arc::new(check)));
        self
    }

    /// Checks API keys with `auth` instead of accepting every `sk_test_…` key.
    pub fn auth(mut self, auth: impl Authenticate) -> Self {
        self.auth = Arc::new(auth);
        self
    }

    /// Rejects bodies over `bytes` with 413 (default 1 MiB).
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Remembers at most `keys` idempotency keys (the oldest are forgotten first).
    pub fn idempotency_capacity(mut self, keys: usize) -> Self {
        self.idempotency_capacity = keys;
        self
    }

    /// The routes this server answers.
    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        self.handlers.iter().map(|e| &e.route)
    }

    /// The axum router: every request goes through one handler that routes by the table.
    pub fn into_router(self) -> axum::Router {
        let state = Arc::new(State {
            idempotency: Mutex::new(Idempotency::new(self.idempotency_capacity)),
            server: self,
            ids: RequestIds::new(),
        });
        axum::Router::new().fallback(move |request: Request<Body>| {
            let state = Arc::clone(&state);
            async move { state.handle(request).await }
        })
    }
}

struct State {
    server: Server,
    idempotency: Mutex<Idempotency>,
    ids: RequestIds,
}

/// Unique, unguessable request ids: `req_` and 14 letters and digits.
struct RequestIds {
    counter: AtomicU64,
    hasher: std::collections::hash_map::RandomState,
}

impl RequestIds {
    fn new() -> Self {
        RequestIds { counter: AtomicU64::new(0), hasher: std::collections::hash_map::RandomState::new() }
    }

    fn next(&self) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let mut id = String::from("req_");
        for salt in 0..2u8 {
            let mut bits = self.hasher.hash_one((n, salt));
            for _ in 0..7 {
                id.push(char::from(ALPHABET[(bits % 62) as usize]));
                bits /= 62;
            }
        }
        id
    }
}

fn method_of(method: &axum::http::Method) -> Option<Method> {
    Some(match method.as_str() {
        "GET" => Method::Get,
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        "OPTIONS" => Method::Options,
        "HEAD" => Method::Head,
        "PATCH" => Method::Patch,
        "TRACE" => Method::Trace,
        _ => return None,
    })
}

/// The API key of a request: `Authorization: Bearer <key>`, or HTTP basic with the key as the user.
pub fn api_key(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.to_owned()).filter(|k| !k.is_empty());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64_decode(rest)?;
        let decoded = String::from_utf8(decoded).ok()?;
        let user = decoded.split_once(':').map_or(decoded.as_str(), |(u, _)| u);
        return Some(user.to_owned()).filter(|k| !k.is_empty());
    }
    None
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes().filter(|&b| b != b'=') {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The credential of `scheme` a request carries, if any: from the
/// `Authorization` header (bearer, basic), or the API key's header, query
/// parameter or cookie.
pub fn credential(scheme: &Scheme, headers: &HeaderMap, query: &str) -> Option<Credential> {
    let authorization = || {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
        let (kind, rest) = value.split_once(' ')?;
        Some((kind.to_owned(), rest.trim().to_owned()))
    };
    match scheme.kind {
        SchemeKind::Bearer => {
            let (kind, token) = authorization()?;
            (kind.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(Credential::Bearer(token))
        }
        SchemeKind::Basic => {
            let (kind, encoded) = authorization()?;
            if !kind.eq_ignore_ascii_case("basic") {
                return None;
            }
            let decoded = String::from_utf8(base64_decode(&encoded)?).ok()?;
            let (user, password) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
            (!user.is_empty()).then(|| Credential::Basic { user: user.to_owned(), password: password.to_owned() })
        }
        SchemeKind::ApiKey { location: ApiKeyIn::Header, name } => {
            let value = headers.get(name)?.to_str().ok()?.trim();
            (!value.is_empty()).then(|| Credential::ApiKey(value.to_owned()))
        }
        SchemeKind::ApiKey { location: ApiKeyIn::Query, name } => query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| crate::form::decode_path_segment(k).as_deref() == Some(name))
            .and_then(|(_, v)| crate::form::decode_path_segment(&v.replace('+', " ")))
            .filter(|v| !v.is_empty())
            .map(Credential::ApiKey),
        SchemeKind::ApiKey { location: ApiKeyIn::Cookie, name } => headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.trim_matches('"').to_owned())
            .filter(|v| !v.is_empty())
            .map(Credential::ApiKey),
    }
}

/// `query` without the API keys that `security` reads from the query string
/// (they are credentials, not parameters of the operation).
fn without_api_keys(query: &str, security: Option<Requirements>) -> String {
    let names: Vec<&str> = security
        .unwrap_or_default()
        .iter()
        .flat_map(|r| r.iter())
        .filter_map(|key| match crate::security::scheme(key)?.kind {
            SchemeKind::ApiKey { location: ApiKeyIn::Query, name } => Some(name),
            _ => None,
        })
        .collect();
    if names.is_empty() {
        return query.to_owned();
    }
    query
        .split('&')
        .filter(|pair| {
            let key = pair.split_once('=').map_or(*pair, |(k, _)| k);
            !crate::form::decode_path_segment(key).is_some_and(|k| names.contains(&k.as_str()))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// `sk_test_****1234`, as Stripe shows a key in messages.
fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return key.to_owned();
    }
    let prefix: String = match key.find('_').and_then(|i| key[i + 1..].find('_').map(|j| i + j + 2)) {
        Some(end) if end < key.len() - 4 => key[..end].to_owned(),
        _ => String::new(),
    };
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}****{tail}")
}

impl State {
    async fn handle(&self, request: Request<Body>) -> Response<Body> {
        let request_id = self.ids.next();
        let mut replayed = false;
        let mut allow = None;
        let reply = self.answer(request, &mut replayed, &mut allow).await;
        let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let typed = reply.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        let json = !typed && !reply.body.is_empty();
        let mut response = Response::new(Body::from(reply.body));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        if json {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, value) in &reply.headers {
            if let (Ok(name), Ok(value)) =
                (axum::http::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value))
            {
                headers.append(name, value);
            }
        }
        if let Ok(id) = HeaderValue::from_str(&request_id) {
            headers.insert("request-id", id);
        }
        if let Ok(version) = HeaderValue::from_str(crate::API_VERSION) {
            headers.insert("stripe-version", version);
        }
        if replayed {
            headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        if let Some(allow) = allow.and_then(|a: String| HeaderValue::from_str(&a).ok()) {
            headers.insert(header::ALLOW, allow);
        }
        response
    }

    async fn answer(&self, request: Request<Body>, replayed: &mut bool, allow: &mut Option<String>) -> Reply {
        let (parts, body) = request.into_parts();
        if let Some(reply) = check_head(&parts) {
            return reply;
        }
        let path = parts.uri.path();
        let query = parts.uri.query().unwrap_or_default().to_owned();
        // When every operation asks for the same credentials, they are checked
        // before routing (an unknown URL without them is a 401, as with Stripe).
        let uniform = self.uniform_security();
        let mut key = String::new();
        if let Some(security) = uniform {
            match self.authorize(security, &parts.headers, &query) {
                Ok(k) => key = k,
                Err(reply) => return reply,
            }
        }
        let unrecognized = || {
            error_reply(
                404,
                "invalid_request_error",
                None,
                None,
                &format!(
                    "Unrecognized request URL ({}: {}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                    parts.method, path
                ),
            )
        };
        // The matching routes, the most specific (fewest parameters) first.
        let mut matches: Vec<(&Operation, Vec<String>)> = self
            .server
            .handlers
            .iter()
            .filter_map(|entry| entry.route.match_path(path).map(|args| (entry, args)))
            .collect();
        matches.sort_by_key(|(entry, _)| entry.route.path_params.len());
        let method = method_of(&parts.method);
        let Some((entry, path_params)) = matches.iter().find(|(e, _)| Some(e.route.method) == method) else {
            if matches.is_empty() {
                return unrecognized();
            }
            let mut methods: Vec<&str> = matches.iter().map(|(e, _)| e.route.method.as_str()).collect();
            methods.dedup();
            *allow = Some(methods.join(", "));
            return error_reply(
                405,
                "invalid_request_error",
                None,
                None,
                &format!(
                    "Unrecognized request URL ({}: {}). This URL only accepts {}. Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                    parts.method,
                    path,
                    methods.join(", ")
                ),
            );
        };
        let route = &entry.route;
        let handler = &entry.handler;
        if uniform.is_none() {
            match self.authorize(entry.security, &parts.headers, &query) {
                Ok(k) => key = k,
                Err(reply) => return reply,
            }
        }
        let query = without_api_keys(&query, entry.security);
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let Some(given) = &content_type
            && !entry.accepts.is_empty()
            && !crate::payload::accepts(entry.accepts, given)
        {
            return error_reply(
                415,
                "invalid_request_error",
                None,
                None,
                &format!(
                    "Invalid Content-Type: {} ({}: {}) accepts {}, not {}.",
                    route.operation,
                    parts.method,
                    path,
                    entry.accepts.join(", "),
                    crate::payload::essence(given)
                ),
            );
        }
        let too_large = || {
            error_reply(
                413,
                "invalid_request_error",
                Some("request_too_large"),
                None,
                &format!("The request body is too large: the limit is {} bytes.", self.server.body_limit),
            )
        };
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let bytes = match read_body(body, self.server.body_limit, declared).await {
            Some(bytes) => bytes,
            None => return too_large(),
        };
        if route.encoding.is_text() && std::str::from_utf8(&bytes).is_err() {
            let format = match route.encoding {
                crate::runtime::Encoding::Json => "JSON",
                crate::runtime::Encoding::Text => "text",
                _ => "application/x-www-form-urlencoded data",
            };
            return error_reply(
                400,
                "invalid_request_error",
                None,
                None,
                &format!("Invalid request: the body is not valid UTF-8 {format}."),
            );
        }
        let raw_path_params = route.match_path_raw(path).unwrap_or_default();
        let headers = parts
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned())))
            .collect();
        let call = Call { path_params: path_params.clone(), raw_path_params, query, headers, content_type, body: bytes.to_vec() };
        let idempotency_key = parts
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .filter(|k| !k.is_empty());
        let Some(idempotency_key) = idempotency_key.filter(|_| route.method == Method::Post) else {
            return run(handler, call).await.unwrap_or_else(|rejected| rejected);
        };
        if idempotency_key.len() > 255 {
            return error_reply(
                400,
                "invalid_request_error",
                None,
                Some("Idempotency-Key"),
                "Invalid Idempotency-Key: it must be at most 255 characters long.",
            );
        }
        let cache_key = (key, idempotency_key.clone());
        let fingerprint = fingerprint(parts.method.as_str(), path, &call);
        let lookup = self.lock().begin(&cache_key, fingerprint);
        match lookup {
            Begin::Replay(reply) => {
                *replayed = true;
                return reply;
            }
            Begin::Mismatch => {
                return error_reply(
                    400,
                    "idempotency_error",
                    None,
                    None,
                    &format!(
                        "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{idempotency_key}' if you meant to execute a different request."
                    ),
                );
            }
            Begin::InFlight => {
                return error_reply(
                    409,
                    "idempotency_error",
                    Some("idempotency_key_in_use"),
                    None,
                    "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): please retry shortly.",
                );
            }
            Begin::Started => {}
        }
        // Forgets the key unless the result is stored (also when the request is dropped).
        let mut guard = InFlightGuard { state: self, key: Some(cache_key) };
        match run(handler, call).await {
            Ok(reply) => {
                if let Some(key) = guard.key.take() {
                    self.lock().finish(key, fingerprint, &reply);
                }
                reply
            }
            // Rejected parameters are not stored (Stripe: the operation never started).
            Err(rejected) => rejected,
        }
    }

    /// The security every operation shares (`Some(None)`: the API key of
    /// [`Server::route`]); `None` when operations differ.
    fn uniform_security(&self) -> Option<Option<Requirements>> {
        let mut entries = self.server.handlers.iter();
        let first = entries.next().and_then(|e| e.security);
        entries.all(|e| e.security == first).then_some(first)
    }

    /// Checks the request's credentials against `security`; the secret that
    /// identifies the caller (empty for anyone), or the 401 to answer.
    fn authorize(&self, security: Option<Requirements>, headers: &HeaderMap, query: &str) -> Result<String, Reply> {
        const NO_KEY: &str = "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.";
        let invalid = |secret: &str| {
            error_reply(401, "invalid_request_error", None, None, &format!("Invalid API Key provided: {}", redact(secret)))
        };
        let Some(security) = security else {
            let Some(key) = api_key(headers) else {
                return Err(error_reply(401, "invalid_request_error", None, None, NO_KEY));
            };
            if !self.server.auth.authenticate(&key) {
                return Err(invalid(&key));
            }
            return Ok(key);
        };
        if crate::security::is_public(security) {
            return Ok(String::new());
        }
        let mut rejected: Option<String> = None;
        for requirement in security {
            let mut secret = None;
            let mut met = true;
            for key in requirement.iter() {
                let found = crate::security::scheme(key).and_then(|scheme| credential(scheme, headers, query));
                let Some(found) = found else {
                    met = false;
                    break;
                };
                let passes = match self.server.checks.iter().find(|(s, _)| s == key) {
                    Some((_, check)) => check.check(&found),
                    None => self.server.auth.authenticate(found.secret()),
                };
                if !passes {
                    rejected.get_or_insert_with(|| found.secret().to_owned());
                    met = false;
                    break;
                }
                secret.get_or_insert_with(|| found.secret().to_owned());
            }
            if met {
                return Ok(secret.unwrap_or_default());
            }
        }
        if let Some(secret) = rejected {
            return Err(invalid(&secret));
        }
        let bearer_or_basic = security.iter().flat_map(|r| r.iter()).any(|key| {
            crate::security::scheme(key).is_some_and(|s| matches!(s.kind, SchemeKind::Bearer | SchemeKind::Basic))
        });
        if bearer_or_basic {
            return Err(error_reply(401, "invalid_request_error", None, None, NO_KEY));
        }
        let wanted: Vec<String> = security.iter().map(|r| r.join(" and ")).collect();
        Err(error_reply(
            401,
            "invalid_request_error",
            None,
            None,
            &format!("You did not provide credentials: this operation requires {}.", wanted.join(", or ")),
        ))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Idempotency> {
        self.idempotency.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Runs a handler; a panic becomes a 500 `api_error`.
async fn run(handler: &Handler, call: Call) -> Result<Reply, Reply> {
    match std::panic::AssertUnwindSafe(handler(call)).catch_unwind().await {
        Ok(outcome) => outcome,
        Err(_) => Ok(api_error("An unexpected error occurred while handling the request.".to_owned())),
    }
}

fn fingerprint(method: &str, path: &str, call: &Call) -> u64 {
    // A fixed hasher: the fingerprint is compared only within this process.
    let mut hasher = std::hash::DefaultHasher::new();
    (method, path, &call.query, &call.content_type, &call.body).hash(&mut hasher);
    hasher.finish()
}

type CacheKey = (String, String);

enum Entry {
    InFlight { fingerprint: u64 },
    Done { fingerprint: u64, reply: Reply, at: Instant },
}

enum Begin {
    Started,
    Replay(Reply),
    Mismatch,
    InFlight,
}

/// The results of idempotent requests, by API key and idempotency key; at
/// most `capacity` keys, the oldest forgotten first.
struct Idempotency {
    entries: HashMap<CacheKey, Entry>,
    order: VecDeque<CacheKey>,
    capacity: usize,
}

impl Idempotency {
    fn new(capacity: usize) -> Self {
        Idempotency { entries: HashMap::new(), order: VecDeque::new(), capacity }
    }

    fn begin(&mut self, key: &CacheKey, fingerprint: u64) -> Begin {
        match self.entries.get(key) {
            Some(Entry::Done { at, .. }) if at.elapsed() > IDEMPOTENCY_TTL => {}
            Some(Entry::Done { fingerprint: f, reply, .. }) => {
                return if *f == fingerprint { Begin::Replay(reply.clone()) } else { Begin::Mismatch };
            }
            Some(Entry::InFlight { fingerprint: f }) => {
                return if *f == fingerprint { Begin::InFlight } else { Begin::Mismatch };
            }
            None => {}
        }
        if self.entries.insert(key.clone(), Entry::InFlight { fingerprint }).is_none() {
            self.order.push_back(key.clone());
        }
        while self.order.len() > self.capacity.max(1) {
            if let Some(old) = self.order.pop_front() {
                self.entries.remove(&old);
            }
        }
        Begin::Started
    }

    /// Stores the reply, unless it asks for a retry (409, 429, 5xx): a retry
    /// with the same key then runs the operation again.
    fn finish(&mut self, key: CacheKey, fingerprint: u64, reply: &Reply) {
        let retryable = reply.status == 409 || reply.status == 429 || reply.status >= 500;
        if retryable {
            self.forget(&key);
        } else if let Some(entry) = self.entries.get_mut(&key) {
            *entry = Entry::Done { fingerprint, reply: reply.clone(), at: Instant::now() };
        }
    }

    fn forget(&mut self, key: &CacheKey) {
        if matches!(self.entries.get(key), Some(Entry::InFlight { .. })) {
            self.entries.remove(key);
            self.order.retain(|k| k != key);
        }
    }
}

struct InFlightGuard<'a> {
    state: &'a State,
    key: Option<CacheKey>,
}

impl Drop for InFlightGuard<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.state.lock().forget(&key);
        }
    }
}

/// The longest request target (path and query) answered normally: a longer
/// one is a 414 in the error shape (hyper itself answers a bare 414 only
/// beyond 64 KiB).
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// The most header bytes (names and values) answered normally: more is a 431
/// in the error shape (hyper's own bare 431 starts at about 400 KiB or 100
/// headers).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// How much of a body over the limit is read and dropped before the 413 is
/// sent, so a client that writes its whole body before reading (Python's
/// urllib) reads the answer instead of a connection reset. A larger body is
/// not read: the connection closes after the 413.
pub const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

/// A 414 or 431 in the error shape for a request line or headers over the limits.
fn check_head(parts: &axum::http::request::Parts) -> Option<Reply> {
    let uri = parts.uri.path_and_query().map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        let message = format!("The request URL is too long: the limit is {MAX_URI_BYTES} bytes.");
        return Some(error_reply(414, "invalid_request_error", Some("url_too_long"), None, &message));
    }
    let headers: usize = parts.headers.iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if headers > MAX_HEADER_BYTES {
        let message = format!("The request headers are too large: the limit is {MAX_HEADER_BYTES} bytes.");
        return Some(error_reply(431, "invalid_request_error", Some("headers_too_large"), None, &message));
    }
    None
}

/// The body, or `None` when it is over `limit` bytes; a body over the limit
/// is drained up to [`DRAIN_LIMIT`] (when its declared length is not beyond
/// that) so the client can read the 413.
async fn read_body(body: Body, limit: usize, declared: Option<u64>) -> Option<axum::body::Bytes> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    if declared.is_some_and(|n| n > DRAIN_LIMIT) {
        return None;
    }
    let mut buffer = Vec::new();
    let mut seen: u64 = 0;
    let mut over = declared.is_some_and(|n| n > limit as u64);
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { return None };
        seen += chunk.len() as u64;
        if seen > DRAIN_LIMIT {
            return None;
        }
        if seen > limit as u64 {
            over = true;
            buffer = Vec::new();
        }
        if !over {
            buffer.extend_from_slice(&chunk);
        }
    }
    (!over).then(|| buffer.into())
}
