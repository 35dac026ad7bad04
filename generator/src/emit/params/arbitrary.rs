//! Proptest `Arbitrary` impls (feature `proptest`) of params types and of
//! the named types they reach: values that survive the wire, built from the
//! runtime's `form::arbitrary` strategies.

use super::allow_deprecated;
use crate::emit::text::{Code, line};
use crate::emit::types::{Presence, Scope, type_text_in};
use crate::ir::{Api, Enum, Field, TypeKind, TypeRef, Union};

/// `Arbitrary` of an open enum: a listed value or an unknown one.
pub(super) fn enum_arbitrary_impl(code: &mut Code, name: &str, e: &Enum, wires: &str) {
    arbitrary_impl(code, name, &[], |code| {
        code.line("::proptest::strategy::Strategy::boxed(::proptest::prop_oneof![");
        code.indent_in();
        for v in &e.variants {
            line!(code, "::proptest::strategy::Just(Self::{}),", v.rust);
        }
        code.line("::proptest::strategy::Strategy::prop_map(");
        code.indent_in();
        line!(code, "crate::form::arbitrary::unknown(&[{wires}]),");
        code.line("Self::Unknown,");
        code.indent_out();
        code.line("),");
        code.indent_out();
        code.line("])");
    });
}

/// `Arbitrary` of a union: any variant, each from its type's strategy.
pub(super) fn union_arbitrary_impl(
    code: &mut Code,
    api: &Api,
    scope: &Scope,
    name: &str,
    u: &Union,
) {
    arbitrary_impl(code, name, &[], |code| {
        code.line("::proptest::strategy::Strategy::boxed(::proptest::prop_oneof![");
        code.indent_in();
        for (i, v) in u.variants.iter().enumerate() {
            let mut s = strategy(api, scope, &v.ty);
            if v.boxed {
                s = format!("crate::form::arbitrary::boxed({s})");
            }
            let comma = if i + 1 < u.variants.len() { "," } else { "" };
            line!(
                code,
                "::proptest::strategy::Strategy::prop_map({s}, Self::{}){comma}",
                v.rust
            );
        }
        code.indent_out();
        code.line("])");
    });
}

/// A `BoxedStrategy` expression for values of the use `ty` that survive the wire.
pub(super) fn strategy(api: &Api, scope: &Scope, ty: &TypeRef) -> String {
    let wrap = |helper: &str, inner: &TypeRef| {
        format!(
            "crate::form::arbitrary::{helper}({})",
            strategy(api, scope, inner)
        )
    };
    match ty {
        TypeRef::Bool => "crate::form::arbitrary::boolean()".to_owned(),
        TypeRef::Integer => "crate::form::arbitrary::integer()".to_owned(),
        TypeRef::Number => "crate::form::arbitrary::number()".to_owned(),
        TypeRef::String => "crate::form::arbitrary::string()".to_owned(),
        TypeRef::Timestamp => "crate::form::arbitrary::timestamp()".to_owned(),
        TypeRef::Json => "crate::form::arbitrary::json()".to_owned(),
        TypeRef::Binary => "crate::payload::arbitrary_file()".to_owned(),
        TypeRef::Named(name) => match api.types.get(name).map(|d| &d.kind) {
            Some(TypeKind::Alias(target)) => strategy(api, scope, target),
            _ => format!(
                "crate::form::arbitrary::any_of::<{}>()",
                scope.path_text(name)
            ),
        },
        TypeRef::Vec(t) => wrap("vec", t),
        TypeRef::Map(t) => wrap("map", t),
        TypeRef::Option(t) => wrap("nullable_item", t),
        TypeRef::Clearable(t) => match &**t {
            TypeRef::Map(values) => wrap("clearable_map", values),
            other => wrap("clearable", other),
        },
        TypeRef::Expandable(t) => wrap("expandable", t),
        TypeRef::List(_) => format!(
            "crate::form::arbitrary::any_of::<{}>()",
            type_text_in(ty, scope)
        ),
    }
}

