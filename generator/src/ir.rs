//! The intermediate representation: what the spec means, in Rust terms, before
//! any tokens exist. Lowering (`lower`) builds it and decides every Rust name;
//! emitting (`emit`) only prints it; drift reports (`diff`) compare two of them.
//!
//! All collections are ordered (`BTreeMap`, or `Vec` sorted by a stable key), so
//! the same spec always gives the same IR and the same bytes.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::pointer::Pointer;

/// A whole API: its named types and its operations.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    pub title: String,
    /// `info.version`; for Stripe, the API version sent as `Stripe-Version`.
    pub version: String,
    pub description: Option<String>,
    /// Every named type, keyed by its Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Every operation, sorted by path, then method.
    pub operations: Vec<Operation>,
    /// `components/securitySchemes`, in spec order.
    pub security_schemes: Vec<SecurityScheme>,
    /// OpenAPI 3.1 `webhooks`: requests the API sends, in document order.
    pub webhooks: Vec<Webhook>,
}

/// A webhook: a request the API sends to a user's server (OpenAPI 3.1
/// `webhooks/<name>`), received through the generated `Webhooks` trait.
#[derive(Clone, Debug, PartialEq)]
pub struct Webhook {
    /// The key under `webhooks` (`invoice.created`).
    pub name: String,
    /// The receiving method's name (snake_case, unique among webhooks).
    pub rust: String,
    pub method: Method,
    pub summary: Option<String>,
    pub docs: Option<String>,
    /// The type of the JSON payload, if the request has a body.
    pub payload: Option<TypeRef>,
    /// Whether the payload is required.
    pub required: bool,
    pub pointer: Pointer,
}

/// A named Rust type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// The Rust type name (UpperCamelCase, unique in the crate).
    pub name: String,
    /// The component key (`promotion_code`) when the type is a component schema.
    pub component: Option<String>,
    /// Where the schema is in the spec.
    pub pointer: Pointer,
    pub docs: Option<String>,
    pub kind: TypeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    /// An enum of strings, integers, numbers or booleans. Always open:
    /// unknown values are kept, not rejected.
    Enum(Enum),
    /// `anyOf`/`oneOf` of several shapes, told apart by trying each in order.
    Union(Union),
    /// A `oneOf`/`anyOf` with a `discriminator`, or the base of an `allOf`
    /// hierarchy that carries one: told apart by the value of one property.
    Tagged(Tagged),
    /// A named component that is not an object (a map, a primitive …).
    Alias(TypeRef),
}

