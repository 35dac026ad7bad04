//! The drift rules: walks two IRs side by side and turns every difference into
//! a [`Change`] with its wire verdict and semver bump.
//!
//! Matching: types by component key (else by Rust name, for inline types),
//! operations by method and path (path parameter names ignored), then by an
//! `operationId` that stayed while the method or path moved; fields, parameters,
//! enum values by wire name; union alternatives by type.
//!
//! Direction: a request is fine when the new spec accepts everything an old
//! client sends; a response is fine when the old client accepts everything the
//! new server sends. So tightening a request constraint breaks and loosening it
//! does not; for responses it is the other way round. Enum values are the
//! exception: generated enums are open, so a new value in a response is
//! compatible. Rust bumps count callers (struct literals, exhaustive matches,
//! signatures) and implementers of the route traits (a new operation is a new
//! trait method without a default body: major).

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use serde_json::Value;

use super::matching::{Matching, Ver, show, unexpanded};
use super::usage::usage;
use super::{Bump, Change, ChangeKind, ItemKind, RustItem, Side, Subject, Wire};
use crate::emit::types::Scope;
use crate::ir::{Api, Constraints, Field, Method, Operation, TypeDef, TypeKind, TypeRef};

/// Every change between `old` and `new`, unsorted.
mod webhooks;

pub(super) fn compare(old: &Api, new: &Api) -> Vec<Change> {
    let mut cx = Cx::new(old, new);
    cx.api_docs();
    cx.types();
    cx.operations();
    cx.webhooks();
    cx.changes
}

struct Cx<'a> {
    old: &'a Api,
    new: &'a Api,
    old_sides: BTreeMap<String, Side>,
    new_sides: BTreeMap<String, Side>,
    /// Which old type is which new type.
    m: Matching<'a>,
    /// Where each side's types are emitted (`params` or `models`).
    old_scope: Scope,
    new_scope: Scope,
    changes: Vec<Change>,
}

/// Where a change is, and what the generated item there is.
#[derive(Clone, Debug)]
struct Place {
    location: String,
    subject: Subject,
    rust: RustItem,
    side: Side,
    old_pointer: Option<String>,
    new_pointer: Option<String>,
    /// An operation parameter (path, query or body property): required ones are
    /// arguments, optional ones setters.
    param: bool,
}

/// The owner of a list of fields: a struct type, or an operation's parameters.
#[derive(Clone, Debug)]
struct Fields {
    /// `promotion_code`, `POST /v1/promotion_codes body` …
    prefix: String,
    /// `.` for properties, ` ` for parameters.
    separator: &'static str,
    subject: Subject,
    /// The Rust owner: the struct or the operation.
    owner: String,
    item: ItemKind,
    side: Side,
    param: bool,
    /// The generated struct is `#[non_exhaustive]` (params structs, built with
    /// `new` and setters): a new optional field only adds a setter, minor.
    /// Model structs have struct literals, so a new field is major.
    non_exhaustive: bool,
    /// The old struct rejected unknown keys (`additionalProperties: false`).
    old_deny_unknown: bool,
}

impl Fields {
    fn place(&self, old: Option<&Field>, new: Option<&Field>) -> Place {
        let field = new.or(old).expect("a field on at least one side");
        Place {
            location: format!("{}{}{}", self.prefix, self.separator, field.wire),
            subject: self.subject,
            rust: RustItem {
                kind: self.item,
                path: format!("{}::{}", self.owner, field.rust),
            },
            side: self.side,
            old_pointer: old.map(|f| f.pointer.to_string()),
            new_pointer: new.map(|f| f.pointer.to_string()),
            param: self.param,
        }
    }
}

/// The wire verdict of a change that breaks requests when `requests`, and
/// responses when `responses`, for a thing used on `side`.
fn verdict(side: Side, requests: bool, responses: bool) -> Wire {
    if (side.request() && requests) || (side.response() && responses) {
        Wire::Breaking
    } else {
        Wire::Compatible
    }
}

impl<'a> Cx<'a> {
    fn new(old: &'a Api, new: &'a Api) -> Self {
        Cx {
            old,
            new,
            old_sides: usage(old),
            new_sides: usage(new),
            m: Matching::new(old, new),
            old_scope: Scope::new(old),
            new_scope: Scope::new(new),
            changes: Vec::new(),
        }
    }

    fn push(&mut self, place: &Place, kind: ChangeKind, detail: String, wire: Wire, bump: Bump) {
        self.changes.push(Change {
            location: place.location.clone(),
            subject: place.subject,
            kind,
            detail,
            old_pointer: place.old_pointer.clone(),
            new_pointer: place.new_pointer.clone(),
            side: place.side,
            wire,
            rust: place.rust.clone(),
            bump,
        });
    }

