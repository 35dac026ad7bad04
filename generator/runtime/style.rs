//! OpenAPI 3.0 parameter styles on the wire, both ways: `form` (exploded or
//! not), `spaceDelimited`, `pipeDelimited` and `deepObject` in the query,
//! `simple`, `label` and `matrix` in the path, `simple` in headers and `form`
//! in the `Cookie` header, for primitives, arrays and objects, as the
//! specification's style examples table writes them (`color=blue,black,brown`,
//! `.R=100.G=200.B=150` …). Values are percent-encoded per location: query,
//! path and cookie values escape everything but unreserved characters (the
//! delimiters stay raw), `allowReserved` keeps RFC 3986 reserved characters
//! raw in query values except `&`, `=`, `#` and `+` (which would change how
//! the query reads), and header values go as they are. A value is turned into
//! text through its `form::FormEncode`, and read back into a `form::FormNode`
//! (arrays as `0`, `1` … keys) that its `form::FormDecode` reads, so every
//! type parameters use works here with the checks and errors of forms.
//! `deepObject` arrays are read as `name[0]=a`, the way Stripe's clients
//! send them (OpenAPI leaves them undefined). Emitted verbatim by the generator.

use crate::form::{FormDecode, FormEncode, FormNode, FormWriter, Rule, ValidationError};

/// A parameter style (`style` of a Parameter Object).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
    Simple,
    Label,
    Matrix,
}

/// What a parameter's value is: the styles write each differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Primitive,
    Array,
    /// An object; `keys` are its property names when they are known (a
    /// struct: an exploded `form` object's pairs are found by them), else
    /// `None` (a map: every pair no other parameter claims).
    Object { keys: Option<&'static [&'static str]> },
}

/// How one parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wire {
    /// The parameter's name on the wire.
    pub name: &'static str,
    pub style: Style,
    pub explode: bool,
    /// `allowReserved` (query only).
    pub allow_reserved: bool,
    pub shape: Shape,
}

/// A value's text form: what the styles arrange.
#[derive(Clone, Debug, PartialEq)]
enum Flat {
    Primitive(String),
    Array(Vec<String>),
    Object(Vec<(String, String)>),
}

/// The value's text, or `None` when it puts nothing on the wire (unset, or
/// an empty array or object).
fn flatten<T: FormEncode + ?Sized>(value: &T, shape: Shape) -> Option<Flat> {
    let mut out = FormWriter::new();
    value.encode_form("v", &mut out);
    let text = out.finish();
    if text.is_empty() {
        return None;
    }
    let node = crate::form::parse(&text).ok()?;
    let node = node.get("v")?.clone();
    let leaf = |node: &FormNode| match node {
        FormNode::Value(v) => v.clone(),
        // Lowering allows no deeper values outside `deepObject`.
        FormNode::Object(_) => String::new(),
    };
    Some(match (shape, node) {
        (_, FormNode::Value(v)) if shape == Shape::Primitive => Flat::Primitive(v),
        (Shape::Array, FormNode::Object(entries)) => Flat::Array(entries.iter().map(|(_, v)| leaf(v)).collect()),
        (Shape::Object { .. }, FormNode::Object(entries)) => {
            Flat::Object(entries.iter().map(|(k, v)| (k.clone(), leaf(v))).collect())
        }
        // The empty string for "null" or "clear" of an array or object.
        (_, FormNode::Value(v)) => Flat::Primitive(v),
        (_, FormNode::Object(entries)) => Flat::Object(entries.iter().map(|(k, v)| (k.clone(), leaf(v))).collect()),
    })
}

// ---------------------------------------------------------------------------
// Percent-encoding per location

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn escape(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
    out
}

/// Reserved characters `allowReserved` sends raw (not `&`, `=`, `#`, `+`).
const RESERVED: &[u8] = b":/?[]@!$'()*,;";

fn query_escape(text: &str, wire: &Wire) -> String {
    escape(text, if wire.allow_reserved { RESERVED } else { b"" })
}

