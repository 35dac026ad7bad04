//! Parameters on the wire, both ways, the way Stripe's official clients send
//! them: `application/x-www-form-urlencoded` bodies and query strings with
//! bracketed keys (`promotion[coupon]=x`, `expand[0]=y`,
//! `metadata[order_id]=6735`), and the parsing a server does of the same
//! strings, with coercion to the declared types. Also the validation errors
//! that decoding and `validate()` report, named the way Stripe names a
//! parameter (`restrictions[minimum_amount]`). Emitted verbatim by the generator.

use std::collections::BTreeMap;
use std::fmt;

use crate::runtime::{Clearable, ClearableMap, Expandable, Nullable, Timestamp};

/// The rule a parameter broke.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// A required parameter is absent.
    Missing,
    /// A parameter the operation does not know.
    Unknown,
    /// The empty string where a value that cannot be unset is expected.
    Empty,
    /// A value that is not of the declared type (`"integer"`, `"boolean"` …).
    Type(&'static str),
    /// A string longer than `maxLength` (in characters).
    MaxLength(u64),
    /// A string shorter than `minLength` (in characters).
    MinLength(u64),
    /// A string that does not match `pattern`.
    Pattern(&'static str),
    /// A value that is not one of the `enum` values.
    Enum(&'static [&'static str]),
    /// A string that does not fit its `format` (`currency`: a three-letter ISO code).
    Format(&'static str),
    /// A number below `minimum` (or equal to it, when exclusive).
    Minimum { limit: f64, exclusive: bool },
    /// A number above `maximum` (or equal to it, when exclusive).
    Maximum { limit: f64, exclusive: bool },
    /// An array with fewer items than `minItems`.
    MinItems(u64),
    /// An array with more items than `maxItems`.
    MaxItems(u64),
    /// Keys that contradict each other (`a=1&a[b]=2`).
    Malformed,
    /// A JSON request body that is not JSON, or not an object; it names no
    /// parameter (`param` is empty).
    InvalidJson,
}

/// A parameter that does not fit the spec: which one (`restrictions[minimum_amount]`),
/// the rule it broke and a message in Stripe's words.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidationError {
    /// The parameter, named as on the wire with raw brackets (empty for an
    /// error about a whole JSON body, [`Rule::InvalidJson`]).
    pub param: String,
    pub rule: Rule,
    pub message: String,
}

impl ValidationError {
    /// An error for `param` breaking `rule`, with the standard message.
    pub fn new(param: impl Into<String>, rule: Rule) -> Self {
        let param = param.into();
        let message = match &rule {
            Rule::Missing => format!("Missing required param: {param}."),
            Rule::Unknown => format!("Received unknown parameter: {param}"),
            Rule::Empty => format!(
                "You passed an empty string for '{param}'. We assume empty values are an attempt to unset a parameter; however '{param}' cannot be unset. You should remove '{param}' from your request or supply a non-empty value."
            ),
            Rule::Type(expected) => {
                let article = if expected.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                format!("Invalid {expected}: {param} must be {article} {expected}.")
            }
            Rule::MaxLength(max) => format!("Invalid string: {param} must be at most {max} characters long."),
            Rule::MinLength(min) => format!("Invalid string: {param} must be at least {min} characters long."),
            Rule::Pattern(pattern) => format!("Invalid {param}: must match the pattern {pattern}."),
            Rule::Enum(values) => format!("Invalid {param}: must be one of {}.", values.join(", ")),
            Rule::Format("currency") => format!("Invalid currency: {param} must be a three-letter ISO currency code."),
            Rule::Format(format) => format!("Invalid {param}: must be a valid {format}."),
            Rule::Minimum { limit, exclusive: false } => format!("Invalid {param}: must be greater than or equal to {limit}."),
            Rule::Minimum { limit, exclusive: true } => format!("Invalid {param}: must be greater than {limit}."),
            Rule::Maximum { limit, exclusive: false } => format!("Invalid {param}: must be less than or equal to {limit}."),
            Rule::Maximum { limit, exclusive: true } => format!("Invalid {param}: must be less than {limit}."),
            Rule::MinItems(min) => format!("Invalid array: {param} must have at least {min} items."),
            Rule::MaxItems(max) => format!("Invalid array: {param} must have at most {max} items."),
            Rule::Malformed => format!("Invalid parameters: {param} is given both as a value and as a hash or array."),
            Rule::InvalidJson => "Invalid request body: send the parameters as one JSON object.".to_owned(),
        };
        ValidationError { param, rule, message }
    }

