//! Request bodies as bytes on the wire, beyond forms and JSON objects: a
//! [`Payload`] (content type and bytes) is what a client sends and a server
//! reads; [`FilePart`] is a file or blob (bytes with an optional file name
//! and media type) for binary bodies and the file parts of
//! `multipart/form-data` bodies, which [`MultipartWriter`] writes and
//! [`parse_multipart`] reads; [`accepts`] is the content negotiation a server
//! does before reading a body (a media type the operation does not declare
//! is a 415). Emitted verbatim by the generator.

use crate::form::{Rule, ValidationError};

/// A request body: its `Content-Type` and its bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payload {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Payload {
    pub fn new(content_type: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Payload { content_type: content_type.into(), bytes: bytes.into() }
    }
}

/// A file or blob: the bytes, and the file name and media type sent with
/// them (a multipart part's `filename` and `Content-Type`; for a binary body,
/// its `Content-Type`). Build one with `FilePart::new(bytes)` and the setters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FilePart {
    pub name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl FilePart {
    /// Bytes without a file name or media type.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        FilePart { name: None, content_type: None, bytes: bytes.into() }
    }

    /// The file name sent with the bytes (`filename="…"` of a multipart part).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The media type sent with the bytes (`image/png` …).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(bytes: Vec<u8>) -> Self {
        FilePart::new(bytes)
    }
}

impl From<&[u8]> for FilePart {
    fn from(bytes: &[u8]) -> Self {
        FilePart::new(bytes)
    }
}

/// A media type without its parameters, in lower case: `text/plain; charset=utf-8` -> `text/plain`.
pub fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// Whether `content_type` is one of `accepted` (the media types an operation
/// declares). Parameters are ignored; `*/*` and `image/*` ranges match their types.
pub fn accepts(accepted: &[&str], content_type: &str) -> bool {
    let given = essence(content_type);
    let (top, _) = given.split_once('/').unwrap_or((given.as_str(), ""));
    accepted.iter().any(|a| {
        let a = essence(a);
        a == given || a == "*/*" || a.strip_suffix("/*").is_some_and(|t| t == top)
    })
}

/// One part of a `multipart/form-data` body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Part {
    /// The form field name (`name="…"`).
    pub name: String,
    /// The file name (`filename="…"`), for file parts.
    pub file_name: Option<String>,
    /// The part's `Content-Type`, if it has one.
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl Part {
    /// The part as a [`FilePart`].
    pub fn into_file(self) -> FilePart {
        FilePart { name: self.file_name, content_type: self.content_type, bytes: self.bytes }
    }

    /// The part's bytes as text.
    pub fn text(&self) -> Result<&str, ValidationError> {
        std::str::from_utf8(&self.bytes).map_err(|_| ValidationError::new(self.name.clone(), Rule::Type("string")))
    }
}

/// Writes a `multipart/form-data` body, parts in the order given. The
/// boundary is `apigen-boundary-<n>` with the smallest `n` that occurs in no
/// part, so the same parts always give the same bytes.
#[derive(Clone, Debug, Default)]
pub struct MultipartWriter {
    parts: Vec<Part>,
}

