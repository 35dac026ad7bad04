//! Drift reports: a semantic diff of two versions of an API, computed on the
//! lowered IR ([`Api`]), never on the spec text. For every change the report
//! says where it is (a human location and the JSON pointers in both specs),
//! what changed, whether it breaks clients built from the old spec on the wire
//! (which depends on whether the changed thing travels in requests, responses
//! or both: see [`usage`]), which generated Rust item changes and which semver
//! bump that needs. The rules live in `compare` (with the matching of types
//! in `matching`); [`render`] prints a report for a terminal, a pull-request
//! comment (Markdown) or tools (JSON); [`snapshot`] keeps the spec a generated
//! crate came from, to diff against.
//!
//! The entry point is [`diff`]. Reports are deterministic: changes are sorted.

mod compare;
mod matching;
pub mod render;
pub mod snapshot;
pub mod usage;

use std::fmt;

use serde::Serialize;

use crate::ir::Api;

/// What a change does to existing clients on the wire, ordered from harmless to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Wire {
    /// Clients built from the old spec keep working.
    Compatible,
    /// Some request an old client sends is now rejected or means something
    /// else, or some response the server now sends is not what it expects.
    Breaking,
}

/// The semver bump a change needs in the generated crate, ordered by size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Docs or behaviour only; no public signature changes.
    Patch,
    /// Additions that no caller or implementer can notice.
    Minor,
    /// Callers or implementers of the generated API may stop compiling.
    Major,
}

/// Which side of the wire a changed thing travels on, for clients of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Sent by clients: parameters, request bodies and the types in them.
    Request,
    /// Sent by the server: success and error bodies and the types in them.
    Response,
    /// Both; a change takes the worse of the two verdicts.
    Both,
}

impl Side {
    pub fn request(self) -> bool {
        matches!(self, Side::Request | Side::Both)
    }

    pub fn response(self) -> bool {
        matches!(self, Side::Response | Side::Both)
    }

    /// The side of a thing used on `self` and on `other`.
    pub fn union(self, other: Side) -> Side {
        if self == other { self } else { Side::Both }
    }
}

/// What kind of spec element a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// The document as a whole (`info`).
    Api,
    Operation,
    /// A path or query parameter.
    Parameter,
    /// A request body, or one of its properties.
    Body,
    /// The success or error body of an operation.
    Response,
    /// A named type (component schema or named inline schema).
    Schema,
    /// A property of an object schema.
    Property,
}

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    OperationAdded,
    OperationRemoved,
    MethodChanged,
    PathChanged,
    /// The operation now belongs to another resource (another route trait).
    ResourceChanged,
    ParameterAdded,
    ParameterRemoved,
    /// A path parameter that kept its place in the path but changed its name.
    ParameterRenamed,
    PropertyAdded,
    PropertyRemoved,
    SchemaAdded,
    SchemaRemoved,
    TypeChanged,
    RequiredChanged,
    NullableChanged,
    EnumValueAdded,
    EnumValueRemoved,
    /// An alternative of a `oneOf`/`anyOf` appeared.
    VariantAdded,
    /// An alternative of a `oneOf`/`anyOf` disappeared.
    VariantRemoved,
    FormatChanged,
    ConstraintTightened,
    ConstraintLoosened,
    DefaultChanged,
    ExpandabilityChanged,
    /// How a parameter is serialized (`style`, `explode`).
    StyleChanged,
    /// A request body's content type or whether it is required.
    BodyChanged,
    /// `additionalProperties` changed.
    AdditionalPropertiesChanged,
    /// The wire did not change but a generated Rust name did.
    RustNameChanged,
    /// A field is boxed (or no longer boxed) to break a cycle of types.
    BoxingChanged,
    DeprecationChanged,
    DocsChanged,
    /// Who may call the operation (its security requirements).
    SecurityChanged,
    /// The declared responses: statuses, media types or headers.
    ResponsesChanged,
}

