//! The validation keywords of `allOf` members that merge into one primitive:
//! read from each member and combined, the tighter bound winning.

use openapiv3::{Schema, SchemaKind, Type};

use crate::ir::Constraints;

/// The validation keywords of one member (not its enum: the base keeps its own).
pub(super) fn constraints_of(schema: &Schema) -> Constraints {
    let mut c = Constraints::default();
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            c.pattern = s.pattern.clone();
            c.min_length = s.min_length.map(|n| n as u64);
            c.max_length = s.max_length.map(|n| n as u64);
        }
        SchemaKind::Type(Type::Integer(i)) => {
            c.minimum = i.minimum.map(|m| m as f64);
            c.maximum = i.maximum.map(|m| m as f64);
            c.exclusive_minimum = i.exclusive_minimum;
            c.exclusive_maximum = i.exclusive_maximum;
        }
        SchemaKind::Type(Type::Number(n)) => {
            c.minimum = n.minimum;
            c.maximum = n.maximum;
            c.exclusive_minimum = n.exclusive_minimum;
            c.exclusive_maximum = n.exclusive_maximum;
        }
        SchemaKind::Type(Type::Array(a)) => {
            c.min_items = a.min_items.map(|n| n as u64);
            c.max_items = a.max_items.map(|n| n as u64);
        }
        SchemaKind::Any(any) => {
            c.format = any.format.clone();
            c.pattern = any.pattern.clone();
            c.min_length = any.min_length.map(|n| n as u64);
            c.max_length = any.max_length.map(|n| n as u64);
            c.minimum = any.minimum;
            c.maximum = any.maximum;
            c.exclusive_minimum = any.exclusive_minimum.unwrap_or(false);
            c.exclusive_maximum = any.exclusive_maximum.unwrap_or(false);
            c.min_items = any.min_items.map(|n| n as u64);
            c.max_items = any.max_items.map(|n| n as u64);
        }
        _ => {}
    }
    c
}

/// Adds `more` to `c`: the tighter bound wins; a format or pattern is kept
/// if `c` has none.
pub(super) fn merge_constraints(c: &mut Constraints, more: &Constraints) {
    fn tighter<T: PartialOrd + Copy>(a: Option<T>, b: Option<T>, lower: bool) -> Option<T> {
        match (a, b) {
            (Some(x), Some(y)) => Some(if (x < y) == lower { y } else { x }),
            (x, y) => x.or(y),
        }
    }
    c.min_length = tighter(c.min_length, more.min_length, true);
    c.max_length = tighter(c.max_length, more.max_length, false);
    c.min_items = tighter(c.min_items, more.min_items, true);
    c.max_items = tighter(c.max_items, more.max_items, false);
    if more.minimum.is_some() && tighter(c.minimum, more.minimum, true) == more.minimum {
        c.exclusive_minimum =
            more.exclusive_minimum || c.minimum == more.minimum && c.exclusive_minimum;
        c.minimum = more.minimum;
    }
    if more.maximum.is_some() && tighter(c.maximum, more.maximum, false) == more.maximum {
        c.exclusive_maximum =
            more.exclusive_maximum || c.maximum == more.maximum && c.exclusive_maximum;
        c.maximum = more.maximum;
    }
    if c.pattern.is_none() {
        c.pattern.clone_from(&more.pattern);
    }
    if c.format.is_none() {
        c.format.clone_from(&more.format);
    }
}
