//! Validation of parameters: the checks of each field from the spec's rules
//! (lengths, ranges, patterns, listed values, item counts), built as
//! [`Stmt`] trees so that a check only wraps the loops and `if let`s it
//! needs, and the `Validate` impls of the named types parameters reach.

use super::{Level, Stmt, allow_deprecated, write_stmts};
use crate::emit::text::{Code, f64_literal, string_literal};
use crate::emit::types::Presence;
use crate::ir::{Constraints, Field, TypeRef, Union};

/// String formats that `form::check_format` checks (keep in step with the runtime's list).
const CHECKED_FORMATS: &[&str] = &["currency"];

/// The checks of one field (nothing when the spec gives it no rules).
pub(super) fn validate_field(field: &Field, level: &Level) -> Vec<Stmt> {
    let f = &field.rust;
    let wire = string_literal(&field.wire);
    let (path, bind_path) = match level {
        Level::Top => (wire, None),
        Level::Nested => (
            "field_path".to_owned(),
            Some(Stmt::Line(format!(
                "let field_path = &crate::form::child(path, {wire});"
            ))),
        ),
    };
    // Wrappers are matched in the pattern that binds `value` (one `if let`,
    // not nested ones).
    let (layers, inner) = peel(&field.ty);
    let mut body = checks("value", &inner, &field.constraints, &path, 0);
    // A required string cannot be empty: the empty string means "unset".
    // Not so for a whole body (a text body: the params field without a wire
    // style), where the empty string is a body like any other.
    let whole_body = matches!(level, Level::Top) && field.style.is_none();
    if Presence::of(field) == Presence::Always && field.ty == TypeRef::String && !whole_body {
        body.insert(
            0,
            Stmt::Line(format!("crate::form::check_not_empty(value, {path})?;")),
        );
    }
    if body.is_empty() {
        return body;
    }
    body.splice(0..0, bind_path);
    let pattern = wrap_pattern(&layers, "value");
    let pattern = match Presence::of(field) {
        Presence::Always if layers.is_empty() => {
            body.insert(0, Stmt::Line(format!("let value = &self.{f};")));
            return vec![Stmt::block(String::new(), body)];
        }
        Presence::Always => pattern,
        Presence::Optional | Presence::RequiredNullable => {
            format!("::std::option::Option::Some({pattern})")
        }
        Presence::OptionalNullable => format!("crate::runtime::Nullable::Value({pattern})"),
    };
    vec![Stmt::block(format!("if let {pattern} = &self.{f}"), body)]
}

/// A wrapper that validation looks through with a pattern.
#[derive(Clone, Copy)]
enum Layer {
    Some,
    Set,
    Update,
}

/// The wrappers around a use that only hold a value sometimes (`Option`,
/// `Clearable`, `ClearableMap`), outermost first, and the use inside them.
fn peel(ty: &TypeRef) -> (Vec<Layer>, TypeRef) {
    let mut layers = Vec::new();
    let mut ty = ty.clone();
    loop {
        ty = match ty {
            TypeRef::Option(inner) => {
                layers.push(Layer::Some);
                *inner
            }
            TypeRef::Clearable(inner) => {
                if let TypeRef::Map(values) = *inner {
                    layers.push(Layer::Update);
                    // The entries of the update: a map of `Clearable` values.
                    return (layers, TypeRef::Map(Box::new(TypeRef::Clearable(values))));
                }
                layers.push(Layer::Set);
                *inner
            }
            other => return (layers, other),
        };
    }
}

/// The pattern that matches `layers` (outermost first) around `binding`.
fn wrap_pattern(layers: &[Layer], binding: &str) -> String {
    layers
        .iter()
        .rev()
        .fold(binding.to_owned(), |inner, layer| match layer {
            Layer::Some => format!("::std::option::Option::Some({inner})"),
            Layer::Set => format!("crate::runtime::Clearable::Set({inner})"),
            Layer::Update => format!("crate::runtime::ClearableMap::Update({inner})"),
        })
}

fn range_bound(limit: Option<f64>, exclusive: bool) -> String {
    match limit {
        Some(limit) => format!(
            "::std::option::Option::Some(({}, {exclusive}))",
            f64_literal(limit)
        ),
        None => "::std::option::Option::None".to_owned(),
    }
}

fn opt_u64(value: Option<u64>) -> String {
    match value {
        Some(v) => format!("::std::option::Option::Some({v}u64)"),
        None => "::std::option::Option::None".to_owned(),
    }
}