fn unescape(text: &str, plus_is_space: bool, name: &str) -> Result<String, ValidationError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if plus_is_space => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
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
    String::from_utf8(out).map_err(|_| ValidationError::new(name, Rule::Type("UTF-8 string")))
}

// ---------------------------------------------------------------------------
// Encoding

/// Joins `flat` for the non-exploded styles: items, or keys and values, by `sep`.
fn joined(flat: &Flat, sep: &str, esc: &dyn Fn(&str) -> String) -> String {
    match flat {
        Flat::Primitive(v) => esc(v),
        Flat::Array(items) => items.iter().map(|v| esc(v)).collect::<Vec<_>>().join(sep),
        Flat::Object(entries) => {
            entries.iter().flat_map(|(k, v)| [esc(k), esc(v)]).collect::<Vec<_>>().join(sep)
        }
    }
}

/// Appends the query pairs of `value` (nothing when it is unset).
pub fn query<T: FormEncode + ?Sized>(value: &T, wire: &Wire, out: &mut FormWriter) {
    let Some(flat) = flatten(value, wire.shape) else {
        return;
    };
    let esc = |text: &str| query_escape(text, wire);
    let name = escape(wire.name, b"");
    let mut pairs = Vec::new();
    match (wire.style, wire.explode, &flat) {
        (Style::DeepObject, _, Flat::Object(entries)) => {
            for (k, v) in entries {
                pairs.push(format!("{name}[{}]={}", esc(k), esc(v)));
            }
        }
        (Style::DeepObject, _, Flat::Array(items)) => {
            for (i, v) in items.iter().enumerate() {
                pairs.push(format!("{name}[{i}]={}", esc(v)));
            }
        }
        (_, true, Flat::Array(items)) => {
            for v in items {
                pairs.push(format!("{name}={}", esc(v)));
            }
        }
        (_, true, Flat::Object(entries)) => {
            for (k, v) in entries {
                pairs.push(format!("{}={}", esc(k), esc(v)));
            }
        }
        (style, _, flat) => {
            let sep = match style {
                Style::SpaceDelimited => "%20",
                Style::PipeDelimited => "|",
                _ => ",",
            };
            pairs.push(format!("{name}={}", joined(flat, sep, &esc)));
        }
    }
    for pair in pairs {
        out.raw_pair(&pair);
    }
}

/// The path segment text of `value` (percent-encoded; label's `.` and
/// matrix's `;name=` included).
pub fn path<T: FormEncode + ?Sized>(value: &T, wire: &Wire) -> String {
    let flat = flatten(value, wire.shape).unwrap_or(Flat::Primitive(String::new()));
    // `label` joins by `.`, which percent-encoding would leave raw.
    let label = wire.style == Style::Label;
    let esc = |text: &str| {
        let text = escape(text, b"");
        if label { text.replace('.', "%2E") } else { text }
    };
    let name = escape(wire.name, b"");
    match (wire.style, wire.explode, &flat) {
        (Style::Label, explode, flat) => {
            let body = match (explode, flat) {
                (true, Flat::Object(entries)) => {
                    entries.iter().map(|(k, v)| format!("{}={}", esc(k), esc(v))).collect::<Vec<_>>().join(".")
                }
                (_, flat) => joined(flat, ".", &esc),
            };
            format!(".{body}")
        }
        (Style::Matrix, _, Flat::Primitive(v)) if v.is_empty() => format!(";{name}"),
        (Style::Matrix, true, Flat::Array(items)) => items.iter().map(|v| format!(";{name}={}", esc(v))).collect(),
        (Style::Matrix, true, Flat::Object(entries)) => {
            entries.iter().map(|(k, v)| format!(";{}={}", esc(k), esc(v))).collect()
        }
        (Style::Matrix, false, flat) => format!(";{name}={}", joined(flat, ",", &esc)),
        (Style::Matrix, true, Flat::Primitive(v)) => format!(";{name}={}", esc(v)),
        (_, explode, flat) => simple(flat, explode, &esc),
    }
}