impl TypeKind {
    /// The named types this type refers to directly (field, variant or target
    /// types), in declaration order, with repeats.
    pub fn named_uses(&self) -> Vec<&str> {
        match self {
            TypeKind::Struct(s) => s
                .fields
                .iter()
                .map(|f| &f.ty)
                .chain(&s.additional)
                .chain(s.flattened.iter().map(|f| &f.ty))
                .flat_map(TypeRef::named)
                .collect(),
            TypeKind::Union(u) => u.variants.iter().flat_map(|v| v.ty.named()).collect(),
            TypeKind::Tagged(t) => t.variants.iter().flat_map(|v| v.ty.named()).collect(),
            TypeKind::Alias(t) => t.named(),
            TypeKind::Enum(_) => Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// `additionalProperties: <schema>` beside `properties`: extra keys kept in a map.
    pub additional: Option<TypeRef>,
    /// `additionalProperties: false`: unknown keys are an error.
    pub deny_unknown: bool,
    /// `x-expandableFields`, as listed in the spec.
    pub expandable_fields: Vec<String>,
    /// Types whose keys sit beside the fields in the same JSON object
    /// (`#[serde(flatten)]`): a `oneOf`/`anyOf` beside `properties`.
    pub flattened: Vec<Flattened>,
}

/// A value whose keys are read from and written to its struct's own object.
#[derive(Clone, Debug, PartialEq)]
pub struct Flattened {
    /// The Rust field name (never clashes with the struct's fields).
    pub rust: String,
    pub ty: TypeRef,
    pub docs: Option<String>,
}

/// A struct field, an operation parameter or a request-body property.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The name on the wire (JSON key, query or form parameter name).
    pub wire: String,
    /// The Rust identifier (snake_case; keywords get a trailing `_`).
    pub rust: String,
    pub ty: TypeRef,
    pub required: bool,
    /// `nullable: true`: `null` is a value distinct from absence.
    pub nullable: bool,
    /// The field's type is boxed to break a cycle of types.
    pub boxed: bool,
    pub docs: Option<String>,
    pub constraints: Constraints,
    pub default: Option<Value>,
    pub deprecated: bool,
    /// `readOnly: true`: sent in responses only. Such a field is never
    /// required in the model struct (a request leaves it out), and request
    /// parameters skip it.
    pub read_only: bool,
    /// `writeOnly: true`: sent in requests only. Such a field is never
    /// required in the model struct (a response leaves it out).
    pub write_only: bool,
    /// For parameters: how they are put on the wire.
    pub style: Option<ParamStyle>,
    pub pointer: Pointer,
}

/// The serialization style of a parameter or a form-body property (OpenAPI
/// 3.0 `style` with its `explode`). Stripe's dialect uses `Form` for
/// primitives and `DeepObject` for arrays and objects (arrays as
/// `expand[0]=a`, a reading OpenAPI leaves undefined).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamStyle {
    /// `name=value` (arrays as repeated `name=a&name=b` when exploded, else
    /// `name=a,b`; objects as `R=1&G=2`, or `name=R,1,G,2`). Query, cookie
    /// and form-body properties.
    Form { explode: bool },
    /// Query arrays and objects joined by `%20` (`explode: false`).
    SpaceDelimited { explode: bool },
    /// Query arrays and objects joined by `|` (`explode: false`).
    PipeDelimited { explode: bool },
    /// `name[key]=value`, `name[0]=value`, nested to any depth.
    DeepObject,
    /// Path and header parameters: `a,b,c`, objects `R,1,G,2` (or `R=1,G=2`
    /// when exploded).
    Simple { explode: bool },
    /// Path parameters: `.a.b.c`.
    Label { explode: bool },
    /// Path parameters: `;name=a,b` (or `;name=a;name=b` when exploded).
    Matrix { explode: bool },
}

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// Validation rules from the schema. Only what the spec says; nothing implied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Constraints {
    pub format: Option<String>,
    pub max_length: Option<u64>,
    pub min_length: Option<u64>,
    pub pattern: Option<String>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub exclusive_minimum: bool,
    pub exclusive_maximum: bool,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    /// The allowed values of an inline string enum (the type holds them too).
    pub enum_values: Vec<String>,
    /// Constraints of array items.
    pub items: Option<Box<Constraints>>,
    /// Constraints of map values.
    pub values: Option<Box<Constraints>>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Enum {
    /// What the values are on the wire (JSON strings, numbers or booleans).
    pub value: EnumValue,
    pub variants: Vec<EnumVariant>,
}

/// The JSON type of an enum's values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EnumValue {
    #[default]
    String,
    Integer,
    Number,
    Bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumVariant {
    /// The value as text: the string itself, or the JSON text of a number
    /// or boolean (`1`, `2.5`, `true`); also its form/query encoding.
    pub wire: String,
    pub rust: String,
}

/// A union told apart by a discriminator property (`#[serde(tag)]`-like,
/// but each variant's struct keeps the property, and an unknown tag is kept
/// as raw JSON in an `Unknown` variant).
#[derive(Clone, Debug, PartialEq)]
pub struct Tagged {
    /// The discriminator's `propertyName` (wire name).
    pub property: String,
    pub variants: Vec<TaggedVariant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TaggedVariant {
    /// The tag values that select this variant (the first is written when
    /// the variant's type does not carry the property itself).
    pub tags: Vec<String>,
    pub rust: String,
    /// The variant's type (a named struct, usually).
    pub ty: TypeRef,
    pub boxed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub variants: Vec<UnionVariant>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    pub rust: String,
    pub ty: TypeRef,
    pub boxed: bool,
}

/// A use of a type.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    Bool,
    Integer,
    Number,
    String,
    /// `format: unix-time`: seconds since the epoch.
    Timestamp,
    /// Anything at all (`{}` or a schema we keep as raw JSON).
    #[default]
    Json,
    /// Raw bytes: a binary request or response body, or a file part of a
    /// multipart body (`format: binary`), as `payload::FilePart`.
    Binary,
    /// A named type in [`Api::types`].
    Named(String),
    Vec(Box<TypeRef>),
    /// String-keyed map (`additionalProperties`).
    Map(Box<TypeRef>),
    /// A nullable value in a position that is not a field (array item, map value …).
    Option(Box<TypeRef>),
    /// `anyOf [id string, $ref X]` with `x-expansionResources`: an id or the object.
    Expandable(Box<TypeRef>),
    /// `anyOf [T, {type: string, enum: [""]}]`: a value, or "clear it" (the empty string).
    Clearable(Box<TypeRef>),
    /// Stripe's list envelope: `{object: "list", data: [T], has_more, url}`.
    List(Box<TypeRef>),
}

