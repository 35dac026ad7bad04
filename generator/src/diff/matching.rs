//! Which type of the old API is which type of the new one, and what two uses
//! of types (one from each API) have in common: whether they are the same
//! type ([`Matching::same`]) and whether one admits every value of the other
//! ([`Matching::covers`]), which is what decides a wire verdict.
//!
//! Types are matched by component key, else (inline types) by Rust name when
//! the new type of that name is not a component either.

use std::collections::BTreeMap;

use crate::ir::{Api, TypeKind, TypeRef};

/// Which of the two APIs a type use belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ver {
    Old,
    New,
}

pub(super) struct Matching<'a> {
    old: &'a Api,
    new: &'a Api,
    /// Old type name -> the matching new type name.
    pub forward: BTreeMap<&'a str, &'a str>,
    /// New type name -> the matching old type name.
    pub backward: BTreeMap<&'a str, &'a str>,
}

impl<'a> Matching<'a> {
    pub fn new(old: &'a Api, new: &'a Api) -> Self {
        let by_key: BTreeMap<&str, &str> = new
            .types
            .values()
            .filter_map(|d| Some((d.component.as_deref()?, d.name.as_str())))
            .collect();
        let mut forward = BTreeMap::new();
        for def in old.types.values() {
            let matched = match &def.component {
                Some(key) => by_key.get(key.as_str()).copied(),
                None => new
                    .types
                    .get(&def.name)
                    .filter(|n| n.component.is_none())
                    .map(|n| n.name.as_str()),
            };
            if let Some(matched) = matched {
                forward.insert(def.name.as_str(), matched);
            }
        }
        let backward = forward.iter().map(|(o, n)| (*n, *o)).collect();
        Matching {
            old,
            new,
            forward,
            backward,
        }
    }

    fn api(&self, v: Ver) -> &'a Api {
        match v {
            Ver::Old => self.old,
            Ver::New => self.new,
        }
    }

    /// The two uses are the same type (named types matched across versions).
    pub fn same(&self, old: &TypeRef, new: &TypeRef) -> bool {
        self.same_as(old, new, false, false)
    }

    /// [`Matching::same`], optionally treating unix-time as an integer and an
    /// expandable field as what it expands to (or as its id).
    pub fn same_as(&self, old: &TypeRef, new: &TypeRef, time: bool, expand: bool) -> bool {
        use TypeRef as T;
        match (old, new) {
            (T::Named(a), T::Named(b)) => self.forward.get(a.as_str()) == Some(&b.as_str()),
            (T::Vec(a), T::Vec(b))
            | (T::Map(a), T::Map(b))
            | (T::Option(a), T::Option(b))
            | (T::Expandable(a), T::Expandable(b))
            | (T::Clearable(a), T::Clearable(b))
            | (T::List(a), T::List(b)) => self.same_as(a, b, time, expand),
            (T::Integer | T::Timestamp, T::Integer | T::Timestamp) if time => true,
            (T::Expandable(_), T::String) | (T::String, T::Expandable(_)) if expand => true,
            (T::Expandable(a), b) if expand => self.same_as(a, b, time, expand),
            (a, T::Expandable(b)) if expand => self.same_as(a, b, time, expand),
            (a, b) => a == b && a.named().is_empty() && !is_container(a),
        }
    }

    /// Whether every value of `narrow` is a value of `wide`.
    pub fn covers(&self, wide: (&TypeRef, Ver), narrow: (&TypeRef, Ver)) -> bool {
        self.covers_at(wide, narrow, 0)
    }

    fn covers_at(&self, wide: (&TypeRef, Ver), narrow: (&TypeRef, Ver), depth: u32) -> bool {
        use TypeRef as T;
        if depth > 32 {
            return false;
        }
        let (w, wv) = (self.resolve(wide.0, wide.1), wide.1);
        let (n, nv) = (self.resolve(narrow.0, narrow.1), narrow.1);
        let rec = |a: &TypeRef, b: &TypeRef| self.covers_at((a, wv), (b, nv), depth + 1);
        if let (T::Named(a), T::Named(b)) = (w, n)
            && self.matched((a, wv), (b, nv))
        {
            return true;
        }
        if let T::Named(u) = n
            && let Some(TypeKind::Union(union)) = self.kind(u, nv)
        {
            return union.variants.iter().all(|v| rec(w, &v.ty));
        }
        match (w, n) {
            (T::Json, _) => true,
            (T::Option(a), T::Option(b))
            | (T::Clearable(a), T::Clearable(b))
            | (T::Expandable(a), T::Expandable(b))
            | (T::Vec(a), T::Vec(b))
            | (T::Map(a), T::Map(b))
            | (T::List(a), T::List(b)) => rec(a, b),
            (T::Option(a) | T::Clearable(a), b) => rec(a, b),
            (T::Expandable(_), T::String) => true,
            (T::Expandable(a), b) => rec(a, b),
            (T::Number, T::Integer | T::Timestamp) => true,
            (T::Integer | T::Timestamp, T::Integer | T::Timestamp) => true,
            (T::String, T::Named(e)) => matches!(self.kind(e, nv), Some(TypeKind::Enum(_))),
            (T::Named(u), b) => match self.kind(u, wv) {
                Some(TypeKind::Union(union)) => union.variants.iter().any(|v| rec(&v.ty, b)),
                _ => false,
            },
            (a, b) => a == b && a.named().is_empty() && !is_container(a),
        }
    }

    fn kind(&self, name: &str, v: Ver) -> Option<&'a TypeKind> {
        self.api(v).types.get(name).map(|d| &d.kind)
    }

    /// A named type that is an alias, replaced by what it stands for.
    fn resolve<'t>(&'t self, ty: &'t TypeRef, v: Ver) -> &'t TypeRef {
        let mut ty = ty;
        for _ in 0..16 {
            match ty {
                TypeRef::Named(n) => match self.api(v).types.get(n).map(|d| &d.kind) {
                    Some(TypeKind::Alias(target)) => ty = target,
                    _ => return ty,
                },
                _ => return ty,
            }
        }
        ty
    }

    fn matched(&self, a: (&str, Ver), b: (&str, Ver)) -> bool {
        match (a.1, b.1) {
            (Ver::Old, Ver::New) => self.forward.get(a.0) == Some(&b.0),
            (Ver::New, Ver::Old) => self.forward.get(b.0) == Some(&a.0),
            _ => a.0 == b.0,
        }
    }
}