    /// The side of a matched pair of types. Types no operation reaches are
    /// taken as response types: APIs such as Stripe's deliver them in events.
    fn side_of(&self, old: &str, new: &str) -> Side {
        match (self.old_sides.get(old), self.new_sides.get(new)) {
            (Some(a), Some(b)) => a.union(*b),
            (Some(s), None) | (None, Some(s)) => *s,
            (None, None) => Side::Response,
        }
    }

    fn api_docs(&mut self) {
        if self.old.description != self.new.description {
            let place = Place {
                location: "info".to_owned(),
                subject: Subject::Api,
                rust: RustItem {
                    kind: ItemKind::Crate,
                    path: "crate".to_owned(),
                },
                side: Side::Both,
                old_pointer: Some("#/info/description".to_owned()),
                new_pointer: Some("#/info/description".to_owned()),
                param: false,
            };
            self.push(
                &place,
                ChangeKind::DocsChanged,
                "description".to_owned(),
                Wire::Compatible,
                Bump::Patch,
            );
        }
    }

    // ---- types -------------------------------------------------------------

    fn types(&mut self) {
        let (old, new) = (self.old, self.new);
        for def in old.types.values() {
            match self.m.forward.get(def.name.as_str()) {
                Some(name) => self.compare_def(def, &new.types[*name]),
                None => {
                    let side = self.old_sides.get(&def.name).copied();
                    let place = type_place(def, side.unwrap_or(Side::Response), Some(def), None);
                    self.push(
                        &place,
                        ChangeKind::SchemaRemoved,
                        kind_word(&def.kind).to_owned(),
                        Wire::Compatible,
                        Bump::Major,
                    );
                }
            }
        }
        for def in new.types.values() {
            if !self.m.backward.contains_key(def.name.as_str()) {
                let side = self.new_sides.get(&def.name).copied();
                let place = type_place(def, side.unwrap_or(Side::Response), None, Some(def));
                self.push(
                    &place,
                    ChangeKind::SchemaAdded,
                    kind_word(&def.kind).to_owned(),
                    Wire::Compatible,
                    Bump::Minor,
                );
            }
        }
    }