fn simple(flat: &Flat, explode: bool, esc: &dyn Fn(&str) -> String) -> String {
    match (explode, flat) {
        (true, Flat::Object(entries)) => {
            entries.iter().map(|(k, v)| format!("{}={}", esc(k), esc(v))).collect::<Vec<_>>().join(",")
        }
        (_, flat) => joined(flat, ",", esc),
    }
}

/// A header value (`simple` style), or `None` when the value is unset.
/// Visible ASCII goes as it is; a value with other bytes, a `%`, or
/// whitespace at either end is percent-encoded (keeping visible ASCII but
/// `%`), and so are the delimiters `,` and `=` inside the items of an array
/// or object.
pub fn header<T: FormEncode + ?Sized>(value: &T, wire: &Wire) -> Option<String> {
    let flat = flatten(value, wire.shape)?;
    let delimited = wire.shape != Shape::Primitive;
    let esc = |text: &str| {
        let plain = text.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b'%')
            && !text.starts_with(' ')
            && !text.ends_with(' ')
            && (!delimited || !text.contains([',', '=']));
        if plain {
            text.to_owned()
        } else if delimited {
            escape(text, b"!\"#$&'()*+/:;<>?@[\\]^`{|}")
        } else {
            escape(text, b"!\"#$&'()*+,/:;<=>?@[\\]^`{|}")
        }
    };
    Some(simple(&flat, wire.explode, &esc))
}

/// The `name=value` cookie pairs of `value` (`form` style; several when
/// exploded), without the `; ` that joins cookies.
pub fn cookie<T: FormEncode + ?Sized>(value: &T, wire: &Wire) -> Vec<String> {
    let Some(flat) = flatten(value, wire.shape) else {
        return Vec::new();
    };
    let esc = |text: &str| escape(text, b"");
    let name = escape(wire.name, b"");
    match (wire.explode, &flat) {
        (true, Flat::Array(items)) => items.iter().map(|v| format!("{name}={}", esc(v))).collect(),
        (true, Flat::Object(entries)) => entries.iter().map(|(k, v)| format!("{}={}", esc(k), esc(v))).collect(),
        (_, flat) => vec![format!("{name}={}", joined(flat, ",", &esc))],
    }
}

// ---------------------------------------------------------------------------
// Decoding

/// The node of a value given as delimited `parts` (already split, still
/// escaped): one value, items, or alternating keys and values.
fn node_of(parts: &[&str], shape: Shape, plus_is_space: bool, name: &str) -> Result<FormNode, ValidationError> {
    let text = |raw: &str| unescape(raw, plus_is_space, name);
    match shape {
        Shape::Primitive => Ok(FormNode::Value(text(&parts.join(","))?)),
        Shape::Array => {
            if parts.len() == 1 && parts[0].is_empty() {
                return Ok(FormNode::Object(Vec::new()));
            }
            let items = parts
                .iter()
                .enumerate()
                .map(|(i, p)| Ok((i.to_string(), FormNode::Value(text(p)?))))
                .collect::<Result<Vec<_>, ValidationError>>()?;
            Ok(FormNode::Object(items))
        }
        Shape::Object { .. } => {
            if parts.len() == 1 && parts[0].is_empty() {
                return Ok(FormNode::Object(Vec::new()));
            }
            if !parts.len().is_multiple_of(2) {
                return Err(ValidationError::new(name, Rule::Malformed));
            }
            let entries = parts
                .chunks(2)
                .map(|kv| Ok((text(kv[0])?, FormNode::Value(text(kv[1])?))))
                .collect::<Result<Vec<_>, ValidationError>>()?;
            Ok(FormNode::Object(entries))
        }
    }
}

/// The node of exploded `key=value` parts (`R=100`, `G=200`).
fn object_of_pairs(parts: &[&str], plus_is_space: bool, name: &str) -> Result<FormNode, ValidationError> {
    let entries = parts
        .iter()
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').ok_or_else(|| ValidationError::new(name, Rule::Malformed))?;
            Ok((unescape(k, plus_is_space, name)?, FormNode::Value(unescape(v, plus_is_space, name)?)))
        })
        .collect::<Result<Vec<_>, ValidationError>>()?;
    Ok(FormNode::Object(entries))
}