    /// Stripe's error `code` for the rule.
    pub fn code(&self) -> &'static str {
        match &self.rule {
            Rule::Missing => "parameter_missing",
            Rule::Unknown => "parameter_unknown",
            Rule::Empty => "parameter_invalid_empty",
            Rule::Type("integer" | "timestamp") => "parameter_invalid_integer",
            Rule::Type("boolean") => "parameter_invalid_boolean",
            Rule::Type("number") => "parameter_invalid_number",
            Rule::Type("array") => "parameter_invalid_array",
            Rule::Type("object") => "parameter_invalid_object",
            Rule::Type(_) => "parameter_invalid_string",
            Rule::MaxLength(_) => "parameter_invalid_string_too_long",
            Rule::MinLength(_) => "parameter_invalid_string_too_short",
            Rule::Pattern(_) => "parameter_invalid_string_format",
            Rule::Enum(_) => "parameter_invalid_enum",
            Rule::Format("currency") => "parameter_invalid_currency",
            Rule::Format(_) => "parameter_invalid_string_format",
            Rule::Minimum { .. } => "parameter_invalid_too_small",
            Rule::Maximum { .. } => "parameter_invalid_too_large",
            Rule::MinItems(_) => "parameter_invalid_array_too_short",
            Rule::MaxItems(_) => "parameter_invalid_array_too_long",
            Rule::Malformed => "parameter_malformed",
            Rule::InvalidJson => "invalid_json_body",
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code())
    }
}

impl std::error::Error for ValidationError {}

// ---------------------------------------------------------------------------
// Names and keys

/// The plain name of `key` inside `parent` (`restrictions` + `minimum_amount`
/// gives `restrictions[minimum_amount]`); a top-level name when `parent` is empty.
pub fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}[{key}]")
    }
}

/// Like [`child`], for keys on the wire: the key is percent-encoded, the brackets stay raw.
pub fn child_key(parent: &str, key: &str) -> String {
    let mut out = String::with_capacity(parent.len() + key.len() + 2);
    out.push_str(parent);
    if !parent.is_empty() {
        out.push('[');
    }
    percent_encode(key, &mut out);
    if !parent.is_empty() {
        out.push(']');
    }
    out
}

fn percent_encode(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
}

fn percent_decode(text: &str, name: &str) -> Result<String, ValidationError> {
    decode_bytes(text, true).ok_or_else(|| ValidationError::new(name, Rule::Type("UTF-8 string")))
}

fn decode_bytes(text: &str, plus_is_space: bool) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A percent-decoded path segment (`+` stays a plus), or `None` when it is not UTF-8.
pub fn decode_path_segment(text: &str) -> Option<String> {
    decode_bytes(text, false)
}

// ---------------------------------------------------------------------------
// Encoding

/// Collects `key=value` pairs into a form body or query string.
#[derive(Clone, Debug, Default)]
pub struct FormWriter {
    out: String,
}

impl FormWriter {
    pub fn new() -> Self {
        FormWriter::default()
    }

    /// Appends `key=value`; `key` is already encoded (see [`child_key`]), `value` is encoded here.
    pub fn pair(&mut self, key: &str, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        self.out.push_str(key);
        self.out.push('=');
        percent_encode(value, &mut self.out);
    }

    /// Appends a pair that is already encoded (`style` writes these).
    pub fn raw_pair(&mut self, pair: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        self.out.push_str(pair);
    }

    pub fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    /// The encoded pairs, joined by `&`.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A value that can be written as form pairs under a key.
pub trait FormEncode {
    /// Writes `self` under `key` (already encoded): a scalar as `key=value`,
    /// an object as `key[field]=…`, an array as `key[0]=…`.
    fn encode_form(&self, key: &str, out: &mut FormWriter);
}

/// Encodes one value under `key` (unencoded) and returns the pairs.
pub fn encode<T: FormEncode + ?Sized>(key: &str, value: &T) -> String {
    let mut out = FormWriter::new();
    value.encode_form(&child_key("", key), &mut out);
    out.finish()
}

impl FormEncode for String {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        out.pair(key, self);
    }
}

impl FormEncode for str {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        out.pair(key, self);
    }
}

impl FormEncode for i64 {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        out.pair(key, &self.to_string());
    }
}

impl FormEncode for f64 {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        out.pair(key, &self.to_string());
    }
}

impl FormEncode for bool {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        out.pair(key, if *self { "true" } else { "false" });
    }
}

impl FormEncode for Timestamp {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        out.pair(key, &self.0.to_string());
    }
}

impl FormEncode for serde_json::Value {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        match self {
            serde_json::Value::Null => out.pair(key, ""),
            serde_json::Value::Bool(b) => b.encode_form(key, out),
            serde_json::Value::Number(n) => out.pair(key, &n.to_string()),
            serde_json::Value::String(s) => out.pair(key, s),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    item.encode_form(&child_key(key, &i.to_string()), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    v.encode_form(&child_key(key, k), out);
                }
            }
        }
    }
}

impl<T: FormEncode> FormEncode for Vec<T> {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        for (i, item) in self.iter().enumerate() {
            item.encode_form(&child_key(key, &i.to_string()), out);
        }
    }
}