    fn compare_def(&mut self, old: &'a TypeDef, new: &'a TypeDef) {
        let side = self.side_of(&old.name, &new.name);
        let place = type_place(new, side, Some(old), Some(new));
        if old.name != new.name {
            self.push(
                &place,
                ChangeKind::RustNameChanged,
                format!("{} -> {}", old.name, new.name),
                Wire::Compatible,
                Bump::Major,
            );
        }
        if old.docs != new.docs {
            self.push(
                &place,
                ChangeKind::DocsChanged,
                "description".to_owned(),
                Wire::Compatible,
                Bump::Patch,
            );
        }
        match (&old.kind, &new.kind) {
            (TypeKind::Struct(o), TypeKind::Struct(n)) => {
                let fields = Fields {
                    prefix: place.location.clone(),
                    separator: ".",
                    subject: Subject::Property,
                    owner: new.name.clone(),
                    item: ItemKind::Field,
                    side,
                    param: false,
                    non_exhaustive: self.old_scope.in_params(&old.name)
                        && self.new_scope.in_params(&new.name),
                    old_deny_unknown: o.deny_unknown,
                };
                self.compare_fields(&fields, &o.fields, &n.fields);
                self.compare_additional(&place, o.additional.as_ref(), n.additional.as_ref());
                if o.deny_unknown != n.deny_unknown {
                    let wire = verdict(side, n.deny_unknown, o.deny_unknown);
                    self.push(
                        &place,
                        ChangeKind::AdditionalPropertiesChanged,
                        format!(
                            "unknown properties {} -> {}",
                            rejected(o.deny_unknown),
                            rejected(n.deny_unknown)
                        ),
                        wire,
                        Bump::Patch,
                    );
                }
                self.compare_expandable(&place, &o.expandable_fields, &n.expandable_fields);
            }
            (TypeKind::Enum(o), TypeKind::Enum(n)) => {
                // Strings became numbers (or back): every value reads differently.
                if o.value != n.value {
                    self.push(
                        &place,
                        ChangeKind::TypeChanged,
                        format!("enum of {:?} -> enum of {:?}", o.value, n.value),
                        verdict(side, true, true),
                        Bump::Major,
                    );
                }
                let olds: BTreeMap<&str, &str> = o
                    .variants
                    .iter()
                    .map(|v| (v.wire.as_str(), v.rust.as_str()))
                    .collect();
                let news: BTreeMap<&str, &str> = n
                    .variants
                    .iter()
                    .map(|v| (v.wire.as_str(), v.rust.as_str()))
                    .collect();
                let variant = |rust: &str| RustItem {
                    kind: ItemKind::Variant,
                    path: format!("{}::{rust}", new.name),
                };
                for (wire, rust) in &olds {
                    let mut at = place.clone();
                    match news.get(wire) {
                        None => {
                            at.rust = variant(rust);
                            // Clients may still send it; the server may just stop sending it.
                            self.push(
                                &at,
                                ChangeKind::EnumValueRemoved,
                                format!("{wire:?}"),
                                verdict(side, true, false),
                                Bump::Major,
                            );
                        }
                        Some(now) if now != rust => {
                            at.rust = variant(now);
                            self.push(
                                &at,
                                ChangeKind::RustNameChanged,
                                format!("{wire:?}: {rust} -> {now}"),
                                Wire::Compatible,
                                Bump::Major,
                            );
                        }
                        Some(_) => {}
                    }
                }
                for (wire, rust) in &news {
                    if !olds.contains_key(wire) {
                        let mut at = place.clone();
                        at.rust = variant(rust);
                        // Open enums keep unknown values, so old clients read it
                        // as `Unknown`; exhaustive matches on the Rust enum break.
                        self.push(
                            &at,
                            ChangeKind::EnumValueAdded,
                            format!("{wire:?}"),
                            Wire::Compatible,
                            Bump::Major,
                        );
                    }
                }
            }
            (TypeKind::Union(o), TypeKind::Union(n)) => {
                for ov in &o.variants {
                    if !n.variants.iter().any(|nv| self.m.same(&ov.ty, &nv.ty)) {
                        let mut at = place.clone();
                        at.rust = RustItem {
                            kind: ItemKind::Variant,
                            path: format!("{}::{}", new.name, ov.rust),
                        };
                        self.push(
                            &at,
                            ChangeKind::VariantRemoved,
                            show(&ov.ty),
                            verdict(side, true, false),
                            Bump::Major,
                        );
                    }
                }
                for nv in &n.variants {
                    if !o.variants.iter().any(|ov| self.m.same(&ov.ty, &nv.ty)) {
                        let mut at = place.clone();
                        at.rust = RustItem {
                            kind: ItemKind::Variant,
                            path: format!("{}::{}", new.name, nv.rust),
                        };
                        // Unions are closed: an old client cannot parse the new shape.
                        self.push(
                            &at,
                            ChangeKind::VariantAdded,
                            show(&nv.ty),
                            verdict(side, false, true),
                            Bump::Major,
                        );
                    }
                }
            }
            (TypeKind::Tagged(o), TypeKind::Tagged(n)) => {
                // Variants pair by tag value. An unknown tag is kept (the
                // `Unknown` variant), so a new one breaks no old reader.
                let first =
                    |v: &crate::ir::TaggedVariant| v.tags.first().cloned().unwrap_or_default();
                for ov in &o.variants {
                    if !n
                        .variants
                        .iter()
                        .any(|nv| nv.tags.iter().any(|t| ov.tags.contains(t)))
                    {
                        let mut at = place.clone();
                        at.rust = RustItem {
                            kind: ItemKind::Variant,
                            path: format!("{}::{}", new.name, ov.rust),
                        };
                        self.push(
                            &at,
                            ChangeKind::VariantRemoved,
                            first(ov),
                            verdict(side, true, false),
                            Bump::Major,
                        );
                    }
                }
                for nv in &n.variants {
                    if !o
                        .variants
                        .iter()
                        .any(|ov| ov.tags.iter().any(|t| nv.tags.contains(t)))
                    {
                        let mut at = place.clone();
                        at.rust = RustItem {
                            kind: ItemKind::Variant,
                            path: format!("{}::{}", new.name, nv.rust),
                        };
                        self.push(
                            &at,
                            ChangeKind::VariantAdded,
                            first(nv),
                            verdict(side, false, false),
                            Bump::Major,
                        );
                    }
                }
            }
            (TypeKind::Alias(o), TypeKind::Alias(n)) => self.compare_use(&place, o, n),
            (o, n) => {
                let is_string = |k: &TypeKind| matches!(k, TypeKind::Alias(TypeRef::String));
                let is_enum = |k: &TypeKind| matches!(k, TypeKind::Enum(_));
                let (requests, responses) = if is_enum(o) && is_string(n) {
                    (false, false)
                } else if is_string(o) && is_enum(n) {
                    (true, false)
                } else {
                    (true, true)
                };
                self.push(
                    &place,
                    ChangeKind::TypeChanged,
                    format!("{} -> {}", kind_word(o), kind_word(n)),
                    verdict(side, requests, responses),
                    Bump::Major,
                );
            }
        }
    }

    fn compare_additional(&mut self, place: &Place, old: Option<&TypeRef>, new: Option<&TypeRef>) {
        let mut at = place.clone();
        at.location = format!("{}.additionalProperties", place.location);
        match (old, new) {
            (None, None) => {}
            (Some(o), Some(n)) => self.compare_use(&at, o, n),
            (o, n) => {
                let shown = |t: Option<&TypeRef>| t.map_or_else(|| "none".to_owned(), show);
                // New extra keys are ignored by old clients; keys no longer
                // accepted break the requests that sent them.
                let wire = verdict(place.side, n.is_none(), false);
                self.push(
                    &at,
                    ChangeKind::AdditionalPropertiesChanged,
                    format!("{} -> {}", shown(o), shown(n)),
                    wire,
                    Bump::Major,
                );
            }
        }
    }