impl MultipartWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// A text part (no `Content-Type`: `text/plain` by default).
    pub fn text(&mut self, name: &str, value: &str) {
        self.parts.push(Part { name: name.to_owned(), bytes: value.as_bytes().to_vec(), ..Part::default() });
    }

    /// Every pair of an `application/x-www-form-urlencoded` text as a text
    /// part (the form's keys, such as `meta[a]`, are the part names).
    pub fn form_pairs(&mut self, form: &str) {
        for pair in form.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |t: &str| crate::form::decode_path_segment(t).unwrap_or_else(|| t.to_owned());
            self.text(&decode(key), &decode(value));
        }
    }

    /// A JSON part (`Content-Type: application/json`).
    pub fn json<T: serde::Serialize + ?Sized>(&mut self, name: &str, value: &T) {
        let bytes = serde_json::to_vec(value).unwrap_or_default();
        self.parts.push(Part {
            name: name.to_owned(),
            content_type: Some("application/json".to_owned()),
            bytes,
            ..Part::default()
        });
    }

    /// A file part: `filename` from the file (`file` when it has none, so a
    /// server sees a file), its media type, else `default_type`, else
    /// `application/octet-stream`.
    pub fn file(&mut self, name: &str, file: &FilePart, default_type: Option<&str>) {
        self.parts.push(Part {
            name: name.to_owned(),
            file_name: Some(file.name.clone().unwrap_or_else(|| "file".to_owned())),
            content_type: Some(
                file.content_type.clone().or(default_type.map(str::to_owned)).unwrap_or_else(|| "application/octet-stream".to_owned()),
            ),
            bytes: file.bytes.clone(),
        });
    }

    /// The body, with its `multipart/form-data; boundary=…` content type.
    pub fn finish(self) -> Payload {
        let mut n = 0u32;
        let boundary = loop {
            let candidate = format!("apigen-boundary-{n}");
            if !self.parts.iter().any(|p| contains(&p.bytes, candidate.as_bytes())) {
                break candidate;
            }
            n += 1;
        };
        let mut out = Vec::new();
        for part in &self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", quote(&part.name));
            if let Some(file) = &part.file_name {
                disposition.push_str(&format!("; filename=\"{}\"", quote(file)));
            }
            out.extend_from_slice(disposition.as_bytes());
            out.extend_from_slice(b"\r\n");
            if let Some(ct) = &part.content_type {
                out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&part.bytes);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Payload { content_type: format!("multipart/form-data; boundary={boundary}"), bytes: out }
    }
}

/// A quoted-string's content: `"` and `\` escaped, line breaks dropped.
fn quote(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '\r' && *c != '\n')
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    find(haystack, needle, 0).is_some()
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    (from..=haystack.len() - needle.len()).find(|&i| &haystack[i..i + needle.len()] == needle)
}

/// The most parts [`parse_multipart`] reads (more is a 400).
pub const MAX_PARTS: usize = 1000;

/// Reads a `multipart/form-data` body (`content_type` gives its boundary).
/// The whole body is already in memory, within the server's body limit;
/// at most [`MAX_PARTS`] parts are read. Errors name no parameter
/// ([`Rule::Malformed`]), or the part that is not valid.
pub fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<Part>, ValidationError> {
    let malformed = |why: &str| ValidationError {
        param: String::new(),
        rule: Rule::Malformed,
        message: format!("Invalid multipart/form-data body: {why}."),
    };
    let boundary = content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
        .ok_or_else(|| malformed("no boundary in the Content-Type"))?;
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0).ok_or_else(|| malformed("no boundary in the body"))?;
    let mut parts = Vec::new();
    loop {
        at += delimiter.len();
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        if parts.len() == MAX_PARTS {
            return Err(malformed("too many parts"));
        }
        let start = at + skip_line_break(&body[at..]);
        let next = find(body, delimiter, start).ok_or_else(|| malformed("a part does not end"))?;
        // The part ends with the line break before the next delimiter.
        let mut end = next;
        if body[..end].ends_with(b"\r\n") {
            end -= 2;
        } else if body[..end].ends_with(b"\n") {
            end -= 1;
        }
        parts.push(parse_part(&body[start..end.max(start)]).ok_or_else(|| malformed("a part has no valid headers"))?);
        at = next;
    }
}

fn skip_line_break(rest: &[u8]) -> usize {
    if rest.starts_with(b"\r\n") {
        2
    } else if rest.starts_with(b"\n") {
        1
    } else {
        0
    }
}

fn parse_part(part: &[u8]) -> Option<Part> {
    let (head_end, body_start) = match find(part, b"\r\n\r\n", 0) {
        Some(i) => (i, i + 4),
        None => {
            let i = find(part, b"\n\n", 0)?;
            (i, i + 2)
        }
    };
    let head = std::str::from_utf8(&part[..head_end]).ok()?;
    let mut out = Part { bytes: part[body_start..].to_vec(), ..Part::default() };
    let mut named = false;
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-type") {
            out.content_type = Some(value.trim().to_owned());
        } else if name.eq_ignore_ascii_case("content-disposition") {
            for param in split_params(value).into_iter().skip(1) {
                let Some((k, v)) = param.split_once('=') else { continue };
                let v = unquote(v.trim());
                match k.trim().to_ascii_lowercase().as_str() {
                    "name" => {
                        out.name = v;
                        named = true;
                    }
                    "filename" => out.file_name = Some(v),
                    _ => {}
                }
            }
        }
    }
    named.then_some(out)
}