impl ChangeKind {
    /// The kind as words, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            ChangeKind::OperationAdded => "operation added",
            ChangeKind::OperationRemoved => "operation removed",
            ChangeKind::MethodChanged => "method changed",
            ChangeKind::PathChanged => "path changed",
            ChangeKind::ResourceChanged => "resource changed",
            ChangeKind::ParameterAdded => "parameter added",
            ChangeKind::ParameterRemoved => "parameter removed",
            ChangeKind::ParameterRenamed => "parameter renamed",
            ChangeKind::PropertyAdded => "property added",
            ChangeKind::PropertyRemoved => "property removed",
            ChangeKind::SchemaAdded => "schema added",
            ChangeKind::SchemaRemoved => "schema removed",
            ChangeKind::TypeChanged => "type changed",
            ChangeKind::RequiredChanged => "required changed",
            ChangeKind::NullableChanged => "nullable changed",
            ChangeKind::EnumValueAdded => "enum value added",
            ChangeKind::EnumValueRemoved => "enum value removed",
            ChangeKind::VariantAdded => "variant added",
            ChangeKind::VariantRemoved => "variant removed",
            ChangeKind::FormatChanged => "format changed",
            ChangeKind::ConstraintTightened => "constraint tightened",
            ChangeKind::ConstraintLoosened => "constraint loosened",
            ChangeKind::DefaultChanged => "default changed",
            ChangeKind::ExpandabilityChanged => "expandability changed",
            ChangeKind::StyleChanged => "style changed",
            ChangeKind::BodyChanged => "request body changed",
            ChangeKind::AdditionalPropertiesChanged => "additionalProperties changed",
            ChangeKind::RustNameChanged => "Rust name changed",
            ChangeKind::BoxingChanged => "boxing changed",
            ChangeKind::DeprecationChanged => "deprecation changed",
            ChangeKind::DocsChanged => "docs changed",
            ChangeKind::SecurityChanged => "security changed",
            ChangeKind::ResponsesChanged => "responses changed",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// The kind of a generated Rust item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A model type (struct, enum, untagged union or alias).
    Type,
    /// A field of a generated struct.
    Field,
    /// A variant of a generated enum.
    Variant,
    /// A method of a route trait (one trait per resource, one method per operation).
    Method,
    /// A parameter of an operation: an argument when required, a setter when optional.
    Param,
    /// The crate documentation (`path` is `crate`).
    Crate,
}

/// A generated Rust item, named as the IR names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct RustItem {
    pub kind: ItemKind,
    /// `PromotionCode`, `PromotionCode::coupon`, `PromotionCodes::CreatePromotionCode` …
    pub path: String,
}

impl fmt::Display for RustItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            ItemKind::Type => "type",
            ItemKind::Field => "field",
            ItemKind::Variant => "variant",
            ItemKind::Method => "method",
            ItemKind::Param => "param",
            ItemKind::Crate => return write!(f, "crate docs"),
        };
        write!(f, "{kind} {}", self.path)
    }
}

/// One change between the two versions.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// Where, for humans: `POST /v1/promotion_codes body.coupon`, `promotion_code.coupon`.
    pub location: String,
    pub subject: Subject,
    pub kind: ChangeKind,
    /// What exactly changed: `maxLength 5000 -> 500`, `was Expandable<Coupon>, required`.
    pub detail: String,
    /// The JSON pointer of the changed element in the old spec, if it exists there.
    pub old_pointer: Option<String>,
    /// The JSON pointer of the changed element in the new spec, if it exists there.
    pub new_pointer: Option<String>,
    /// Where the changed thing travels (for clients).
    pub side: Side,
    /// The verdict for existing clients on the wire.
    pub wire: Wire,
    /// The generated item that changes.
    pub rust: RustItem,
    /// The semver bump this change alone needs.
    pub bump: Bump,
}

impl Change {
    /// The pointer to show: the new one when the element still exists.
    pub fn pointer(&self) -> &str {
        self.new_pointer
            .as_deref()
            .or(self.old_pointer.as_deref())
            .unwrap_or("#")
    }
}

/// Which API version a report compares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    pub title: String,
    pub version: String,
}

/// A drift report: every change, and the verdicts over all of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub old: Version,
    pub new: Version,
    /// Breaking if any change breaks existing clients on the wire.
    pub wire: Wire,
    /// The bump the generated crate needs: the largest of the changes' bumps.
    pub bump: Bump,
    /// How many changes break existing clients on the wire.
    pub breaking: usize,
    /// Sorted by location, kind and detail.
    pub changes: Vec<Change>,
}

impl Report {
    /// No change at all.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Some change breaks existing clients on the wire.
    pub fn is_breaking(&self) -> bool {
        self.wire == Wire::Breaking
    }
}

/// Compares two lowered APIs: `old` is what existing clients were built from.
pub fn diff(old: &Api, new: &Api) -> Report {
    let mut changes = compare::compare(old, new);
    changes.sort();
    changes.dedup();
    let breaking = changes.iter().filter(|c| c.wire == Wire::Breaking).count();
    Report {
        old: Version {
            title: old.title.clone(),
            version: old.version.clone(),
        },
        new: Version {
            title: new.title.clone(),
            version: new.version.clone(),
        },
        wire: if breaking > 0 {
            Wire::Breaking
        } else {
            Wire::Compatible
        },
        bump: changes.iter().map(|c| c.bump).max().unwrap_or(Bump::None),
        breaking,
        changes,
    }
}