fn field_strategy(api: &Api, scope: &Scope, field: &Field) -> String {
    let mut s = strategy(api, scope, &field.ty);
    if field.boxed {
        s = format!("crate::form::arbitrary::boxed({s})");
    }
    match Presence::of(field) {
        Presence::Always => s,
        Presence::Optional => format!("crate::form::arbitrary::optional({s})"),
        Presence::RequiredNullable => format!("crate::form::arbitrary::nullable_item({s})"),
        Presence::OptionalNullable => format!("crate::form::arbitrary::nullable({s})"),
    }
}

/// How the strategies of a struct's fields are grouped for `prop_map`: a
/// field's own, or a tuple of at most 10 (proptest's limit), nested.
#[derive(Clone)]
enum Nest {
    Field(usize),
    Tuple(Vec<Nest>),
}

/// Groups `items` so that no tuple has more than 10 elements.
fn nest(items: Vec<Nest>) -> Nest {
    if items.len() == 1 {
        return items.into_iter().next().expect("one item");
    }
    if items.len() <= 10 {
        return Nest::Tuple(items);
    }
    let groups = items.chunks(10).map(|c| nest(c.to_vec())).collect();
    nest(groups)
}

/// The strategy (tuple) of `nest`, one strategy a line, then a comma.
fn write_strategies(code: &mut Code, nest: &Nest, strategies: &[String]) {
    match nest {
        Nest::Field(i) => line!(code, "{},", strategies[*i]),
        Nest::Tuple(items) => {
            code.line("(");
            code.indent_in();
            for item in items {
                write_strategies(code, item, strategies);
            }
            code.indent_out();
            code.line("),");
        }
    }
}

/// The closure pattern that binds the fields from the value of `nest`'s strategy.
fn nest_pattern(nest: &Nest, fields: &[&Field]) -> String {
    match nest {
        Nest::Field(i) => fields[*i].rust.clone(),
        Nest::Tuple(items) => {
            let items: Vec<String> = items.iter().map(|n| nest_pattern(n, fields)).collect();
            format!("({})", items.join(", "))
        }
    }
}

/// `Arbitrary` for a struct: a strategy per field, mapped to the struct (an
/// object, `nested`, is also shrunk through `form::arbitrary::object`).
pub(super) fn arbitrary_struct(
    code: &mut Code,
    api: &Api,
    scope: &Scope,
    name: &str,
    fields: &[&Field],
    extra: Option<&str>,
    nested: bool,
) {
    let (open, close) = if nested {
        ("crate::form::arbitrary::object(", ")")
    } else {
        ("", "")
    };
    let mut inits: Vec<String> = fields.iter().map(|f| f.rust.clone()).collect();
    inits.extend(extra.map(|e| format!("{e}: ::std::collections::BTreeMap::new()")));
    let value = if inits.is_empty() {
        "Self {}".to_owned()
    } else {
        format!("Self {{ {} }}", inits.join(", "))
    };
    arbitrary_impl(code, name, fields, |code| {
        if fields.is_empty() {
            line!(
                code,
                "{open}::proptest::strategy::Strategy::boxed(::proptest::strategy::Just({value})){close}"
            );
            return;
        }
        line!(
            code,
            "{open}::proptest::strategy::Strategy::boxed(::proptest::strategy::Strategy::prop_map("
        );
        code.indent_in();
        let strategies: Vec<String> = fields
            .iter()
            .map(|f| field_strategy(api, scope, f))
            .collect();
        let nest = nest((0..fields.len()).map(Nest::Field).collect());
        write_strategies(code, &nest, &strategies);
        line!(code, "|{}| {value},", nest_pattern(&nest, fields));
        code.indent_out();
        line!(code, ")){close}");
    });
}

/// `impl Arbitrary for name` (feature `proptest`); `write_body` writes the
/// body of `arbitrary_with`.
pub(super) fn arbitrary_impl(
    code: &mut Code,
    name: &str,
    fields: &[&Field],
    write_body: impl FnOnce(&mut Code),
) {
    code.line("#[cfg(feature = \"proptest\")]");
    allow_deprecated(code, fields);
    code.open_fmt(format_args!(
        "impl ::proptest::arbitrary::Arbitrary for {name}"
    ));
    code.line("type Parameters = ();");
    code.line("type Strategy = ::proptest::strategy::BoxedStrategy<Self>;");
    code.open("fn arbitrary_with(_: Self::Parameters) -> Self::Strategy");
    write_body(code);
    code.close();
    code.close();
}