    fn compare_expandable(&mut self, place: &Place, old: &[String], new: &[String]) {
        let olds: BTreeSet<&String> = old.iter().collect();
        let news: BTreeSet<&String> = new.iter().collect();
        for gone in olds.difference(&news) {
            // Requests that ask to expand it (`expand[]=…`) are now rejected.
            self.push(
                place,
                ChangeKind::ExpandabilityChanged,
                format!("{gone} is no longer expandable"),
                Wire::Breaking,
                Bump::Patch,
            );
        }
        for added in news.difference(&olds) {
            self.push(
                place,
                ChangeKind::ExpandabilityChanged,
                format!("{added} became expandable"),
                Wire::Compatible,
                Bump::Patch,
            );
        }
    }

    // ---- fields --------------------------------------------------------------

    fn compare_fields(&mut self, at: &Fields, old: &[Field], new: &[Field]) {
        for o in old {
            match new.iter().find(|n| n.wire == o.wire) {
                Some(n) => self.compare_field(&at.place(Some(o), Some(n)), o, n),
                None => {
                    let place = at.place(Some(o), None);
                    let kind = if at.param {
                        ChangeKind::ParameterRemoved
                    } else {
                        ChangeKind::PropertyRemoved
                    };
                    // Requests that send it are rejected; responses lack it.
                    self.push(
                        &place,
                        kind,
                        format!("was {}", describe_field(o)),
                        verdict(at.side, true, true),
                        Bump::Major,
                    );
                }
            }
        }
        for n in new {
            if !old.iter().any(|o| o.wire == n.wire) {
                let place = at.place(None, Some(n));
                let kind = if at.param {
                    ChangeKind::ParameterAdded
                } else {
                    ChangeKind::PropertyAdded
                };
                let wire = verdict(at.side, n.required, at.old_deny_unknown);
                // A struct literal misses the field; a required parameter is a
                // new argument of `new`; an optional one of a non-exhaustive
                // params struct is a new setter.
                let bump = if at.non_exhaustive && !n.required {
                    Bump::Minor
                } else {
                    Bump::Major
                };
                self.push(&place, kind, describe_field(n), wire, bump);
            }
        }
    }

    fn compare_field(&mut self, place: &Place, old: &Field, new: &Field) {
        let side = place.side;
        if old.rust != new.rust {
            self.push(
                place,
                ChangeKind::RustNameChanged,
                format!("{} -> {}", old.rust, new.rust),
                Wire::Compatible,
                Bump::Major,
            );
        }
        // Integer <-> unix-time changes the Rust type but not the wire: the
        // format rule below reports it.
        if !self.m.same_as(&old.ty, &new.ty, true, false) {
            self.compare_use(place, &old.ty, &new.ty);
        }
        let wrapper_changed =
            presence(old.required, old.nullable) != presence(new.required, new.nullable);
        let presence_bump = if place.param || wrapper_changed {
            Bump::Major
        } else {
            Bump::Patch
        };
        if old.required != new.required {
            self.push(
                place,
                ChangeKind::RequiredChanged,
                format!("{} -> {}", required(old.required), required(new.required)),
                verdict(side, new.required, old.required),
                presence_bump,
            );
        }
        if old.nullable != new.nullable {
            let bump = if wrapper_changed {
                Bump::Major
            } else {
                Bump::Patch
            };
            self.push(
                place,
                ChangeKind::NullableChanged,
                format!("{} -> {}", nullable(old.nullable), nullable(new.nullable)),
                verdict(side, old.nullable, new.nullable),
                bump,
            );
        }
        if old.boxed != new.boxed {
            self.push(
                place,
                ChangeKind::BoxingChanged,
                format!("{} -> {}", boxed(old.boxed), boxed(new.boxed)),
                Wire::Compatible,
                Bump::Major,
            );
        }
        let enum_values = old.ty.named().is_empty() && new.ty.named().is_empty();
        let format_bump = if self.m.same(&old.ty, &new.ty) {
            Bump::Patch
        } else {
            Bump::Major
        };
        self.compare_constraints(
            place,
            "",
            &old.constraints,
            &new.constraints,
            enum_values,
            format_bump,
        );
        if old.default != new.default {
            // Requests that leave it out now mean something else.
            self.push(
                place,
                ChangeKind::DefaultChanged,
                format!("{} -> {}", value(&old.default), value(&new.default)),
                verdict(side, true, false),
                Bump::Patch,
            );
        }
        if old.style != new.style {
            let style = |s: &Option<crate::ir::ParamStyle>| {
                s.map_or_else(|| "none".to_owned(), |s| format!("{s:?}"))
            };
            self.push(
                place,
                ChangeKind::StyleChanged,
                format!("{} -> {}", style(&old.style), style(&new.style)),
                verdict(side, true, false),
                Bump::Patch,
            );
        }
        self.compare_flags(place, old.deprecated, new.deprecated, &old.docs, &new.docs);
    }