impl<T: FormEncode> FormEncode for BTreeMap<String, T> {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        for (k, v) in self {
            v.encode_form(&child_key(key, k), out);
        }
    }
}

impl<T: FormEncode + ?Sized> FormEncode for Box<T> {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        (**self).encode_form(key, out);
    }
}

/// `None` (a `null` item of an array or map) is sent as the empty string.
impl<T: FormEncode> FormEncode for Option<T> {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        match self {
            Some(v) => v.encode_form(key, out),
            None => out.pair(key, ""),
        }
    }
}

/// `Null` is sent as the empty string, `Absent` not at all.
impl<T: FormEncode> FormEncode for Nullable<T> {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        match self {
            Nullable::Value(v) => v.encode_form(key, out),
            Nullable::Null => out.pair(key, ""),
            Nullable::Absent => {}
        }
    }
}

/// `Clear` is sent as the empty string (`key=`).
impl<T: FormEncode> FormEncode for Clearable<T> {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        match self {
            Clearable::Set(v) => v.encode_form(key, out),
            Clearable::Clear => out.pair(key, ""),
        }
    }
}

/// `Clear` is `key=`; an update is `key[k]=v` per set key and `key[k]=` per unset key.
impl<T: FormEncode> FormEncode for ClearableMap<T> {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        match self {
            ClearableMap::Clear => out.pair(key, ""),
            ClearableMap::Update(entries) => entries.encode_form(key, out),
        }
    }
}

impl<T: FormEncode> FormEncode for Expandable<T> {
    fn encode_form(&self, key: &str, out: &mut FormWriter) {
        match self {
            Expandable::Id(id) => out.pair(key, id),
            Expandable::Object(o) => o.encode_form(key, out),
        }
    }
}

/// Whether `value` puts anything on the wire other than an empty string: a
/// value that does not is read back as absent, `null` or "clear".
pub fn is_blank<T: FormEncode + ?Sized>(value: &T) -> bool {
    let mut out = FormWriter::new();
    value.encode_form("k", &mut out);
    let text = out.finish();
    text.is_empty() || text == "k="
}

// ---------------------------------------------------------------------------
// Decoding

/// A parsed form: a value, or keys with nested nodes (objects and arrays alike,
/// array indexes being keys), in the order they were first seen.
#[derive(Clone, Debug, PartialEq)]
pub enum FormNode {
    Value(String),
    Object(Vec<(String, FormNode)>),
}

impl FormNode {
    /// An object without keys (what an empty string parses to).
    pub fn empty() -> Self {
        FormNode::Object(Vec::new())
    }

    /// The node under `key`, for an object.
    pub fn get(&self, key: &str) -> Option<&FormNode> {
        match self {
            FormNode::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            FormNode::Value(_) => None,
        }
    }
}

/// The most `key=value` pairs a form may hold; more is a 400 (`parameter_malformed`).
pub const MAX_PAIRS: usize = 10_000;
/// The most bracketed segments a key may have (`a[b][c]` has two); more is a 400.
pub const MAX_DEPTH: usize = 32;
/// How a key appended with `name[]=v` starts in a parsed [`FormNode`]: `]`
/// and its index (`]0`), a key no bracketed segment can spell, so an array
/// reads it as an index and a map rejects it (an array is not a hash).
pub const APPENDED: char = ']';

/// Parses a form body or query string (a leading `?` is ignored). Keys may use
/// raw or percent-encoded brackets; `name[]=v` appends to an array. At most
/// [`MAX_PAIRS`] pairs and [`MAX_DEPTH`] segments a key.
pub fn parse(input: &str) -> Result<FormNode, ValidationError> {
    let input = input.strip_prefix('?').unwrap_or(input);
    let mut root: Vec<(String, FormNode)> = Vec::new();
    for (count, part) in input.split('&').filter(|p| !p.is_empty()).enumerate() {
        let (raw_key, raw_value) = part.split_once('=').unwrap_or((part, ""));
        let key = percent_decode(raw_key, raw_key)?;
        if count >= MAX_PAIRS {
            let mut error = ValidationError::new(key, Rule::Malformed);
            error.message = format!("Invalid parameters: more than {MAX_PAIRS} parameters.");
            return Err(error);
        }
        let value = percent_decode(raw_value, &key)?;
        let (base, segments) = split_key(&key);
        if segments.len() > MAX_DEPTH {
            let mut error = ValidationError::new(base, Rule::Malformed);
            error.message = format!("Invalid parameters: {base} is nested more than {MAX_DEPTH} levels deep.");
            return Err(error);
        }
        insert(&mut root, base, &segments, value, "")?;
    }
    Ok(FormNode::Object(root))
}