/// Reads a path segment (still percent-encoded) written by [`path`].
pub fn path_node(raw: &str, wire: &Wire) -> Result<FormNode, ValidationError> {
    let name = wire.name;
    let bad = || ValidationError::new(name, Rule::Malformed);
    match wire.style {
        Style::Label => {
            let body = raw.strip_prefix('.').ok_or_else(bad)?;
            match (wire.explode, wire.shape) {
                (true, Shape::Object { .. }) => object_of_pairs(&body.split('.').collect::<Vec<_>>(), false, name),
                (_, Shape::Primitive) => node_of(&[body], wire.shape, false, name),
                _ => node_of(&body.split('.').collect::<Vec<_>>(), wire.shape, false, name),
            }
        }
        Style::Matrix => {
            let body = raw.strip_prefix(';').ok_or_else(bad)?;
            let prefix = format!("{}=", escape(name, b""));
            match (wire.explode, wire.shape) {
                (true, Shape::Object { .. }) => object_of_pairs(&body.split(';').collect::<Vec<_>>(), false, name),
                (true, Shape::Array) => {
                    let items: Vec<&str> = body
                        .split(';')
                        .map(|p| p.strip_prefix(prefix.as_str()).ok_or_else(bad))
                        .collect::<Result<_, _>>()?;
                    node_of(&items, Shape::Array, false, name)
                }
                _ if body == escape(name, b"") => node_of(&[""], wire.shape, false, name),
                (_, shape) => {
                    let value = body.strip_prefix(prefix.as_str()).ok_or_else(bad)?;
                    split_simple(value, wire.explode, shape, name)
                }
            }
        }
        _ => split_simple(raw, wire.explode, wire.shape, name),
    }
}

/// A `simple` value: `a,b,c`, `R,100,G,200`, or exploded `R=100,G=200`.
fn split_simple(raw: &str, explode: bool, shape: Shape, name: &str) -> Result<FormNode, ValidationError> {
    let parts: Vec<&str> = raw.split(',').collect();
    match (explode, shape) {
        (_, Shape::Primitive) => node_of(&[raw], shape, false, name),
        (true, Shape::Object { .. }) => object_of_pairs(&parts, false, name),
        _ => node_of(&parts, shape, false, name),
    }
}

/// Reads a header value written by [`header`].
pub fn header_node(raw: &str, wire: &Wire) -> Result<FormNode, ValidationError> {
    let parts: Vec<&str> = raw.split(',').map(str::trim).collect();
    match (wire.explode, wire.shape) {
        (_, Shape::Primitive) => node_of(&[raw.trim()], wire.shape, false, wire.name),
        (true, Shape::Object { .. }) => object_of_pairs(&parts, false, wire.name),
        _ => node_of(&parts, wire.shape, false, wire.name),
    }
}

/// A query string or `Cookie` header cut into its raw `key=value` pairs.
fn raw_pairs(text: &str, sep: char) -> Vec<(String, String)> {
    text.split(sep)
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// The styled parameters of a query string or `Cookie` header, read, and
/// the rest of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Split {
    /// The parameters of `wires` that are present, by name.
    pub styled: Vec<(String, FormNode)>,
    /// The pairs no styled parameter claimed, joined by `&` (a form for `form::parse`).
    pub rest: String,
}

