//! Lowering of an operation's parameters: path-item and operation
//! parameters merged (the operation's override the path item's of the same
//! name and location), each resolved, typed by its schema and given its wire
//! style (`style`, `explode` with OpenAPI's defaults, `allowReserved`), and
//! sorted into path, query, header and cookie parameters.
//!
//! Header parameters named `Accept`, `Content-Type` or `Authorization` are
//! left out: OpenAPI says they are ignored (content negotiation and security
//! schemes own those headers). A path parameter the template does not hold
//! is left out (it cannot travel; a flaw of some published specs), and a
//! placeholder without a parameter is an error. A style the location does not allow, a
//! `content` parameter, or a value too deep for its style (an object inside
//! an array outside `deepObject`) is an error naming the parameter's pointer.

use openapiv3::{
    CookieStyle, HeaderStyle, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle,
    ReferenceOr,
};

use super::Lowerer;
use super::names::{Namer, field_name, type_name};
use crate::error::{Error, Result};
use crate::ir::{Field, ParamLocation, ParamStyle, TypeKind, TypeRef};
use crate::load::Spec;
use crate::pointer::Pointer;

/// The parameters of one operation, by location, in spec order.
#[derive(Default)]
pub(super) struct Params {
    pub path: Vec<Field>,
    pub query: Vec<Field>,
    pub header: Vec<Field>,
    pub cookie: Vec<Field>,
    pub allow_reserved: Vec<String>,
}

/// Header parameters that OpenAPI says to ignore.
const IGNORED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

impl<'a> Lowerer<'a> {
    /// The parameters of the operation at `at` (`path` is its path template,
    /// `op_name` the operation's Rust name, for inline types).
    pub(super) fn lower_params(
        &mut self,
        path: &str,
        shared: &'a [ReferenceOr<Parameter>],
        own: &'a [ReferenceOr<Parameter>],
        at: &Pointer,
        op_name: &str,
    ) -> Result<Params> {
        let path_at = Pointer::root().push("paths").push(path);
        let mut all: Vec<(Pointer, &ReferenceOr<Parameter>)> = shared
            .iter()
            .enumerate()
            .map(|(i, p)| (path_at.push("parameters").push(i), p))
            .collect();
        all.extend(
            own.iter()
                .enumerate()
                .map(|(i, p)| (at.push("parameters").push(i), p)),
        );
        // Operation parameters override path-item parameters of the same name and place.
        let mut resolved: Vec<((String, ParamLocation), Pointer, &Parameter)> = Vec::new();
        for (p_at, param) in all {
            let (p_at, param) = resolve_parameter(self.spec, param, &p_at)?;
            let data = param.parameter_data_ref();
            // Header names are case-insensitive.
            let name = match location(param) {
                ParamLocation::Header => data.name.to_ascii_lowercase(),
                _ => data.name.clone(),
            };
            let key = (name, location(param));
            resolved.retain(|(k, _, _)| *k != key);
            resolved.push((key, p_at, param));
        }
        let mut out = Params::default();
        let mut field_names = Namer::default();
        for ((lower_name, place), p_at, param) in resolved {
            if place == ParamLocation::Header && IGNORED_HEADERS.contains(&lower_name.as_str()) {
                continue;
            }
            let data = param.parameter_data_ref();
            let style = style_of(param);
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(s) => s,
                ParameterSchemaOrContent::Content(_) => {
                    return Err(Error::Unsupported {
                        at: self.spec.at(&p_at.push("content")),
                        message: format!(
                            "parameter '{}' described by `content` instead of `schema`",
                            data.name
                        ),
                    });
                }
            };
            let s_at = p_at.push("schema");
            let mut shape = self.lower_schema(
                schema.into(),
                &s_at,
                &format!("{op_name}{}", type_name(&data.name)),
            )?;
            // A value of any type (an array without `items`) in a parameter
            // is text on the wire: read and written as strings.
            shape.ty = match shape.ty {
                TypeRef::Json => TypeRef::String,
                TypeRef::Vec(item) if *item == TypeRef::Json => {
                    TypeRef::Vec(Box::new(TypeRef::String))
                }
                ty => ty,
            };
            if style != ParamStyle::DeepObject && self.depth(&shape.ty) > 2 {
                return Err(Error::Unsupported {
                    at: self.spec.at(&s_at),
                    message: format!(
                        "{} parameter '{}' ({}): arrays and objects of primitives only; nested values need `style: deepObject` or `content`",
                        place.as_str(),
                        data.name,
                        style_words(style)
                    ),
                });
            }
            if let Parameter::Query {
                allow_reserved: true,
                ..
            } = param
            {
                out.allow_reserved.push(data.name.clone());
            }
            let field = Field {
                wire: data.name.clone(),
                rust: field_names.claim(&field_name(&data.name)),
                ty: shape.ty,
                // Path parameters are always required (OpenAPI says so).
                required: data.required || place == ParamLocation::Path,
                nullable: shape.nullable,
                boxed: false,
                docs: data.description.clone().or(shape.docs),
                constraints: shape.constraints,
                default: shape.default,
                deprecated: data.deprecated.unwrap_or(false) || shape.deprecated,
                read_only: false,
                write_only: false,
                style: Some(style),
                pointer: p_at,
            };
            match place {
                // A path parameter the template does not hold cannot travel
                // (a known flaw of published specs): it is left out.
                ParamLocation::Path if !placeholders(path).contains(&data.name.as_str()) => {}
                ParamLocation::Path => out.path.push(field),
                ParamLocation::Query => out.query.push(field),
                ParamLocation::Header => out.header.push(field),
                ParamLocation::Cookie => out.cookie.push(field),
            }
        }
        // Every placeholder declared. (Path parameters keep the spec's order:
        // the route methods' arguments; the server reads them by name.)
        let template = placeholders(path);
        if let Some(missing) = template
            .iter()
            .find(|p| !out.path.iter().any(|f| f.wire == **p))
        {
            return Err(Error::Unsupported {
                at: self.spec.at(at),
                message: format!(
                    "the path template's placeholder '{{{missing}}}' has no path parameter"
                ),
            });
        }
        Ok(out)
    }

    /// How deep a value of `ty` nests: 1 for a primitive, 2 for an array or
    /// object of primitives, more beyond.
    fn depth(&self, ty: &TypeRef) -> usize {
        self.depth_within(ty, 0)
    }

    fn depth_within(&self, ty: &TypeRef, seen: usize) -> usize {
        // A cycle of types is deep.
        if seen > 8 {
            return usize::MAX / 2;
        }
        match ty {
            TypeRef::Option(t) | TypeRef::Clearable(t) => self.depth_within(t, seen + 1),
            TypeRef::Vec(t) | TypeRef::Map(t) => 1 + self.depth_within(t, seen + 1),
            TypeRef::Expandable(_) | TypeRef::List(_) | TypeRef::Json | TypeRef::Binary => 3,
            TypeRef::Named(name) => match self.types.get(name).map(|d| &d.kind) {
                Some(TypeKind::Alias(t)) => self.depth_within(t, seen + 1),
                Some(TypeKind::Struct(s)) => {
                    1 + s
                        .fields
                        .iter()
                        .map(|f| self.depth_within(&f.ty, seen + 1))
                        .chain(s.additional.iter().map(|t| self.depth_within(t, seen + 1)))
                        .max()
                        .unwrap_or(1)
                }
                Some(TypeKind::Union(u)) => u
                    .variants
                    .iter()
                    .map(|v| self.depth_within(&v.ty, seen + 1))
                    .max()
                    .unwrap_or(1),
                Some(TypeKind::Tagged(t)) => t
                    .variants
                    .iter()
                    .map(|v| self.depth_within(&v.ty, seen + 1))
                    .max()
                    .unwrap_or(1),
                Some(TypeKind::Enum(_)) | None => 1,
            },
            TypeRef::Bool
            | TypeRef::Integer
            | TypeRef::Number
            | TypeRef::String
            | TypeRef::Timestamp => 1,
        }
    }
}