    fn compare_flags(
        &mut self,
        place: &Place,
        old_deprecated: bool,
        new_deprecated: bool,
        old_docs: &Option<String>,
        new_docs: &Option<String>,
    ) {
        if old_deprecated != new_deprecated {
            self.push(
                place,
                ChangeKind::DeprecationChanged,
                if new_deprecated {
                    "deprecated".to_owned()
                } else {
                    "no longer deprecated".to_owned()
                },
                Wire::Compatible,
                // `#[deprecated]` warns callers: a minor change; removing it is not.
                if new_deprecated {
                    Bump::Minor
                } else {
                    Bump::Patch
                },
            );
        }
        if old_docs != new_docs {
            self.push(
                place,
                ChangeKind::DocsChanged,
                "description".to_owned(),
                Wire::Compatible,
                Bump::Patch,
            );
        }
    }

    fn compare_constraints(
        &mut self,
        place: &Place,
        prefix: &str,
        old: &Constraints,
        new: &Constraints,
        enum_values: bool,
        format_bump: Bump,
    ) {
        let side = place.side;
        if old.format != new.format {
            // A new or different format narrows what is valid; dropping one widens it.
            let narrows = new.format.is_some();
            let widens = old.format.is_some();
            self.push(
                place,
                ChangeKind::FormatChanged,
                format!(
                    "{prefix}format {} -> {}",
                    opt(&old.format),
                    opt(&new.format)
                ),
                verdict(side, narrows, widens),
                format_bump,
            );
        }
        let bounds: [(&str, Option<f64>, Option<f64>, bool); 6] = [
            (
                "maxLength",
                old.max_length.map(f),
                new.max_length.map(f),
                true,
            ),
            (
                "minLength",
                old.min_length.map(f),
                new.min_length.map(f),
                false,
            ),
            ("maximum", old.maximum, new.maximum, true),
            ("minimum", old.minimum, new.minimum, false),
            ("maxItems", old.max_items.map(f), new.max_items.map(f), true),
            (
                "minItems",
                old.min_items.map(f),
                new.min_items.map(f),
                false,
            ),
        ];
        for (name, o, n, upper) in bounds {
            let tightened = match (o, n) {
                (None, None) => continue,
                (Some(a), Some(b)) if a == b => continue,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => (b < a) == upper,
            };
            let show = |v: Option<f64>| v.map_or_else(|| "none".to_owned(), |v| v.to_string());
            self.tightened(
                place,
                tightened,
                format!("{prefix}{name} {} -> {}", show(o), show(n)),
            );
        }
        for (name, o, n) in [
            (
                "exclusiveMaximum",
                old.exclusive_maximum,
                new.exclusive_maximum,
            ),
            (
                "exclusiveMinimum",
                old.exclusive_minimum,
                new.exclusive_minimum,
            ),
        ] {
            if o != n {
                self.tightened(place, n, format!("{prefix}{name} {o} -> {n}"));
            }
        }
        if old.pattern != new.pattern {
            // A changed pattern may reject what the old one allowed.
            let tightened = new.pattern.is_some();
            self.tightened(
                place,
                tightened,
                format!(
                    "{prefix}pattern {} -> {}",
                    opt(&old.pattern),
                    opt(&new.pattern)
                ),
            );
        }
        if enum_values {
            let olds: BTreeSet<&String> = old.enum_values.iter().collect();
            let news: BTreeSet<&String> = new.enum_values.iter().collect();
            for gone in olds.difference(&news) {
                self.push(
                    place,
                    ChangeKind::EnumValueRemoved,
                    format!("{prefix}{gone:?}"),
                    verdict(side, true, false),
                    Bump::Patch,
                );
            }
            for added in news.difference(&olds) {
                self.push(
                    place,
                    ChangeKind::EnumValueAdded,
                    format!("{prefix}{added:?}"),
                    Wire::Compatible,
                    Bump::Patch,
                );
            }
        }
        let empty = Constraints::default();
        for (name, o, n) in [
            ("items.", &old.items, &new.items),
            ("values.", &old.values, &new.values),
        ] {
            if o != n {
                let o = o.as_deref().unwrap_or(&empty);
                let n = n.as_deref().unwrap_or(&empty);
                let prefix = format!("{prefix}{name}");
                self.compare_constraints(place, &prefix, o, n, enum_values, format_bump);
            }
        }
    }

    fn tightened(&mut self, place: &Place, tightened: bool, detail: String) {
        let (kind, wire) = if tightened {
            (
                ChangeKind::ConstraintTightened,
                verdict(place.side, true, false),
            )
        } else {
            (
                ChangeKind::ConstraintLoosened,
                verdict(place.side, false, true),
            )
        };
        self.push(place, kind, detail, wire, Bump::Patch);
    }

    // ---- type uses -------------------------------------------------------------