/// Reads the parameters of `wires` from a query string (`sep` `'&'`, `+` is
/// a space) or a `Cookie` header (`sep` `';'`). `others` are the names of
/// the other parameters there (an exploded map takes every pair but theirs).
pub fn split(text: &str, sep: char, wires: &[Wire], others: &[&str]) -> Result<Split, ValidationError> {
    let plus = sep == '&';
    let text = if plus { text.strip_prefix('?').unwrap_or(text) } else { text };
    let mut pairs: Vec<Option<(String, String)>> = raw_pairs(text, sep).into_iter().map(Some).collect();
    let decoded = |raw: &str| unescape(raw, plus, raw);
    let mut styled = Vec::new();
    // Maps that take the leftover pairs go last.
    let mut order: Vec<&Wire> = wires.iter().filter(|w| !takes_rest(w)).collect();
    order.extend(wires.iter().filter(|w| takes_rest(w)));
    let names: Vec<&str> = wires.iter().map(|w| w.name).chain(others.iter().copied()).collect();
    for wire in order {
        let mut taken: Vec<(String, String)> = Vec::new();
        for slot in pairs.iter_mut() {
            let Some((k, _)) = slot else { continue };
            let key = decoded(k)?;
            let mine = match (wire.style, wire.explode, wire.shape) {
                (Style::DeepObject, _, _) => key.starts_with(&format!("{}[", wire.name)),
                (_, true, Shape::Object { keys: Some(keys) }) => keys.contains(&key.as_str()),
                (_, true, Shape::Object { keys: None }) => {
                    !names.iter().any(|n| *n == key || key.starts_with(&format!("{n}[")))
                }
                _ => key == wire.name,
            };
            if mine {
                taken.push(slot.take().expect("present"));
            }
        }
        if taken.is_empty() {
            continue;
        }
        let name = wire.name;
        let node = match (wire.style, wire.explode, wire.shape) {
            (Style::DeepObject, _, _) => {
                let form: Vec<String> = taken.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let parsed = crate::form::parse(&form.join("&"))?;
                parsed.get(name).cloned().unwrap_or_else(FormNode::empty)
            }
            (_, true, Shape::Array) => {
                let items: Vec<&str> = taken.iter().map(|(_, v)| v.as_str()).collect();
                node_of(&items, Shape::Array, plus, name)?
            }
            (_, true, Shape::Object { .. }) => {
                let parts: Vec<String> = taken.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                object_of_pairs(&parts, plus, name)?
            }
            (style, _, shape) => {
                let value = &taken.last().expect("one pair at least").1;
                if shape == Shape::Primitive {
                    node_of(&[value], shape, plus, name)?
                } else {
                    let parts: Vec<&str> = match style {
                        Style::SpaceDelimited => value.split(['+', ' ']).flat_map(|p| p.split("%20")).collect(),
                        // A `%7C` is a `|` inside an item.
                        Style::PipeDelimited => value.split('|').collect(),
                        _ => value.split(',').collect(),
                    };
                    node_of(&parts, shape, plus, name)?
                }
            }
        };
        styled.push((name.to_owned(), node));
    }
    let rest: Vec<String> = pairs.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    Ok(Split { styled, rest: rest.join("&") })
}

fn takes_rest(wire: &Wire) -> bool {
    wire.explode && wire.style != Style::DeepObject && wire.shape == (Shape::Object { keys: None })
}

/// The value of header `name` (case-insensitive) among `headers`.
pub fn find_header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Reads header parameters: each present one as a node, by its name.
pub fn headers(headers: &[(String, String)], wires: &[Wire]) -> Result<Vec<(String, FormNode)>, ValidationError> {
    let mut out = Vec::new();
    for wire in wires {
        if let Some(raw) = find_header(headers, wire.name) {
            out.push((wire.name.to_owned(), header_node(raw, wire)?));
        }
    }
    Ok(out)
}

/// Reads cookie parameters from the `Cookie` header(s).
pub fn cookies(headers: &[(String, String)], wires: &[Wire]) -> Result<Vec<(String, FormNode)>, ValidationError> {
    let all: Vec<&str> =
        headers.iter().filter(|(k, _)| k.eq_ignore_ascii_case("cookie")).map(|(_, v)| v.as_str()).collect();
    Ok(split(&all.join("; "), ';', wires, &[])?.styled)
}

/// Reads a value of type `T` from a node made by this module.
pub fn decode<T: FormDecode>(node: &FormNode, name: &str) -> Result<T, ValidationError> {
    T::decode_form(node, name)
}
