//! Stripe's list envelope: an object of exactly `object: enum [list]`,
//! `data: [T]`, `has_more: bool` and `url: string`, all required, is
//! `runtime::List<T>`.

use indexmap::IndexMap;
use openapiv3::{ReferenceOr, Schema, SchemaKind, Type};

use super::Lowerer;
use super::schema::{Slot, slot_hint};
use crate::error::Result;
use crate::ir::TypeRef;
use crate::pointer::Pointer;

impl Lowerer<'_> {
    /// Stripe's list envelope: exactly `object: enum [list]`, `data: [T]`,
    /// `has_more: bool` and `url: string`, all required.
    pub(super) fn list_envelope(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        at: &Pointer,
        slot: Slot<'_>,
    ) -> Result<Option<TypeRef>> {
        let keys: Vec<&str> = {
            let mut k: Vec<&str> = properties.keys().map(String::as_str).collect();
            k.sort_unstable();
            k
        };
        if keys != ["data", "has_more", "object", "url"] || required.len() != 4 {
            return Ok(None);
        }
        let inline = |key: &str| match properties.get(key) {
            Some(ReferenceOr::Item(s)) => Some(&s.schema_kind),
            _ => None,
        };
        let is_list = matches!(inline("object"), Some(SchemaKind::Type(Type::String(s)))
            if s.enumeration == [Some("list".to_owned())]);
        let has_more = matches!(inline("has_more"), Some(SchemaKind::Type(Type::Boolean(_))));
        let url = matches!(inline("url"), Some(SchemaKind::Type(Type::String(_))));
        let Some(SchemaKind::Type(Type::Array(data))) = inline("data") else {
            return Ok(None);
        };
        let Some(items) = data.items.as_ref().filter(|_| is_list && has_more && url) else {
            return Ok(None);
        };
        let hint = format!("{}Item", slot_hint(slot));
        let item = self.lower_schema(
            items.into(),
            &at.push("properties").push("data").push("items"),
            &hint,
        )?;
        Ok(Some(TypeRef::List(Box::new(item.ty))))
    }
}