    /// Compares a use of a type (a field's, an alias target, a response body).
    fn compare_use(&mut self, place: &Place, old: &TypeRef, new: &TypeRef) {
        if self.m.same(old, new) {
            return;
        }
        let requests = !self.m.covers((new, Ver::New), (old, Ver::Old));
        let responses = !self.m.covers((old, Ver::Old), (&unexpanded(new), Ver::New));
        let kind = if self.m.same_as(old, new, false, true) {
            ChangeKind::ExpandabilityChanged
        } else {
            ChangeKind::TypeChanged
        };
        self.push(
            place,
            kind,
            format!("{} -> {}", show(old), show(new)),
            verdict(place.side, requests, responses),
            Bump::Major,
        );
    }

    // ---- operations ------------------------------------------------------------

    fn operations(&mut self) {
        let (old, new) = (self.old, self.new);
        let key = |op: &Operation| (op.method, template(&op.path));
        let news: BTreeMap<(Method, String), &Operation> =
            new.operations.iter().map(|o| (key(o), o)).collect();
        let olds: BTreeMap<(Method, String), &Operation> =
            old.operations.iter().map(|o| (key(o), o)).collect();
        let mut matched_new: BTreeSet<(Method, String)> = BTreeSet::new();
        let mut unmatched_old = Vec::new();
        for (k, o) in &olds {
            match news.get(k) {
                Some(n) => {
                    matched_new.insert(k.clone());
                    self.compare_operation(o, n);
                }
                None => unmatched_old.push(*o),
            }
        }
        let mut unmatched_new: Vec<&Operation> = news
            .iter()
            .filter(|(k, _)| !matched_new.contains(*k))
            .map(|(_, o)| *o)
            .collect();
        for o in unmatched_old {
            let moved = unmatched_new.iter().position(|n| n.id == o.id);
            match moved {
                Some(i) => {
                    let n = unmatched_new.remove(i);
                    let place = op_place(n, Some(o), Some(n));
                    if o.method != n.method {
                        self.push(
                            &place,
                            ChangeKind::MethodChanged,
                            format!("{} -> {}", o.method.as_str(), n.method.as_str()),
                            Wire::Breaking,
                            Bump::Patch,
                        );
                    }
                    if template(&o.path) != template(&n.path) {
                        self.push(
                            &place,
                            ChangeKind::PathChanged,
                            format!("{} -> {}", o.path, n.path),
                            Wire::Breaking,
                            Bump::Patch,
                        );
                    }
                    self.compare_operation(o, n);
                }
                None => {
                    let place = op_place(o, Some(o), None);
                    self.push(
                        &place,
                        ChangeKind::OperationRemoved,
                        o.id.clone(),
                        Wire::Breaking,
                        Bump::Major,
                    );
                }
            }
        }
        for n in unmatched_new {
            // A new route trait method breaks every implementer.
            let place = op_place(n, None, Some(n));
            self.push(
                &place,
                ChangeKind::OperationAdded,
                n.id.clone(),
                Wire::Compatible,
                Bump::Major,
            );
        }
    }