/// Statements checking `value` (an expression of type `&T` for the use `ty`)
/// against `c`; empty when there is nothing to check. Errors name `path`.
fn checks(value: &str, ty: &TypeRef, c: &Constraints, path: &str, depth: usize) -> Vec<Stmt> {
    let item = format!("item_{depth}");
    let item_path = format!("path_{depth}");
    let none = Constraints::default();
    match ty {
        TypeRef::String => string_checks(value, c, path),
        TypeRef::Integer | TypeRef::Number | TypeRef::Timestamp => {
            number_checks(value, ty, c, path)
        }
        TypeRef::Vec(inner) => {
            let mut out = Vec::new();
            if c.min_items.is_some() || c.max_items.is_some() {
                let min = opt_u64(c.min_items);
                let max = opt_u64(c.max_items);
                out.push(Stmt::Line(format!(
                    "crate::form::check_items({value}.len(), {min}, {max}, {path})?;"
                )));
            }
            let item_c = c.items.as_deref().unwrap_or(&none);
            out.extend(guarded(
                format!("for (index, {item}) in {value}.iter().enumerate()"),
                Some(format!(
                    "let {item_path} = &crate::form::child({path}, &index.to_string());"
                )),
                checks(&item, inner, item_c, &item_path, depth + 1),
            ));
            out
        }
        TypeRef::Map(inner) => guarded(
            format!("for (key, {item}) in {value}"),
            Some(format!(
                "let {item_path} = &crate::form::child({path}, key);"
            )),
            checks(
                &item,
                inner,
                c.values.as_deref().unwrap_or(&none),
                &item_path,
                depth + 1,
            ),
        ),
        TypeRef::Clearable(inner) => match &**inner {
            TypeRef::Map(values) => {
                let set = guarded(
                    format!("if let crate::runtime::Clearable::Set({item}) = entry"),
                    Some(format!(
                        "let {item_path} = &crate::form::child({path}, key);"
                    )),
                    checks(
                        &item,
                        values,
                        c.values.as_deref().unwrap_or(&none),
                        &item_path,
                        depth + 1,
                    ),
                );
                let entries = guarded("for (key, entry) in entries".to_owned(), None, set);
                guarded(
                    format!("if let crate::runtime::ClearableMap::Update(entries) = {value}"),
                    None,
                    entries,
                )
            }
            inner => guarded(
                format!("if let crate::runtime::Clearable::Set({item}) = {value}"),
                None,
                checks(&item, inner, c, path, depth + 1),
            ),
        },
        TypeRef::Option(inner) => guarded(
            format!("if let ::std::option::Option::Some({item}) = {value}"),
            None,
            checks(&item, inner, c, path, depth + 1),
        ),
        TypeRef::Named(_) | TypeRef::Expandable(_) => vec![Stmt::Line(format!(
            "crate::form::Validate::validate_at({value}, {path})?;"
        ))],
        TypeRef::Bool | TypeRef::Json | TypeRef::Binary | TypeRef::List(_) => Vec::new(),
    }
}

/// `head { binding body }`, or nothing when `body` checks nothing.
fn guarded(head: String, binding: Option<String>, mut body: Vec<Stmt>) -> Vec<Stmt> {
    if body.is_empty() {
        return body;
    }
    if let Some(binding) = binding {
        body.insert(0, Stmt::Line(binding));
    }
    vec![Stmt::block(head, body)]
}

/// The range check of a number (an integer, a float or a timestamp's seconds).
fn number_checks(value: &str, ty: &TypeRef, c: &Constraints, path: &str) -> Vec<Stmt> {
    if c.minimum.is_none() && c.maximum.is_none() {
        return Vec::new();
    }
    let number = match ty {
        TypeRef::Integer => format!("*{value} as f64"),
        TypeRef::Number => format!("*{value}"),
        _ => format!("{value}.0 as f64"),
    };
    let min = range_bound(c.minimum, c.exclusive_minimum);
    let max = range_bound(c.maximum, c.exclusive_maximum);
    vec![Stmt::Line(format!(
        "crate::form::check_range({number}, {min}, {max}, {path})?;"
    ))]
}