/// The names of a path template's placeholders, in order (`/a/{b}/{c}`: `b`, `c`).
pub fn placeholders(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

fn location(param: &Parameter) -> ParamLocation {
    match param {
        Parameter::Path { .. } => ParamLocation::Path,
        Parameter::Query { .. } => ParamLocation::Query,
        Parameter::Header { .. } => ParamLocation::Header,
        Parameter::Cookie { .. } => ParamLocation::Cookie,
    }
}

/// The parameter's style, with OpenAPI's default `explode` (true for `form`,
/// false for the others).
fn style_of(param: &Parameter) -> ParamStyle {
    let explode = param.parameter_data_ref().explode;
    let form = explode.unwrap_or(true);
    let other = explode.unwrap_or(false);
    match param {
        Parameter::Query { style, .. } => match style {
            QueryStyle::Form => ParamStyle::Form { explode: form },
            QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited { explode: other },
            QueryStyle::PipeDelimited => ParamStyle::PipeDelimited { explode: other },
            QueryStyle::DeepObject => ParamStyle::DeepObject,
        },
        Parameter::Path { style, .. } => match style {
            PathStyle::Simple => ParamStyle::Simple { explode: other },
            PathStyle::Label => ParamStyle::Label { explode: other },
            PathStyle::Matrix => ParamStyle::Matrix { explode: other },
        },
        Parameter::Header {
            style: HeaderStyle::Simple,
            ..
        } => ParamStyle::Simple { explode: other },
        Parameter::Cookie {
            style: CookieStyle::Form,
            ..
        } => ParamStyle::Form { explode: form },
    }
}

/// A style as the spec writes it: `style: form, explode: false`.
fn style_words(style: ParamStyle) -> String {
    let (name, explode) = match style {
        ParamStyle::Form { explode } => ("form", explode),
        ParamStyle::SpaceDelimited { explode } => ("spaceDelimited", explode),
        ParamStyle::PipeDelimited { explode } => ("pipeDelimited", explode),
        ParamStyle::DeepObject => ("deepObject", true),
        ParamStyle::Simple { explode } => ("simple", explode),
        ParamStyle::Label { explode } => ("label", explode),
        ParamStyle::Matrix { explode } => ("matrix", explode),
    };
    format!("style: {name}, explode: {explode}")
}

fn resolve_parameter<'p>(
    spec: &'p Spec,
    param: &'p ReferenceOr<Parameter>,
    at: &Pointer,
) -> Result<(Pointer, &'p Parameter)> {
    match param {
        ReferenceOr::Item(p) => Ok((at.clone(), p)),
        ReferenceOr::Reference { reference } => {
            let found = reference
                .strip_prefix("#/components/parameters/")
                .and_then(|key| spec.api.components.as_ref()?.parameters.get(key));
            match found {
                Some(ReferenceOr::Item(p)) => {
                    Ok((Pointer::from_ref(reference).unwrap_or_default(), p))
                }
                _ => Err(Error::Unsupported {
                    at: spec.at(&at.push("$ref")),
                    message: format!(
                        "parameter $ref '{reference}' must name a parameter under #/components/parameters"
                    ),
                }),
            }
        }
    }
}
