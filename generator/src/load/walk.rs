//! The shape of an OpenAPI 3.0 document as the loader needs it: which kind of
//! object sits under which key ([`Kind`], [`child`]), so that a `$ref` is
//! resolved as what it stands for (a schema is hoisted, a path item inlined)
//! and values that are data (`example`, `examples` values, `default`, `enum`,
//! `x-` extensions) are never read as references. [`visit`] walks a tree
//! with that knowledge, without allocating, handing every object to a callback
//! with its kind and its path.

use serde_json::{Map, Value};

use crate::pointer::Pointer;

/// The OpenAPI objects the loader tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Obj {
    Root,
    Paths,
    PathItem,
    Operation,
    Responses,
    Response,
    Parameter,
    Header,
    RequestBody,
    /// A `content` map (media type -> media type object); some specs `$ref` a
    /// whole one from a file.
    Content,
    MediaType,
    Encoding,
    Example,
    Link,
    Callback,
    SecurityScheme,
    Components,
    Schema,
    Discriminator,
}

/// What a node of the document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Obj(Obj),
    /// A map whose every value is that object (`properties`, `headers`...).
    MapOf(Obj),
    /// A list of that object (`parameters`, `allOf`...).
    ListOf(Obj),
    /// Free-form data: never resolved, checked or repaired. Also anything
    /// under a key OpenAPI does not define for its object (no later stage
    /// reads it, so a `$ref` there is never followed).
    Data,
}

impl Kind {
    pub const ROOT: Kind = Kind::Obj(Obj::Root);
}

/// The kind of the value under `key` (a map key or a list index) of a node of `kind`.
pub fn child(kind: Kind, key: &str) -> Kind {
    use Kind::{Data, ListOf, MapOf};
    let obj = match kind {
        Kind::MapOf(o) | Kind::ListOf(o) => return Kind::Obj(o),
        Kind::Data => return Data,
        Kind::Obj(o) => o,
    };
    if key.starts_with("x-") {
        return Data;
    }
    let one = Kind::Obj;
    match (obj, key) {
        (Obj::Root, "paths") => one(Obj::Paths),
        (Obj::Root, "components") => one(Obj::Components),
        (Obj::Paths, _) => one(Obj::PathItem),
        (Obj::Callback, _) => one(Obj::PathItem),
        (
            Obj::PathItem,
            "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace",
        ) => one(Obj::Operation),
        (Obj::PathItem | Obj::Operation, "parameters") => ListOf(Obj::Parameter),
        (Obj::Operation, "requestBody") => one(Obj::RequestBody),
        (Obj::Operation, "responses") => one(Obj::Responses),
        (Obj::Operation, "callbacks") => MapOf(Obj::Callback),
        (Obj::Responses, _) => one(Obj::Response),
        (Obj::Response | Obj::Encoding, "headers") => MapOf(Obj::Header),
        (Obj::Response | Obj::Parameter | Obj::Header | Obj::RequestBody, "content") => {
            one(Obj::Content)
        }
        (Obj::Response, "links") => MapOf(Obj::Link),
        (Obj::Parameter | Obj::Header | Obj::MediaType, "schema") => one(Obj::Schema),
        (Obj::Parameter | Obj::Header | Obj::MediaType, "examples") => MapOf(Obj::Example),
        (Obj::Content, _) => one(Obj::MediaType),
        (Obj::MediaType, "encoding") => MapOf(Obj::Encoding),
        (Obj::Components, "schemas") => MapOf(Obj::Schema),
        (Obj::Components, "responses") => MapOf(Obj::Response),
        (Obj::Components, "parameters") => MapOf(Obj::Parameter),
        (Obj::Components, "examples") => MapOf(Obj::Example),
        (Obj::Components, "requestBodies") => MapOf(Obj::RequestBody),
        (Obj::Components, "headers") => MapOf(Obj::Header),
        (Obj::Components, "securitySchemes") => MapOf(Obj::SecurityScheme),
        (Obj::Components, "links") => MapOf(Obj::Link),
        (Obj::Components, "callbacks") => MapOf(Obj::Callback),
        (Obj::Schema, "properties") => MapOf(Obj::Schema),
        (Obj::Schema, "items" | "additionalProperties" | "not") => one(Obj::Schema),
        (Obj::Schema, "allOf" | "oneOf" | "anyOf") => ListOf(Obj::Schema),
        (Obj::Schema, "discriminator") => one(Obj::Discriminator),
        // Examples, links, security schemes, a discriminator's `mapping` (the
        // bundler reads it), `default`, `enum`, `example(s)`...
        _ => Data,
    }
}

