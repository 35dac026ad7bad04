//! Lowering of security: the schemes of `components/securitySchemes`
//! ([`SecurityScheme`]) and each operation's requirements (its `security`,
//! else the spec's; `security: []` makes an operation public). `oauth2` and
//! `openIdConnect` schemes are bearer tokens on the wire; an `http` scheme
//! other than `bearer` and `basic` is an error where an operation uses it.

use openapiv3::{APIKeyLocation, ReferenceOr};

use super::Lowerer;
use crate::error::{Error, Result};
use crate::ir::{ApiKeyLocation, SchemeKind, SecurityRequirement, SecurityScheme};
use crate::pointer::Pointer;

impl Lowerer<'_> {
    /// The schemes of `components/securitySchemes`, in spec order. Schemes
    /// this generator cannot send are left out (an operation that requires
    /// one is an error, see [`Lowerer::lower_security`]).
    pub(super) fn lower_security_schemes(&self) -> Result<Vec<SecurityScheme>> {
        let Some(components) = &self.spec.api.components else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (key, scheme) in &components.security_schemes {
            let at = Pointer::root()
                .push("components")
                .push("securitySchemes")
                .push(key);
            let ReferenceOr::Item(scheme) = scheme else {
                return Err(Error::Unsupported {
                    at: self.spec.at(&at.push("$ref")),
                    message: "security schemes given by $ref".to_owned(),
                });
            };
            use openapiv3::SecurityScheme as S;
            let (kind, docs) = match scheme {
                S::APIKey {
                    location,
                    name,
                    description,
                    ..
                } => (
                    SchemeKind::ApiKey {
                        location: match location {
                            APIKeyLocation::Header => ApiKeyLocation::Header,
                            APIKeyLocation::Query => ApiKeyLocation::Query,
                            APIKeyLocation::Cookie => ApiKeyLocation::Cookie,
                        },
                        name: name.clone(),
                    },
                    description,
                ),
                S::HTTP {
                    scheme,
                    description,
                    ..
                } if scheme.eq_ignore_ascii_case("bearer") => (SchemeKind::Bearer, description),
                S::HTTP {
                    scheme,
                    description,
                    ..
                } if scheme.eq_ignore_ascii_case("basic") => (SchemeKind::Basic, description),
                S::HTTP { .. } => continue,
                S::OAuth2 { description, .. } | S::OpenIDConnect { description, .. } => {
                    (SchemeKind::Bearer, description)
                }
            };
            out.push(SecurityScheme {
                key: key.clone(),
                kind,
                docs: description_of(docs),
                pointer: at,
            });
        }
        Ok(out)
    }

    /// The requirements of an operation: its own `security`, else the spec's.
    pub(super) fn lower_security(
        &self,
        schemes: &[SecurityScheme],
        own: &Option<Vec<openapiv3::SecurityRequirement>>,
        at: &Pointer,
    ) -> Result<Vec<SecurityRequirement>> {
        let (list, list_at) = match own {
            Some(list) => (list, at.push("security")),
            None => match &self.spec.api.security {
                Some(list) => (list, Pointer::root().push("security")),
                None => return Ok(Vec::new()),
            },
        };
        let mut out = Vec::with_capacity(list.len());
        for (i, requirement) in list.iter().enumerate() {
            let mut keys = Vec::with_capacity(requirement.len());
            for key in requirement.keys() {
                if !schemes.iter().any(|s| &s.key == key) {
                    let declared = self
                        .spec
                        .api
                        .components
                        .as_ref()
                        .is_some_and(|c| c.security_schemes.contains_key(key));
                    return Err(Error::Unsupported {
                        at: self.spec.at(&list_at.push(i).push(key)),
                        message: if declared {
                            format!(
                                "security scheme '{key}': only apiKey, http bearer and basic, oauth2 and openIdConnect are supported"
                            )
                        } else {
                            format!(
                                "security scheme '{key}' is not in #/components/securitySchemes"
                            )
                        },
                    });
                }
                keys.push(key.clone());
            }
            out.push(keys);
        }
        Ok(out)
    }
}

fn description_of(docs: &Option<String>) -> Option<String> {
    docs.clone().filter(|d| !d.trim().is_empty())
}