    fn compare_operation(&mut self, old: &'a Operation, new: &'a Operation) {
        let place = op_place(new, Some(old), Some(new));
        if old.name != new.name {
            self.push(
                &place,
                ChangeKind::RustNameChanged,
                format!("{} -> {}", old.name, new.name),
                Wire::Compatible,
                Bump::Major,
            );
        }
        if old.resource != new.resource {
            self.push(
                &place,
                ChangeKind::ResourceChanged,
                format!(
                    "trait {} -> {}",
                    trait_name(&old.resource),
                    trait_name(&new.resource)
                ),
                Wire::Compatible,
                Bump::Major,
            );
        }
        let old_docs = (&old.summary, &old.docs);
        if old_docs != (&new.summary, &new.docs) {
            self.push(
                &place,
                ChangeKind::DocsChanged,
                "summary or description".to_owned(),
                Wire::Compatible,
                Bump::Patch,
            );
        }
        self.compare_flags(&place, old.deprecated, new.deprecated, &None, &None);
        // `allowReserved` changes how a client escapes values; a server
        // decodes both spellings alike.
        if old.allow_reserved != new.allow_reserved {
            self.push(
                &place,
                ChangeKind::StyleChanged,
                format!(
                    "allowReserved [{}] -> [{}]",
                    old.allow_reserved.join(", "),
                    new.allow_reserved.join(", ")
                ),
                Wire::Compatible,
                Bump::Patch,
            );
        }
        let label = format!("{} {}", new.method.as_str(), new.path);
        let params = |part: &str, subject: Subject| Fields {
            prefix: format!("{label} {part}"),
            separator: ".",
            subject,
            owner: new.name.clone(),
            item: ItemKind::Param,
            side: Side::Request,
            param: true,
            non_exhaustive: true,
            old_deny_unknown: false,
        };
        // Path parameters are matched by their place in the path: a rename
        // changes no URL.
        let path = params("path", Subject::Parameter);
        let mut old_path: Vec<&Field> = old.path_params.iter().collect();
        let mut new_path: Vec<&Field> = new.path_params.iter().collect();
        for (o_name, n_name) in placeholders(&old.path)
            .into_iter()
            .zip(placeholders(&new.path))
        {
            let o = old_path.iter().position(|f| f.wire == o_name);
            let n = new_path.iter().position(|f| f.wire == n_name);
            if let (Some(o), Some(n)) = (o, n)
                && o_name != n_name
            {
                let (o, n) = (old_path.remove(o), new_path.remove(n));
                let at = path.place(Some(o), Some(n));
                self.push(
                    &at,
                    ChangeKind::ParameterRenamed,
                    format!("{} -> {}", o.wire, n.wire),
                    Wire::Compatible,
                    Bump::Patch,
                );
                self.compare_field(&at, o, n);
            }
        }
        let old_path: Vec<Field> = old_path.into_iter().cloned().collect();
        let new_path: Vec<Field> = new_path.into_iter().cloned().collect();
        self.compare_fields(&path, &old_path, &new_path);
        self.compare_fields(
            &params("query", Subject::Parameter),
            &old.query_params,
            &new.query_params,
        );
        self.compare_fields(
            &params("header", Subject::Parameter),
            &old.header_params,
            &new.header_params,
        );
        self.compare_fields(
            &params("cookie", Subject::Parameter),
            &old.cookie_params,
            &new.cookie_params,
        );
        let body = params("body", Subject::Body);
        let no_fields: &[Field] = &[];
        let old_fields = old.body.as_ref().map_or(no_fields, |b| &b.fields);
        let new_fields = new.body.as_ref().map_or(no_fields, |b| &b.fields);
        if let (Some(o), Some(n)) = (&old.body, &new.body) {
            let mut at = place.clone();
            at.location = format!("{label} body");
            at.subject = Subject::Body;
            at.old_pointer = Some(o.pointer.to_string());
            at.new_pointer = Some(n.pointer.to_string());
            if o.content_type != n.content_type {
                self.push(
                    &at,
                    ChangeKind::BodyChanged,
                    format!("content type {} -> {}", o.content_type, n.content_type),
                    Wire::Breaking,
                    Bump::Patch,
                );
            }
            if o.required != n.required {
                self.push(
                    &at,
                    ChangeKind::BodyChanged,
                    format!("{} -> {}", required(o.required), required(n.required)),
                    verdict(Side::Request, n.required, false),
                    Bump::Patch,
                );
            }
            // Media types: a server that stops accepting one breaks its senders.
            let types = |b: &crate::ir::Body| -> Vec<String> {
                b.media.iter().map(|m| m.content_type.clone()).collect()
            };
            let (old_types, new_types) = (types(o), types(n));
            if old_types != new_types {
                let removed = old_types.iter().any(|t| !new_types.contains(t));
                self.push(
                    &at,
                    ChangeKind::BodyChanged,
                    format!(
                        "media types [{}] -> [{}]",
                        old_types.join(", "),
                        new_types.join(", ")
                    ),
                    verdict(Side::Request, removed, false),
                    Bump::Patch,
                );
            }
        }
        self.compare_security(&place, &label, old, new);
        self.compare_responses(&place, &label, old, new);
        self.compare_fields(&body, old_fields, new_fields);
        for (part, o, n) in [
            ("response", &old.response, &new.response),
            ("error", &old.error, &new.error),
        ] {
            let mut at = place.clone();
            at.location = format!("{label} {part}");
            at.subject = Subject::Response;
            at.side = Side::Response;
            match (o, n) {
                (None, None) => {}
                (Some(o), Some(n)) => self.compare_use(&at, o, n),
                (o, n) => {
                    let shown = |t: &Option<TypeRef>| {
                        t.as_ref().map_or_else(|| "no JSON body".to_owned(), show)
                    };
                    self.push(
                        &at,
                        ChangeKind::TypeChanged,
                        format!("{} -> {}", shown(o), shown(n)),
                        verdict(Side::Response, false, n.is_none()),
                        Bump::Major,
                    );
                }
            }
        }
    }
}