/// One step of a path from the root: a map key or a list index.
#[derive(Clone, Copy, Debug)]
pub enum Token<'v> {
    Key(&'v str),
    Index(usize),
}

/// The pointer of a path of tokens.
pub fn pointer(path: &[Token<'_>]) -> Pointer {
    path.iter().fold(Pointer::root(), |p, t| match t {
        Token::Key(k) => p.push(k),
        Token::Index(i) => p.push(i),
    })
}

/// Calls `f` on every object of `node` that is not data, with its kind and
/// path (relative to `path` as given); does not descend into an object that
/// has a `$ref` (its siblings mean nothing in OpenAPI 3.0).
pub fn visit<'v>(
    node: &'v Value,
    kind: Kind,
    path: &mut Vec<Token<'v>>,
    f: &mut impl FnMut(&'v Map<String, Value>, Kind, &[Token<'v>]),
) {
    if kind == Kind::Data {
        return;
    }
    match node {
        Value::Object(map) => {
            f(map, kind, path);
            if map.get("$ref").is_some_and(Value::is_string) && matches!(kind, Kind::Obj(_)) {
                return;
            }
            for (key, value) in map {
                let kind = child(kind, key);
                if kind == Kind::Data || !(value.is_object() || value.is_array()) {
                    continue;
                }
                path.push(Token::Key(key));
                visit(value, kind, path, f);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let kind = child(kind, "");
                if kind == Kind::Data || !(item.is_object() || item.is_array()) {
                    continue;
                }
                path.push(Token::Index(i));
                visit(item, kind, path, f);
                path.pop();
            }
        }
        _ => {}
    }
}

/// What a scan of the `$ref`s of a document found: the first `$ref` whose
/// local target is missing, and the first one to another file or a URL (each
/// as the pointer of the `$ref` key and its target).
#[derive(Debug, Default)]
pub struct Refs {
    pub dangling: Option<(Pointer, String)>,
    pub external: Option<(Pointer, String)>,
}

/// Scans every `$ref` outside data.
pub fn scan_refs(root: &Value) -> Refs {
    let mut refs = Refs::default();
    visit(root, Kind::ROOT, &mut Vec::new(), &mut |map, kind, path| {
        if refs.external.is_some() || !matches!(kind, Kind::Obj(_)) {
            return;
        }
        let Some(Value::String(target)) = map.get("$ref") else {
            return;
        };
        let at = || pointer(path).push("$ref");
        match Pointer::from_ref(target) {
            Some(local) => {
                if refs.dangling.is_none() && root.pointer(local.json_pointer()).is_none() {
                    refs.dangling = Some((at(), target.clone()));
                }
            }
            None => refs.external = Some((at(), target.clone())),
        }
    });
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_defaults_and_extensions_are_data() {
        let schema = Kind::Obj(Obj::Schema);
        assert_eq!(child(schema, "example"), Kind::Data);
        assert_eq!(child(schema, "default"), Kind::Data);
        assert_eq!(child(schema, "x-anything"), Kind::Data);
        // A property called `example` or `x-id` is a schema.
        assert_eq!(child(child(schema, "properties"), "example"), schema);
        assert_eq!(child(child(schema, "properties"), "x-id"), schema);
        // An `examples` entry may be a `$ref` to an Example; its value is data.
        let media = Kind::Obj(Obj::MediaType);
        let entry = child(child(media, "examples"), "one");
        assert_eq!(entry, Kind::Obj(Obj::Example));
        assert_eq!(child(entry, "value"), Kind::Data);
    }

    #[test]
    fn scan_finds_dangling_and_external_refs_but_not_data() {
        let doc = serde_json::json!({
            "openapi": "3.0.3",
            "paths": {"/a": {"get": {"responses": {"200": {
                "description": "ok",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Missing"},
                    "example": {"$ref": "not/a/reference"},
                    "examples": {"one": {"value": {"$ref": "data.yaml"}}}
                }}
            }}}}},
            "x-extra": {"$ref": "https://example.com/never"}
        });
        let refs = scan_refs(&doc);
        let (at, target) = refs.dangling.unwrap();
        assert_eq!(
            at.as_str(),
            "#/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
        );
        assert_eq!(target, "#/components/schemas/Missing");
        assert!(refs.external.is_none());
    }
}