/// The default view of a response type: expandable fields arrive as ids
/// unless the client asks to expand them, which old clients never do.
pub(super) fn unexpanded(ty: &TypeRef) -> TypeRef {
    use TypeRef as T;
    let wrap = |f: fn(Box<TypeRef>) -> TypeRef, t: &TypeRef| f(Box::new(unexpanded(t)));
    match ty {
        T::Expandable(_) => T::String,
        T::Vec(t) => wrap(T::Vec, t),
        T::Map(t) => wrap(T::Map, t),
        T::Option(t) => wrap(T::Option, t),
        T::Clearable(t) => wrap(T::Clearable, t),
        T::List(t) => wrap(T::List, t),
        other => other.clone(),
    }
}

fn is_container(ty: &TypeRef) -> bool {
    !matches!(
        ty,
        TypeRef::Bool
            | TypeRef::Integer
            | TypeRef::Number
            | TypeRef::String
            | TypeRef::Timestamp
            | TypeRef::Json
            | TypeRef::Binary
            | TypeRef::Named(_)
    )
}

/// A type use as generated Rust spells it, without paths.
pub(super) fn show(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::Integer => "i64".to_owned(),
        TypeRef::Number => "f64".to_owned(),
        TypeRef::String => "String".to_owned(),
        TypeRef::Timestamp => "Timestamp".to_owned(),
        TypeRef::Json => "Value".to_owned(),
        TypeRef::Binary => "FilePart".to_owned(),
        TypeRef::Named(n) => n.clone(),
        TypeRef::Vec(t) => format!("Vec<{}>", show(t)),
        TypeRef::Map(t) => format!("BTreeMap<String, {}>", show(t)),
        TypeRef::Option(t) => format!("Option<{}>", show(t)),
        TypeRef::Expandable(t) => format!("Expandable<{}>", show(t)),
        TypeRef::Clearable(t) => format!("Clearable<{}>", show(t)),
        TypeRef::List(t) => format!("List<{}>", show(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(schemas: &str) -> Api {
        let yaml = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n{schemas}"
        );
        let spec = crate::load::load_bytes(yaml.as_bytes(), "t.yaml").expect("loads");
        crate::lower::lower(&spec).expect("lowers")
    }

    #[test]
    fn components_match_by_key_and_inline_types_by_name() {
        let old = api(
            "    a: {type: object, properties: {e: {type: string, enum: [x]}}}\n    b: {type: string, enum: [y]}\n",
        );
        let new = api(
            "    a: {type: object, properties: {e: {type: string, enum: [x, z]}}}\n    c: {type: string, enum: [y]}\n",
        );
        let m = Matching::new(&old, &new);
        assert_eq!(m.forward.get("A"), Some(&"A"));
        assert_eq!(m.forward.get("AE"), Some(&"AE"));
        // Same shape, other key: not the same component.
        assert_eq!(m.forward.get("B"), None);
        assert_eq!(m.backward.get("C"), None);
    }

    #[test]
    fn covers_is_set_inclusion_of_wire_values() {
        let old = api(
            "    e: {type: string, enum: [x]}\n    u: {anyOf: [{type: string}, {type: integer}]}\n",
        );
        let new = old.clone();
        let m = Matching::new(&old, &new);
        let named = |n: &str| TypeRef::Named(n.to_owned());
        let covers = |w: &TypeRef, n: &TypeRef| m.covers((w, Ver::New), (n, Ver::Old));
        let opt = |ty: TypeRef| TypeRef::Option(Box::new(ty));
        assert!(covers(&TypeRef::Number, &TypeRef::Integer));
        assert!(!covers(&TypeRef::Integer, &TypeRef::Number));
        assert!(covers(&TypeRef::Integer, &TypeRef::Timestamp));
        assert!(covers(&TypeRef::Json, &named("E")));
        assert!(covers(&TypeRef::String, &named("E")));
        assert!(!covers(&named("E"), &TypeRef::String));
        assert!(covers(&opt(TypeRef::String), &TypeRef::String));
        assert!(!covers(&TypeRef::String, &opt(TypeRef::String)));
        assert!(covers(&named("U"), &TypeRef::Integer));
        assert!(!covers(&named("U"), &TypeRef::Bool));
        assert!(covers(
            &TypeRef::Expandable(Box::new(named("E"))),
            &TypeRef::String
        ));
        assert!(m.same(&named("U"), &named("U")));
        assert!(!m.same(&TypeRef::Integer, &TypeRef::Timestamp));
        assert!(m.same_as(&TypeRef::Integer, &TypeRef::Timestamp, true, false));
    }
}