/// `a[b][c]` -> (`a`, [`b`, `c`]); a key whose brackets do not close is one flat key.
fn split_key(key: &str) -> (&str, Vec<&str>) {
    let Some(open) = key.find('[').filter(|&i| i > 0) else {
        return (key, Vec::new());
    };
    let mut segments = Vec::new();
    let mut rest = &key[open..];
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix('[') else {
            return (key, Vec::new());
        };
        let Some(close) = inner.find(']') else {
            return (key, Vec::new());
        };
        segments.push(&inner[..close]);
        rest = &inner[close + 1..];
    }
    (&key[..open], segments)
}

fn insert(
    entries: &mut Vec<(String, FormNode)>,
    name: &str,
    rest: &[&str],
    value: String,
    parent: &str,
) -> Result<(), ValidationError> {
    let name = if name.is_empty() { format!("{APPENDED}{}", entries.len()) } else { name.to_owned() };
    let path = child(parent, &name);
    let position = entries.iter().position(|(k, _)| *k == name);
    match (rest.split_first(), position) {
        (None, Some(i)) => match &mut entries[i].1 {
            FormNode::Value(old) => *old = value,
            FormNode::Object(_) => return Err(ValidationError::new(path, Rule::Malformed)),
        },
        (None, None) => entries.push((name, FormNode::Value(value))),
        (Some((next, tail)), Some(i)) => match &mut entries[i].1 {
            FormNode::Object(children) => insert(children, next, tail, value, &path)?,
            FormNode::Value(_) => return Err(ValidationError::new(path, Rule::Malformed)),
        },
        (Some((next, tail)), None) => {
            let mut children = Vec::new();
            insert(&mut children, next, tail, value, &path)?;
            entries.push((name, FormNode::Object(children)));
        }
    }
    Ok(())
}

// Discriminated unions

/// Writes a discriminated union's variant under `key`, then its tag as
/// `key[property]=tag` unless the variant wrote that key itself (a variant
/// whose type carries the tag property).
pub fn encode_tagged<T: FormEncode + ?Sized>(value: &T, key: &str, property: &str, tag: &str, out: &mut FormWriter) {
    let mut inner = FormWriter::new();
    value.encode_form(key, &mut inner);
    let tag_key = child_key(key, property);
    let written = inner.out.split('&').any(|pair| pair.split('=').next() == Some(tag_key.as_str()));
    if !inner.is_empty() {
        out.raw_pair(&inner.out);
    }
    if !written {
        out.pair(&tag_key, tag);
    }
}

/// The tag of a discriminated union's object node: the text under `property`
/// (absent is `Missing`, naming `path[property]`).
pub fn tag<'n>(node: &'n FormNode, property: &str, path: &str) -> Result<&'n str, ValidationError> {
    let entries = object(node, path)?;
    let tag_path = child(path, property);
    match lookup(entries, property) {
        Some(value) => scalar(value, &tag_path, "string"),
        None => Err(ValidationError::new(tag_path, Rule::Missing)),
    }
}

/// The node without its tag entry: what a variant whose type does not carry
/// the tag property reads.
pub fn untagged(node: &FormNode, property: &str) -> FormNode {
    match node {
        FormNode::Object(entries) => FormNode::Object(entries.iter().filter(|(k, _)| k != property).cloned().collect()),
        FormNode::Value(_) => node.clone(),
    }
}

/// A tag that no variant lists: an `Enum` error naming `path[property]`.
pub fn unknown_tag(property: &str, tags: &'static [&'static str], path: &str) -> ValidationError {
    ValidationError::new(child(path, property), Rule::Enum(tags))
}

/// A value that can be read from a parsed form node. `path` names the node in errors.
pub trait FormDecode: Sized {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError>;

    /// Like `decode_form`, but an open enum accepts only the values it lists:
    /// how a union first tries its variants, so that `up_to=5` is the integer
    /// variant rather than an unknown value of an enum variant listed before it.
    fn decode_form_strict(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        Self::decode_form(node, path)
    }
}

/// The text of a scalar node: `Empty` for the empty string, a type error for an object.
pub fn scalar<'n>(node: &'n FormNode, path: &str, expected: &'static str) -> Result<&'n str, ValidationError> {
    match node {
        FormNode::Value(v) if v.is_empty() => Err(ValidationError::new(path, Rule::Empty)),
        FormNode::Value(v) => Ok(v),
        FormNode::Object(_) => Err(ValidationError::new(path, Rule::Type(expected))),
    }
}

/// The keys of an object node: `Empty` for the empty string, a type error for another value.
pub fn object<'n>(node: &'n FormNode, path: &str) -> Result<&'n [(String, FormNode)], ValidationError> {
    match node {
        FormNode::Object(entries) => Ok(entries),
        FormNode::Value(v) if v.is_empty() => Err(ValidationError::new(path, Rule::Empty)),
        FormNode::Value(_) => Err(ValidationError::new(path, Rule::Type("object"))),
    }
}