/// The checks of a string: length, pattern, checked format, listed values.
fn string_checks(value: &str, c: &Constraints, path: &str) -> Vec<Stmt> {
    let mut out = Vec::new();
    if c.min_length.is_some() || c.max_length.is_some() {
        let min = opt_u64(c.min_length);
        let max = opt_u64(c.max_length);
        out.push(Stmt::Line(format!(
            "crate::form::check_length({value}, {min}, {max}, {path})?;"
        )));
    }
    if let Some(pattern) = &c.pattern {
        let pattern = string_literal(pattern);
        let regex = Stmt::Block {
            head: "static PATTERN: ::std::sync::LazyLock<::regex::Regex> = ::std::sync::LazyLock::new(||".to_owned(),
            body: vec![Stmt::Line(format!(
                "::regex::Regex::new({pattern}).expect(\"the spec's pattern is a valid regular expression\")"
            ))],
            tail: ");",
        };
        let check = Stmt::Line(format!(
            "crate::form::check_pattern({value}, &PATTERN, {pattern}, {path})?;"
        ));
        out.push(Stmt::block(String::new(), vec![regex, check]));
    }
    if let Some(format) = c.format.as_deref().filter(|f| CHECKED_FORMATS.contains(f)) {
        out.push(Stmt::Line(format!(
            "crate::form::check_format({value}, {}, {path})?;",
            string_literal(format)
        )));
    }
    let values: Vec<String> = c
        .enum_values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| string_literal(v))
        .collect();
    if !values.is_empty() {
        out.push(Stmt::Line(format!(
            "crate::form::check_enum({value}, &[{}], {path})?;",
            values.join(", ")
        )));
    }
    out
}

pub(super) fn struct_validate_impl(code: &mut Code, name: &str, fields: &[&Field]) {
    let checks: Vec<Stmt> = fields
        .iter()
        .flat_map(|f| validate_field(f, &Level::Nested))
        .collect();
    let path_arg = if checks.is_empty() { "_path" } else { "path" };
    allow_deprecated(code, fields);
    code.open_fmt(format_args!("impl crate::form::Validate for {name}"));
    code.open_fmt(format_args!(
        "fn validate_at(&self, {path_arg}: &str) -> ::std::result::Result<(), crate::form::ValidationError>"
    ));
    write_stmts(code, &checks);
    code.line("::std::result::Result::Ok(())");
    code.close();
    code.close();
}

/// `Validate` of a union: the checks of the variant held (through the
/// wrappers its type has; other values of those wrappers have none).
pub(super) fn union_validate_impl(code: &mut Code, name: &str, u: &Union) {
    let mut refutable = false;
    let mut arms: Vec<Stmt> = Vec::new();
    for v in &u.variants {
        let (layers, inner) = if v.boxed {
            (Vec::new(), v.ty.clone())
        } else {
            peel(&v.ty)
        };
        let checks = checks("inner", &inner, &Constraints::default(), "path", 0);
        if checks.is_empty() {
            arms.push(Stmt::Line(format!("Self::{}(_) => {{}}", v.rust)));
        } else {
            refutable |= !layers.is_empty();
            let pattern = wrap_pattern(&layers, "inner");
            arms.push(Stmt::block(
                format!("Self::{}({pattern}) =>", v.rust),
                checks,
            ));
        }
    }
    let any_checks = arms.iter().any(|arm| matches!(arm, Stmt::Block { .. }));
    if refutable {
        arms.push(Stmt::Line("_ => {}".to_owned()));
    }
    let path_arg = if any_checks { "path" } else { "_path" };
    code.open_fmt(format_args!("impl crate::form::Validate for {name}"));
    code.open_fmt(format_args!(
        "fn validate_at(&self, {path_arg}: &str) -> ::std::result::Result<(), crate::form::ValidationError>"
    ));
    code.open("match self");
    write_stmts(code, &arms);
    code.close();
    code.line("::std::result::Result::Ok(())");
    code.close();
    code.close();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks nest one block per wrapper, and only around checks that exist.
    #[test]
    fn checks_nest_only_around_checks() {
        let clearable_map = TypeRef::Clearable(Box::new(TypeRef::Map(Box::new(TypeRef::String))));
        let short_values = Constraints {
            values: Some(Box::new(Constraints {
                max_length: Some(5),
                ..Constraints::default()
            })),
            ..Constraints::default()
        };
        let none = Constraints::default();
        assert!(checks("value", &clearable_map, &none, "\"m\"", 0).is_empty());

        let mut code = Code::new();
        write_stmts(
            &mut code,
            &checks("value", &clearable_map, &short_values, "\"m\"", 0),
        );
        assert_eq!(
            code.finish(),
            "\
if let crate::runtime::ClearableMap::Update(entries) = value {
    for (key, entry) in entries {
        if let crate::runtime::Clearable::Set(item_0) = entry {
            let path_0 = &crate::form::child(\"m\", key);
            crate::form::check_length(item_0, ::std::option::Option::None, ::std::option::Option::Some(5u64), path_0)?;
        }
    }
}
"
        );
    }
}
