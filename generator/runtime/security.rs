//! Security schemes as the route table sees them (`crate::routes::SECURITY_SCHEMES`,
//! `components/securitySchemes` of the spec) and the credentials that meet
//! them: an API key (in a header, query parameter or cookie), a bearer token
//! (`http` bearer, and the access tokens of `oauth2` and `openIdConnect`), or
//! a user and password (`http` basic). Each operation lists its
//! [`Requirements`]: alternatives, each a set of schemes used together; an
//! empty list or an empty alternative means anyone may call. The client
//! sends them (`client::Client::with_credential`), the server checks them
//! (`server::Server::check`). Emitted verbatim by the generator.

/// Who may call an operation: any one of these sets of scheme keys.
pub type Requirements = &'static [&'static [&'static str]];

/// Where an API key travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiKeyIn {
    Header,
    Query,
    Cookie,
}

/// How a scheme's credential travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemeKind {
    /// An API key in the header, query parameter or cookie `name`.
    ApiKey { location: ApiKeyIn, name: &'static str },
    /// `Authorization: Bearer <token>` (`http` bearer, `oauth2`, `openIdConnect`).
    Bearer,
    /// `Authorization: Basic <base64 of user:password>`.
    Basic,
}

/// A security scheme: its key in `components/securitySchemes` and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scheme {
    pub key: &'static str,
    pub kind: SchemeKind,
}

/// A credential for one scheme.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    /// The value of an API key.
    ApiKey(String),
    /// A bearer token.
    Bearer(String),
    /// HTTP basic user and password.
    Basic { user: String, password: String },
}

impl Credential {
    /// The secret that identifies the caller: the API key, the token, or the
    /// basic user (as Stripe reads an API key sent as the basic user).
    pub fn secret(&self) -> &str {
        match self {
            Credential::ApiKey(k) | Credential::Bearer(k) => k,
            Credential::Basic { user, .. } => user,
        }
    }
}

/// Credentials are secrets: `Debug` does not show them.
impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::ApiKey(_) => f.write_str("ApiKey(***)"),
            Credential::Bearer(_) => f.write_str("Bearer(***)"),
            Credential::Basic { user, .. } => write!(f, "Basic {{ user: {user:?}, password: *** }}"),
        }
    }
}

/// The scheme with this key, among the spec's.
pub fn scheme(key: &str) -> Option<&'static Scheme> {
    crate::routes::SECURITY_SCHEMES.iter().find(|s| s.key == key)
}

/// Whether an operation with these requirements is open to anyone.
pub fn is_public(requirements: Requirements) -> bool {
    requirements.is_empty() || requirements.iter().any(|r| r.is_empty())
}