/// Rejects keys of an object that are not in `known` (`parameter_unknown`).
pub fn deny_unknown(entries: &[(String, FormNode)], known: &[&str], path: &str) -> Result<(), ValidationError> {
    deny_appended(entries, path)?;
    match entries.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        Some((k, _)) => Err(ValidationError::new(child(path, k), Rule::Unknown)),
        None => Ok(()),
    }
}

/// An object given as an array (`metadata[]=x`) is a type error, not `{"0": "x"}`.
fn deny_appended(entries: &[(String, FormNode)], path: &str) -> Result<(), ValidationError> {
    match entries.iter().any(|(k, _)| k.starts_with(APPENDED)) {
        true => Err(ValidationError::new(path, Rule::Type("object"))),
        false => Ok(()),
    }
}

fn lookup<'n>(entries: &'n [(String, FormNode)], key: &str) -> Option<&'n FormNode> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The entries not in `known` (an object's `additionalProperties`), each read as `T`.
pub fn rest<T: FormDecode>(entries: &[(String, FormNode)], known: &[&str], path: &str) -> Result<BTreeMap<String, T>, ValidationError> {
    deny_appended(entries, path)?;
    entries
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| Ok((k.clone(), T::decode_form(v, &child(path, k))?)))
        .collect()
}

/// A required field: absent is `parameter_missing`.
pub fn required<T: FormDecode>(entries: &[(String, FormNode)], key: &str, path: &str) -> Result<T, ValidationError> {
    let path = child(path, key);
    match lookup(entries, key) {
        Some(node) => T::decode_form(node, &path),
        None => Err(ValidationError::new(path, Rule::Missing)),
    }
}

/// An optional field.
pub fn optional<T: FormDecode>(entries: &[(String, FormNode)], key: &str, path: &str) -> Result<Option<T>, ValidationError> {
    lookup(entries, key).map(|node| T::decode_form(node, &child(path, key))).transpose()
}

/// A required, nullable field: the empty string is `null` (`None`).
pub fn required_nullable<T: FormDecode>(entries: &[(String, FormNode)], key: &str, path: &str) -> Result<Option<T>, ValidationError> {
    let path = child(path, key);
    match lookup(entries, key) {
        Some(node) => Option::<T>::decode_form(node, &path),
        None => Err(ValidationError::new(path, Rule::Missing)),
    }
}

/// An optional, nullable field: absent, `null` (the empty string) or a value.
pub fn optional_nullable<T: FormDecode>(entries: &[(String, FormNode)], key: &str, path: &str) -> Result<Nullable<T>, ValidationError> {
    match lookup(entries, key) {
        Some(node) => Nullable::<T>::decode_form(node, &child(path, key)),
        None => Ok(Nullable::Absent),
    }
}

/// Tries the variants of a union in order; the first that fits wins. When none
/// does, the error that got deepest into the value is reported.
pub fn first_fit<T>(path: &str, attempts: Vec<Result<T, ValidationError>>) -> Result<T, ValidationError> {
    let mut best: Option<ValidationError> = None;
    for attempt in attempts {
        match attempt {
            Ok(v) => return Ok(v),
            Err(e) => {
                let deeper = e.param.len() > path.len();
                if best.as_ref().is_none_or(|b| deeper || b.param.len() <= path.len()) {
                    best = Some(e);
                }
            }
        }
    }
    Err(best.unwrap_or_else(|| ValidationError::new(path, Rule::Type("value"))))
}

impl FormDecode for String {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match node {
            FormNode::Value(v) => Ok(v.clone()),
            FormNode::Object(_) => Err(ValidationError::new(path, Rule::Type("string"))),
        }
    }
}

impl FormDecode for i64 {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        scalar(node, path, "integer")?.parse().map_err(|_| ValidationError::new(path, Rule::Type("integer")))
    }
}

impl FormDecode for f64 {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        scalar(node, path, "number")?
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .ok_or_else(|| ValidationError::new(path, Rule::Type("number")))
    }
}

impl FormDecode for bool {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match scalar(node, path, "boolean")? {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(ValidationError::new(path, Rule::Type("boolean"))),
        }
    }
}

impl FormDecode for Timestamp {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        scalar(node, path, "timestamp")?
            .parse()
            .map(Timestamp)
            .map_err(|_| ValidationError::new(path, Rule::Type("timestamp")))
    }
}

/// Form values carry no types: a value becomes a JSON string, keys an object.
impl FormDecode for serde_json::Value {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        Ok(match node {
            FormNode::Value(v) => serde_json::Value::String(v.clone()),
            FormNode::Object(entries) if !entries.is_empty() && entries.iter().all(|(k, _)| k.starts_with(APPENDED)) => {
                serde_json::Value::Array(entries.iter().map(|(_, v)| serde_json::Value::decode_form(v, path)).collect::<Result<_, _>>()?)
            }
            FormNode::Object(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), serde_json::Value::decode_form(v, &child(path, k))?)))
                    .collect::<Result<_, ValidationError>>()?,
            ),
        })
    }
}