impl Cx<'_> {
    /// Security requirements: a caller breaks when the operation asks for
    /// credentials it did not need (a requirement that is new, or the end of
    /// public access); the Rust API does not change.
    fn compare_security(&mut self, place: &Place, label: &str, old: &Operation, new: &Operation) {
        if old.security == new.security {
            return;
        }
        let public = |s: &[Vec<String>]| s.is_empty() || s.iter().any(Vec::is_empty);
        let narrowed = !public(&new.security)
            && (public(&old.security) || new.security.iter().any(|r| !old.security.contains(r)));
        let shown = |s: &[Vec<String>]| {
            if s.is_empty() {
                "public".to_owned()
            } else {
                s.iter()
                    .map(|r| r.join(" + "))
                    .collect::<Vec<_>>()
                    .join(" | ")
            }
        };
        let mut at = place.clone();
        at.location = format!("{label} security");
        self.push(
            &at,
            ChangeKind::SecurityChanged,
            format!("{} -> {}", shown(&old.security), shown(&new.security)),
            verdict(Side::Request, narrowed, false),
            Bump::Patch,
        );
    }

    /// Declared responses: a success status, media type or header that
    /// appears or disappears changes what clients receive (and the typed
    /// answer of the route method); error statuses only the wire.
    fn compare_responses(&mut self, place: &Place, label: &str, old: &Operation, new: &Operation) {
        let shape = |op: &Operation, success: bool| -> Vec<String> {
            op.responses
                .iter()
                .filter(|r| r.status.is_success() == success)
                .map(|r| {
                    let headers: Vec<&str> = r.headers.iter().map(|h| h.wire.as_str()).collect();
                    format!(
                        "{} {} [{}]",
                        r.status.label(),
                        r.content_type.as_deref().unwrap_or("no body"),
                        headers.join(", ")
                    )
                })
                .collect()
        };
        for success in [true, false] {
            let (o, n) = (shape(old, success), shape(new, success));
            if o == n {
                continue;
            }
            let mut at = place.clone();
            at.location = format!("{label} responses");
            at.subject = Subject::Response;
            at.side = Side::Response;
            let (wire, bump) = if success {
                (verdict(Side::Response, false, true), Bump::Major)
            } else {
                (Wire::Compatible, Bump::Patch)
            };
            self.push(
                &at,
                ChangeKind::ResponsesChanged,
                format!("{} -> {}", o.join("; "), n.join("; ")),
                wire,
                bump,
            );
        }
    }
}

/// The place of a type: its component key, else its Rust name.
fn type_place(def: &TypeDef, side: Side, old: Option<&TypeDef>, new: Option<&TypeDef>) -> Place {
    Place {
        location: def.component.clone().unwrap_or_else(|| def.name.clone()),
        subject: Subject::Schema,
        rust: RustItem {
            kind: ItemKind::Type,
            path: def.name.clone(),
        },
        side,
        old_pointer: old.map(|d| d.pointer.to_string()),
        new_pointer: new.map(|d| d.pointer.to_string()),
        param: false,
    }
}

fn op_place(op: &Operation, old: Option<&Operation>, new: Option<&Operation>) -> Place {
    Place {
        location: format!("{} {}", op.method.as_str(), op.path),
        subject: Subject::Operation,
        rust: RustItem {
            kind: ItemKind::Method,
            path: format!("{}::{}", trait_name(&op.resource), op.name),
        },
        side: Side::Request,
        old_pointer: old.map(|o| o.pointer.to_string()),
        new_pointer: new.map(|o| o.pointer.to_string()),
        param: false,
    }
}

/// The route trait of a resource.
fn trait_name(resource: &str) -> String {
    resource.to_upper_camel_case()
}

/// A path template with its parameter names erased: `/v1/things/{}`.
fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// The parameter names of a path template, in order.
fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name))
        .collect()
}

fn describe_field(field: &Field) -> String {
    let mut out = format!("{} {}", required(field.required), show(&field.ty));
    if field.nullable {
        out.push_str(", nullable");
    }
    out
}

fn kind_word(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Struct(_) => "struct",
        TypeKind::Enum(_) => "enum",
        TypeKind::Union(_) => "union",
        TypeKind::Tagged(_) => "tagged union",
        TypeKind::Alias(_) => "alias",
    }
}

/// How a field is wrapped in Rust: `T`, `Option<T>` or `Nullable<T>`
/// (required-and-nullable and optional are both `Option<T>`).
fn presence(required: bool, nullable: bool) -> u8 {
    match (required, nullable) {
        (true, false) => 0,
        (true, true) | (false, false) => 1,
        (false, true) => 2,
    }
}

fn required(r: bool) -> &'static str {
    if r { "required" } else { "optional" }
}

fn nullable(n: bool) -> &'static str {
    if n { "nullable" } else { "not nullable" }
}

fn boxed(b: bool) -> &'static str {
    if b { "boxed" } else { "inline" }
}

fn rejected(deny: bool) -> &'static str {
    if deny { "rejected" } else { "allowed" }
}

fn opt(s: &Option<String>) -> String {
    s.as_deref()
        .map_or_else(|| "none".to_owned(), |s| format!("{s:?}"))
}

fn value(v: &Option<Value>) -> String {
    v.as_ref()
        .map_or_else(|| "none".to_owned(), |v| v.to_string())
}

fn f(n: u64) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_erase_parameter_names() {
        assert_eq!(template("/v1/things/{id}/x/{y}"), "/v1/things/{}/x/{}");
        assert_eq!(placeholders("/v1/things/{id}/x/{y}"), ["id", "y"]);
        assert!(placeholders("/v1/things").is_empty());
    }
}