impl TypeRef {
    /// The named types this use mentions, directly or inside containers.
    pub fn named(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_named(&mut out);
        out
    }

    fn collect_named<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            TypeRef::Named(n) => out.push(n),
            TypeRef::Vec(t)
            | TypeRef::Map(t)
            | TypeRef::Option(t)
            | TypeRef::Expandable(t)
            | TypeRef::Clearable(t)
            | TypeRef::List(t) => t.collect_named(out),
            TypeRef::Bool
            | TypeRef::Integer
            | TypeRef::Number
            | TypeRef::String
            | TypeRef::Timestamp
            | TypeRef::Json
            | TypeRef::Binary => {}
        }
    }

    /// The named type stored inline (not behind a heap pointer) by this use, if
    /// any: the edges along which a cycle of types needs a `Box`.
    pub fn direct_named(&self) -> Option<&str> {
        match self {
            TypeRef::Named(n) => Some(n),
            TypeRef::Option(t) | TypeRef::Clearable(t) => t.direct_named(),
            _ => None,
        }
    }
}

impl Api {
    /// `ty` with named aliases replaced by what they name, at the top level
    /// (`Slot` = `i64` gives `Integer`): two uses with the same resolved
    /// type are the same Rust type.
    pub fn resolve_alias<'a>(&'a self, mut ty: &'a TypeRef) -> &'a TypeRef {
        // Bounded: a cycle of aliases cannot be lowered, but never loop.
        for _ in 0..64 {
            match ty {
                TypeRef::Named(n) => match self.types.get(n).map(|d| &d.kind) {
                    Some(TypeKind::Alias(target)) => ty = target,
                    _ => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }
}

/// HTTP methods, in the order OpenAPI lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// One operation (path + method).
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// `operationId`, or `METHOD path` when the spec has none.
    pub id: String,
    /// The operation's Rust name in UpperCamelCase (`CreatePromotionCode`):
    /// CRUD verbs for collection/item paths, else from `operationId`.
    pub name: String,
    pub method: Method,
    /// The path template, `/v1/promotion_codes/{promotion_code}`.
    pub path: String,
    pub pointer: Pointer,
    /// The resource the operation serves: its first tag, else the path's
    /// static segments after the version (`promotion_codes`).
    pub resource: String,
    /// The cargo feature of the generated crate that gates the operation:
    /// its first tag, else its first static path segment after the version
    /// (`promotion_codes`), in snake_case. All operations of a resource share it.
    pub feature: String,
    pub summary: Option<String>,
    pub docs: Option<String>,
    pub deprecated: bool,
    pub path_params: Vec<Field>,
    pub query_params: Vec<Field>,
    /// Header parameters (`Accept`, `Content-Type` and `Authorization` are
    /// left out, as OpenAPI says), by their names as the spec gives them.
    pub header_params: Vec<Field>,
    /// Cookie parameters, sent in one `Cookie` header.
    pub cookie_params: Vec<Field>,
    /// The wire names of the query parameters with `allowReserved: true`
    /// (reserved characters in their values are sent as they are).
    pub allow_reserved: Vec<String>,
    pub body: Option<Body>,
    /// The JSON body of the success (2xx) response.
    pub response: Option<TypeRef>,
    /// The JSON body of error responses (`default` or 4xx/5xx).
    pub error: Option<TypeRef>,
    /// Every declared response, sorted by status (codes, then ranges, then `default`).
    pub responses: Vec<Response>,
    /// Who may call: any one of these requirements (each a set of schemes
    /// used together). Empty: a public operation (`security: []`, or no
    /// security anywhere). The operation's `security`, else the spec's.
    pub security: Vec<SecurityRequirement>,
}

/// How a request or response body travels, by its media type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MediaKind {
    /// `application/json`, `application/*+json`, `text/json`.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/form-data` (and other `multipart/*`).
    Multipart,
    /// `text/*` (other than `text/json`): a string.
    Text,
    /// `application/octet-stream`, images, and every media type not above
    /// (`application/xml`, `application/x-msgpack` …): raw bytes.
    Binary,
}

impl MediaKind {
    /// The kind of a media type (parameters such as `; charset=utf-8` ignored).
    pub fn of(content_type: &str) -> MediaKind {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let (top, sub) = essence.split_once('/').unwrap_or((essence.as_str(), ""));
        match (top, sub) {
            ("application", "json") | ("text", "json") => MediaKind::Json,
            (_, sub) if sub.ends_with("+json") => MediaKind::Json,
            ("application", "x-www-form-urlencoded") => MediaKind::Form,
            ("multipart", _) => MediaKind::Multipart,
            ("text", _) => MediaKind::Text,
            _ => MediaKind::Binary,
        }
    }