/// `key[0]=a&key[1]=b` (or `key[]=a&key[]=b`), in index order.
impl<T: FormDecode> FormDecode for Vec<T> {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        let entries = match node {
            FormNode::Object(entries) => entries,
            FormNode::Value(v) if v.is_empty() => return Err(ValidationError::new(path, Rule::Empty)),
            FormNode::Value(_) => return Err(ValidationError::new(path, Rule::Type("array"))),
        };
        let mut indexed = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let k = k.strip_prefix(APPENDED).unwrap_or(k);
            let index: usize = k.parse().map_err(|_| ValidationError::new(path, Rule::Type("array")))?;
            indexed.push((index, k, v));
        }
        indexed.sort_by_key(|(i, _, _)| *i);
        indexed.into_iter().map(|(_, k, v)| T::decode_form(v, &child(path, k))).collect()
    }
}

impl<T: FormDecode> FormDecode for BTreeMap<String, T> {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        let entries = object(node, path)?;
        deny_appended(entries, path)?;
        entries.iter().map(|(k, v)| Ok((k.clone(), T::decode_form(v, &child(path, k))?))).collect()
    }
}

impl<T: FormDecode> FormDecode for Box<T> {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        T::decode_form(node, path).map(Box::new)
    }

    fn decode_form_strict(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        T::decode_form_strict(node, path).map(Box::new)
    }
}

/// The empty string is `None`.
impl<T: FormDecode> FormDecode for Option<T> {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match node {
            FormNode::Value(v) if v.is_empty() => Ok(None),
            other => T::decode_form(other, path).map(Some),
        }
    }

    fn decode_form_strict(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match node {
            FormNode::Value(v) if v.is_empty() => Ok(None),
            other => T::decode_form_strict(other, path).map(Some),
        }
    }
}

/// The empty string is `Null`.
impl<T: FormDecode> FormDecode for Nullable<T> {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match node {
            FormNode::Value(v) if v.is_empty() => Ok(Nullable::Null),
            other => T::decode_form(other, path).map(Nullable::Value),
        }
    }
}

/// The empty string is `Clear`.
impl<T: FormDecode> FormDecode for Clearable<T> {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match node {
            FormNode::Value(v) if v.is_empty() => Ok(Clearable::Clear),
            other => T::decode_form(other, path).map(Clearable::Set),
        }
    }

    fn decode_form_strict(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match node {
            FormNode::Value(v) if v.is_empty() => Ok(Clearable::Clear),
            other => T::decode_form_strict(other, path).map(Clearable::Set),
        }
    }
}

impl<T: FormDecode> FormDecode for ClearableMap<T> {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match node {
            FormNode::Value(v) if v.is_empty() => Ok(ClearableMap::Clear),
            other => BTreeMap::<String, Clearable<T>>::decode_form(other, path).map(ClearableMap::Update),
        }
    }
}

impl<T: FormDecode> FormDecode for Expandable<T> {
    fn decode_form(node: &FormNode, path: &str) -> Result<Self, ValidationError> {
        match node {
            FormNode::Value(v) => Ok(Expandable::Id(v.clone())),
            other => T::decode_form(other, path).map(|o| Expandable::Object(Box::new(o))),
        }
    }
}

// ---------------------------------------------------------------------------
// Validation

/// Checks a value against the spec's rules; errors name the parameter by `path`.
pub trait Validate {
    fn validate_at(&self, path: &str) -> Result<(), ValidationError>;
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_at(&self, path: &str) -> Result<(), ValidationError> {
        (**self).validate_at(path)
    }
}

impl<T: Validate> Validate for Expandable<T> {
    fn validate_at(&self, path: &str) -> Result<(), ValidationError> {
        match self {
            Expandable::Id(_) => Ok(()),
            Expandable::Object(o) => o.validate_at(path),
        }
    }
}

/// Values without rules of their own: what an alias of a primitive (a
/// `$ref` to `{type: integer}`) validates as; its use carries the rules.
macro_rules! no_rules {
    ($($t:ty),*) => {$(
        impl Validate for $t {
            fn validate_at(&self, _path: &str) -> Result<(), ValidationError> {
                Ok(())
            }
        }
    )*};
}

no_rules!(String, i64, f64, bool, Timestamp, serde_json::Value);

