//! Stage 2 of the pipeline: lower a loaded [`Spec`] to the IR ([`Api`]).
//! Every Rust name is decided here, in a fixed visiting order (component
//! schemas sorted by key, then operations sorted by path and method), so
//! names are stable. Submodules: `names` (identifier rules), `schema`
//! (schemas to types), `operation` (paths to operations), `params`, `body`,
//! `response` and `security` (their parts), `cycles` (boxing).

mod body;
mod cycles;
pub mod names;
mod operation;
pub use operation::operation_name;
mod params;
pub use params::placeholders;
mod response;
mod schema;
mod security;

use std::collections::BTreeMap;

use openapiv3::ReferenceOr;

use crate::error::{Error, Result};
use crate::ir::{Api, TypeDef, TypeKind};
use crate::load::Spec;
use crate::pointer::Pointer;
use names::{Namer, type_name};
use schema::Slot;

/// Lowers a whole spec.
pub fn lower(spec: &Spec) -> Result<Api> {
    let mut lowerer = Lowerer {
        spec,
        types: BTreeMap::new(),
        namer: Namer::default(),
        components: BTreeMap::new(),
        security_schemes: Vec::new(),
    };
    lowerer.lower_components()?;
    lowerer.security_schemes = lowerer.lower_security_schemes()?;
    let operations = lowerer.lower_operations()?;
    let mut types = lowerer.types;
    cycles::box_cycles(&mut types);
    let info = &spec.api.info;
    Ok(Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        types,
        operations,
        security_schemes: lowerer.security_schemes,
    })
}

/// The state of one lowering: the types made so far and the names taken.
pub(crate) struct Lowerer<'a> {
    spec: &'a Spec,
    types: BTreeMap<String, TypeDef>,
    namer: Namer,
    /// Component key -> Rust type name.
    components: BTreeMap<String, String>,
    /// The supported schemes of `components/securitySchemes`.
    security_schemes: Vec<crate::ir::SecurityScheme>,
}

impl Lowerer<'_> {
    fn insert(&mut self, def: TypeDef) {
        let previous = self.types.insert(def.name.clone(), def);
        debug_assert!(
            previous.is_none(),
            "type names are claimed before insertion"
        );
    }

    fn lower_components(&mut self) -> Result<()> {
        let Some(components) = &self.spec.api.components else {
            return Ok(());
        };
        let mut keys: Vec<&String> = components.schemas.keys().collect();
        keys.sort();
        // Components claim their names first, so inline types never take them.
        for key in &keys {
            let name = self.namer.claim(&type_name(key));
            self.components.insert((*key).clone(), name);
        }
        for key in keys {
            let name = self.components[key].clone();
            let at = Pointer::root().push("components").push("schemas").push(key);
            let docs = match &components.schemas[key] {
                ReferenceOr::Reference { reference } => {
                    let target =
                        self.lower_schema(schema::SchemaRef::Ref(reference), &at, &name)?;
                    self.insert(TypeDef {
                        name: name.clone(),
                        component: None,
                        pointer: at.clone(),
                        docs: None,
                        kind: TypeKind::Alias(target.ty),
                    });
                    None
                }
                ReferenceOr::Item(schema) => {
                    let shape = self.lower_inline(schema, &at, Slot::Fixed(&name))?;
                    if shape.nullable && !matches!(self.types[&name].kind, TypeKind::Alias(_)) {
                        return Err(Error::Unsupported {
                            at: self.spec.at(&at.push("nullable")),
                            message: "a nullable component schema: make the places that use it nullable instead".to_owned(),
                        });
                    }
                    shape.docs
                }
            };
            let def = self
                .types
                .get_mut(&name)
                .expect("a component always yields its named type");
            def.component = Some(key.clone());
            def.pointer = at;
            def.docs = docs;
        }
        Ok(())
    }
}