    /// The documented preference among a body's media types: JSON, then
    /// forms, multipart, text, and raw bytes last.
    pub fn preference(self) -> u8 {
        match self {
            MediaKind::Json => 0,
            MediaKind::Form => 1,
            MediaKind::Multipart => 2,
            MediaKind::Text => 3,
            MediaKind::Binary => 4,
        }
    }
}

/// One media type of a request body, as the spec lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct BodyMedia {
    pub content_type: String,
    pub kind: MediaKind,
    /// The schema's type; `None` without a schema.
    pub ty: Option<TypeRef>,
    /// For multipart bodies: the properties sent as files (`format: binary`),
    /// with the content type their `encoding` gives, if any.
    pub files: Vec<(String, Option<String>)>,
    /// For multipart bodies: the properties whose `encoding` sends them as
    /// JSON parts (`contentType: application/json`).
    pub json_parts: Vec<String>,
    pub pointer: Pointer,
}

/// A response status as the spec writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// `200`, `404` …
    Code(u16),
    /// `2XX` …: the first digit.
    Range(u16),
    /// `default`.
    Default,
}

impl Status {
    /// Whether the status is a success (2xx).
    pub fn is_success(self) -> bool {
        match self {
            Status::Code(c) => (200..300).contains(&c),
            Status::Range(r) => r == 2,
            Status::Default => false,
        }
    }

    /// As the spec writes it: `200`, `2XX`, `default`.
    pub fn label(self) -> String {
        match self {
            Status::Code(c) => c.to_string(),
            Status::Range(r) => format!("{r}XX"),
            Status::Default => "default".to_owned(),
        }
    }
}

/// One declared response of an operation.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    pub status: Status,
    /// The media type of the body (the JSON one when there are several);
    /// `None` for a response without content.
    pub content_type: Option<String>,
    pub kind: Option<MediaKind>,
    /// The body's type (`None`: no body, or no schema). Text bodies are
    /// `String`; binary ones have no `TypeRef` and travel as bytes.
    pub ty: Option<TypeRef>,
    /// Response headers, as fields (`wire` is the header name).
    pub headers: Vec<Field>,
    pub docs: Option<String>,
    pub pointer: Pointer,
}

/// A security scheme of `components/securitySchemes`.
#[derive(Clone, Debug, PartialEq)]
pub struct SecurityScheme {
    /// The key in `components/securitySchemes`.
    pub key: String,
    pub kind: SchemeKind,
    pub docs: Option<String>,
    pub pointer: Pointer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemeKind {
    /// `apiKey` in a header, query parameter or cookie named `name`.
    ApiKey {
        location: ApiKeyLocation,
        name: String,
    },
    /// `http` with scheme `bearer`; also `oauth2` and `openIdConnect`,
    /// whose access tokens travel as bearer tokens.
    Bearer,
    /// `http` with scheme `basic`.
    Basic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiKeyLocation {
    Header,
    Query,
    Cookie,
}

/// Schemes that must all be satisfied together (their keys, in spec order).
pub type SecurityRequirement = Vec<String>;

/// A request body.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    /// The media type the params type sends by default: the preferred one
    /// of `media` ([`MediaKind::preference`]).
    pub content_type: String,
    /// How the default media type travels.
    pub kind: MediaKind,
    /// Every media type the spec lists, in spec order.
    pub media: Vec<BodyMedia>,
    /// Whether the body is one value (a field named `body`, for a JSON
    /// array, scalar or union, a text or a binary body) rather than an
    /// object whose properties are fields.
    pub whole: bool,
    pub required: bool,
    /// The properties of the body object, with their encoding styles; for a
    /// `whole` body, the one field `body` (without a style).
    pub fields: Vec<Field>,
    /// `additionalProperties: false` on the body schema.
    pub deny_unknown: bool,
    pub pointer: Pointer,
}