/// The items of an array (an alias of an array of named types), each at its index.
impl<T: Validate> Validate for Vec<T> {
    fn validate_at(&self, path: &str) -> Result<(), ValidationError> {
        self.iter().enumerate().try_for_each(|(i, item)| item.validate_at(&child(path, &i.to_string())))
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate_at(&self, path: &str) -> Result<(), ValidationError> {
        self.iter().try_for_each(|(k, v)| v.validate_at(&child(path, k)))
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate_at(&self, path: &str) -> Result<(), ValidationError> {
        self.as_ref().map_or(Ok(()), |v| v.validate_at(path))
    }
}

impl<T: Validate> Validate for Nullable<T> {
    fn validate_at(&self, path: &str) -> Result<(), ValidationError> {
        self.as_ref().map_or(Ok(()), |v| v.validate_at(path))
    }
}

impl<T: Validate> Validate for Clearable<T> {
    fn validate_at(&self, path: &str) -> Result<(), ValidationError> {
        match self {
            Clearable::Set(v) => v.validate_at(path),
            Clearable::Clear => Ok(()),
        }
    }
}

/// `maxLength` / `minLength`, counted in characters.
pub fn check_length(value: &str, min: Option<u64>, max: Option<u64>, path: &str) -> Result<(), ValidationError> {
    let length = value.chars().count() as u64;
    if let Some(max) = max.filter(|&m| length > m) {
        return Err(ValidationError::new(path, Rule::MaxLength(max)));
    }
    if let Some(min) = min.filter(|&m| length < m) {
        return Err(ValidationError::new(path, Rule::MinLength(min)));
    }
    Ok(())
}

/// `pattern`; `regex` is the compiled `pattern`.
pub fn check_pattern(value: &str, regex: &regex::Regex, pattern: &'static str, path: &str) -> Result<(), ValidationError> {
    if regex.is_match(value) { Ok(()) } else { Err(ValidationError::new(path, Rule::Pattern(pattern))) }
}

/// `minimum` / `maximum`, each possibly exclusive.
pub fn check_range(
    value: f64,
    minimum: Option<(f64, bool)>,
    maximum: Option<(f64, bool)>,
    path: &str,
) -> Result<(), ValidationError> {
    if let Some((limit, exclusive)) = minimum
        && (value < limit || (exclusive && value == limit))
    {
        return Err(ValidationError::new(path, Rule::Minimum { limit, exclusive }));
    }
    if let Some((limit, exclusive)) = maximum
        && (value > limit || (exclusive && value == limit))
    {
        return Err(ValidationError::new(path, Rule::Maximum { limit, exclusive }));
    }
    Ok(())
}

/// `minItems` / `maxItems`.
pub fn check_items(count: usize, min: Option<u64>, max: Option<u64>, path: &str) -> Result<(), ValidationError> {
    let count = count as u64;
    if let Some(min) = min.filter(|&m| count < m) {
        return Err(ValidationError::new(path, Rule::MinItems(min)));
    }
    if let Some(max) = max.filter(|&m| count > m) {
        return Err(ValidationError::new(path, Rule::MaxItems(max)));
    }
    Ok(())
}

/// A required string must not be empty: Stripe reads the empty string as "unset".
pub fn check_not_empty(value: &str, path: &str) -> Result<(), ValidationError> {
    if value.is_empty() { Err(ValidationError::new(path, Rule::Empty)) } else { Ok(()) }
}

/// The string formats with a checkable shape; others pass.
pub const CHECKED_FORMATS: &[&str] = &["currency"];

/// `format`: `currency` is a three-letter ISO code; other formats are not checked.
pub fn check_format(value: &str, format: &'static str, path: &str) -> Result<(), ValidationError> {
    let ok = match format {
        "currency" => value.len() == 3 && value.bytes().all(|b| b.is_ascii_alphabetic()),
        _ => true,
    };
    if ok { Ok(()) } else { Err(ValidationError::new(path, Rule::Format(format))) }
}

/// `enum`: the value must be one of `allowed`.
pub fn check_enum(value: &str, allowed: &'static [&'static str], path: &str) -> Result<(), ValidationError> {
    if allowed.contains(&value) { Ok(()) } else { Err(ValidationError::new(path, Rule::Enum(allowed))) }
}

// ---------------------------------------------------------------------------
// Arbitrary values (feature `proptest`)

/// Strategies for the values of generated parameter types: only values that
/// survive the wire, so `decode(encode(x)) == x` holds for all of them (no
/// empty arrays, maps or objects, which Stripe's encoding drops, and no value
/// whose encoding is the empty string where that means `null` or "clear").
#[cfg(feature = "proptest")]
pub mod arbitrary {
    use std::collections::BTreeMap;
    use std::fmt::Debug;

    use proptest::prelude::*;

    use super::{FormEncode, is_blank};
    use crate::runtime::{Clearable, ClearableMap, Expandable, Nullable, Timestamp};

    pub fn any_of<T: Arbitrary + 'static>() -> BoxedStrategy<T> {
        any::<T>().boxed()
    }

    pub fn string() -> BoxedStrategy<String> {
        prop_oneof![
            "[a-zA-Z0-9_.-]{0,12}",
            "[ -~]{0,12}",
            any::<String>(),
        ]
        .boxed()
    }

    pub fn integer() -> BoxedStrategy<i64> {
        any::<i64>().boxed()
    }