/// `form-data; name="a;b"; filename="x"` split at the `;` outside quotes.
fn split_params(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let (mut quoted, mut escaped) = (false, false);
    for c in value.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_owned();
    };
    let mut out = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        if escaped || c != '\\' {
            out.push(c);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    out
}

/// Splits parsed parts into the form text of the named text parts (as an
/// `application/x-www-form-urlencoded` string, for the form decoder) and the
/// rest (files, JSON parts and other typed parts), by name.
pub fn split_parts(parts: Vec<Part>, typed: &[&str]) -> (String, Vec<Part>) {
    let mut form = Vec::new();
    let mut rest = Vec::new();
    for part in parts {
        if typed.contains(&part.name.as_str()) {
            rest.push(part);
        } else {
            let value = String::from_utf8_lossy(&part.bytes);
            form.push(format!("{}={}", percent_encode(&part.name), percent_encode(&value)));
        }
    }
    (form.join("&"), rest)
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The single file part named `name`, if sent.
pub fn take_file(parts: &mut Vec<Part>, name: &str) -> Option<FilePart> {
    let i = parts.iter().position(|p| p.name == name)?;
    Some(parts.remove(i).into_file())
}

/// Every file part named `name`, in order.
pub fn take_files(parts: &mut Vec<Part>, name: &str) -> Vec<FilePart> {
    let (mine, rest): (Vec<Part>, Vec<Part>) = std::mem::take(parts).into_iter().partition(|p| p.name == name);
    *parts = rest;
    mine.into_iter().map(Part::into_file).collect()
}

/// The JSON part named `name`, read as `T`, if sent.
pub fn take_json<T: serde::de::DeserializeOwned>(parts: &mut Vec<Part>, name: &str) -> Result<Option<T>, ValidationError> {
    let Some(i) = parts.iter().position(|p| p.name == name) else {
        return Ok(None);
    };
    let part = parts.remove(i);
    serde_json::from_slice(&part.bytes).map(Some).map_err(|_| ValidationError::new(name, Rule::Type("JSON value")))
}

/// A proptest strategy for files (feature `proptest`).
#[cfg(feature = "proptest")]
pub fn arbitrary_file() -> proptest::strategy::BoxedStrategy<FilePart> {
    use proptest::prelude::*;
    (proptest::option::of("[a-z]{1,8}\\.bin"), proptest::collection::vec(any::<u8>(), 0..16))
        .prop_map(|(name, bytes)| FilePart { name, content_type: Some("application/octet-stream".to_owned()), bytes })
        .boxed()
}

/// A text or binary request body read as the one field `body` (what
/// `from_wire` of such an operation uses; the names mirror `form` and `json`).
pub mod raw {
    use crate::form::ValidationError;

    /// The body text.
    pub struct Raw<'a>(pub &'a str);

    /// A value a whole text or binary body is read as.
    pub trait FromRaw: Sized {
        fn from_raw(text: &str) -> Self;
    }

    impl FromRaw for String {
        fn from_raw(text: &str) -> Self {
            text.to_owned()
        }
    }

    impl FromRaw for super::FilePart {
        fn from_raw(text: &str) -> Self {
            super::FilePart::new(text.as_bytes())
        }
    }

    /// Nothing is unknown in a body that is one value.
    pub fn deny_unknown(_: &Raw<'_>, _: &[&str], _: &str) -> Result<(), ValidationError> {
        Ok(())
    }

    /// The body, whatever it is (an empty one too).
    pub fn required<T: FromRaw>(raw: &Raw<'_>, _: &str, _: &str) -> Result<T, ValidationError> {
        Ok(T::from_raw(raw.0))
    }

    /// The body, or `None` when it is empty.
    pub fn optional<T: FromRaw>(raw: &Raw<'_>, _: &str, _: &str) -> Result<Option<T>, ValidationError> {
        Ok((!raw.0.is_empty()).then(|| T::from_raw(raw.0)))
    }
}
