//! Request/response reachability: which named types travel in requests (path
//! and query parameters, request-body properties), which in responses (the
//! success and error bodies, and webhook payloads, which the API sends),
//! and which in both. A drift verdict depends on
//! it: a new optional field is harmless in a response but a new required one
//! breaks every request. Types are followed through [`TypeRef::named`] into
//! struct fields, `additionalProperties`, union alternatives and aliases.

use std::collections::BTreeMap;

use super::Side;
use crate::ir::{Api, TypeRef};

/// The side of every type some operation reaches, keyed by Rust name. Types
/// that no operation reaches are absent.
pub fn usage(api: &Api) -> BTreeMap<String, Side> {
    let mut sides: BTreeMap<String, Side> = BTreeMap::new();
    for op in &api.operations {
        let request = op
            .path_params
            .iter()
            .chain(&op.query_params)
            .chain(&op.header_params)
            .chain(&op.cookie_params)
            .chain(op.body.iter().flat_map(|b| &b.fields))
            .map(|f| &f.ty);
        for ty in request {
            mark(api, ty, Side::Request, &mut sides);
        }
        for ty in op.response.iter().chain(&op.error) {
            mark(api, ty, Side::Response, &mut sides);
        }
    }
    // A webhook payload is sent by the API, as a response is: its receivers
    // are the clients.
    for hook in &api.webhooks {
        if let Some(ty) = &hook.payload {
            mark(api, ty, Side::Response, &mut sides);
        }
    }
    sides
}

/// Marks every type `ty` reaches as used on `side`.
fn mark(api: &Api, ty: &TypeRef, side: Side, sides: &mut BTreeMap<String, Side>) {
    let mut stack: Vec<&str> = ty.named();
    while let Some(name) = stack.pop() {
        let now = match sides.get(name) {
            Some(seen) if seen.union(side) == *seen => continue,
            Some(seen) => seen.union(side),
            None => side,
        };
        sides.insert(name.to_owned(), now);
        let Some(def) = api.types.get(name) else {
            continue;
        };
        stack.extend(def.kind.named_uses());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lower(yaml: &str) -> Api {
        let spec = crate::load::load_bytes(yaml.as_bytes(), "usage.yaml").expect("loads");
        crate::lower::lower(&spec).expect("lowers")
    }

    #[test]
    fn sides_follow_types_from_operations() {
        let api = lower(
            r"
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /v1/things:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                shared: {$ref: '#/components/schemas/shared'}
                input: {$ref: '#/components/schemas/input'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/thing'}
components:
  schemas:
    thing:
      type: object
      properties:
        shared: {$ref: '#/components/schemas/shared'}
        inner: {$ref: '#/components/schemas/inner'}
    inner:
      type: object
      properties:
        x: {type: string}
    shared:
      type: object
      properties:
        y: {type: string}
    input:
      type: object
      properties:
        z: {type: string}
    orphan:
      type: object
      properties:
        w: {type: string}
",
        );
        let sides = usage(&api);
        assert_eq!(sides.get("Thing"), Some(&Side::Response));
        assert_eq!(sides.get("Inner"), Some(&Side::Response));
        assert_eq!(sides.get("Input"), Some(&Side::Request));
        assert_eq!(sides.get("Shared"), Some(&Side::Both));
        assert_eq!(sides.get("Orphan"), None);
    }
}