    pub fn number() -> BoxedStrategy<f64> {
        prop_oneof![(-1_000_000i64..1_000_000).prop_map(|n| n as f64 / 100.0), any::<f64>()]
            .prop_filter("finite", |n| n.is_finite())
            .boxed()
    }

    pub fn boolean() -> BoxedStrategy<bool> {
        any::<bool>().boxed()
    }

    pub fn timestamp() -> BoxedStrategy<Timestamp> {
        any::<i64>().prop_map(Timestamp).boxed()
    }

    /// JSON in a form can only be strings.
    pub fn json() -> BoxedStrategy<serde_json::Value> {
        string().prop_map(serde_json::Value::String).boxed()
    }

    /// Map keys: no brackets (Stripe forbids them in keys), never empty.
    pub fn key() -> BoxedStrategy<String> {
        prop_oneof!["[a-z_]{1,10}", "[a-zA-Z0-9 .%&=+~-]{1,8}"].boxed()
    }

    pub fn vec<T: Debug + 'static>(item: BoxedStrategy<T>) -> BoxedStrategy<Vec<T>> {
        proptest::collection::vec(item, 1..4).boxed()
    }

    pub fn map<T: Debug + 'static>(value: BoxedStrategy<T>) -> BoxedStrategy<BTreeMap<String, T>> {
        proptest::collection::btree_map(key(), value, 1..4).boxed()
    }

    pub fn boxed<T: Debug + 'static>(inner: BoxedStrategy<T>) -> BoxedStrategy<Box<T>> {
        inner.prop_map(Box::new).boxed()
    }

    /// A discriminated union's variant whose type carries the tag property,
    /// with that property set to `tag` (through its JSON form; the value is
    /// kept as it is when the tag does not fit the property's type).
    pub fn tagged<T>(inner: BoxedStrategy<T>, property: &'static str, tag: &'static str) -> BoxedStrategy<T>
    where
        T: Debug + serde::Serialize + serde::de::DeserializeOwned + 'static,
    {
        inner
            .prop_map(move |value| {
                let Ok(mut json) = serde_json::to_value(&value) else {
                    return value;
                };
                if let serde_json::Value::Object(map) = &mut json {
                    map.insert(property.to_owned(), serde_json::Value::String(tag.to_owned()));
                }
                serde_json::from_value(json).unwrap_or(value)
            })
            .boxed()
    }

    pub fn optional<T: Debug + 'static>(inner: BoxedStrategy<T>) -> BoxedStrategy<Option<T>> {
        proptest::option::of(inner).boxed()
    }

    fn filled<T: FormEncode + Debug + 'static>(inner: BoxedStrategy<T>) -> BoxedStrategy<T> {
        inner.prop_filter("blank on the wire", |v| !is_blank(v)).boxed()
    }

    /// A `null`able item: `None` is the empty string, so `Some` never is.
    pub fn nullable_item<T: FormEncode + Debug + Clone + 'static>(inner: BoxedStrategy<T>) -> BoxedStrategy<Option<T>> {
        prop_oneof![1 => Just(None), 3 => filled(inner).prop_map(Some)].boxed()
    }

    pub fn nullable<T: FormEncode + Debug + Clone + 'static>(inner: BoxedStrategy<T>) -> BoxedStrategy<Nullable<T>> {
        prop_oneof![
            1 => Just(Nullable::Absent),
            1 => Just(Nullable::Null),
            3 => filled(inner).prop_map(Nullable::Value),
        ]
        .boxed()
    }

    pub fn clearable<T: FormEncode + Debug + Clone + 'static>(inner: BoxedStrategy<T>) -> BoxedStrategy<Clearable<T>> {
        prop_oneof![1 => Just(Clearable::Clear), 3 => filled(inner).prop_map(Clearable::Set)].boxed()
    }

    pub fn clearable_map<T: FormEncode + Debug + Clone + 'static>(
        inner: BoxedStrategy<T>,
    ) -> BoxedStrategy<ClearableMap<T>> {
        prop_oneof![
            1 => Just(ClearableMap::Clear),
            3 => map(clearable(inner)).prop_map(ClearableMap::Update),
        ]
        .boxed()
    }

    pub fn expandable<T: Debug + 'static>(_inner: BoxedStrategy<T>) -> BoxedStrategy<Expandable<T>> {
        "[a-zA-Z0-9_]{1,12}".prop_map(Expandable::Id).boxed()
    }

    /// An object that puts something on the wire (an empty one would be read back as absent).
    pub fn object<T: FormEncode + Debug + 'static>(inner: BoxedStrategy<T>) -> BoxedStrategy<T> {
        inner.prop_filter("empty objects are not sent", |v| !is_blank(v)).boxed()
    }

    /// A value outside `known`, for the `Unknown` variant of an open enum.
    pub fn unknown(known: &'static [&'static str]) -> BoxedStrategy<String> {
        "[a-z_]{1,12}".prop_filter("a listed value", move |s| !known.contains(&s.as_str())).boxed()
    }
}
