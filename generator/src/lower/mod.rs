//! Stage 2 of the pipeline: lower a loaded [`Spec`] to the IR ([`Api`]).
//! Every Rust name is decided here, in a fixed visiting order (component
//! schemas sorted by key, then operations sorted by path and method), so
//! names are stable. Submodules: `names` (identifier rules), `schema`
//! (schemas to types), `compose` (allOf, keywords beside composition,
//! discriminator hierarchies), `union` (oneOf/anyOf), `enums`, `refs`
//! (`$ref`s into a component or to a parameter's schema), `class` (a coarse
//! view of what a schema accepts), `envelope` (Stripe's list), `operation`
//! (paths to operations), `params`, `body`, `response` and `security`
//! (their parts), `cycles` (boxing), `support` (what parameters cannot
//! encode yet), `webhooks` (3.1 webhooks).

mod body;
mod class;
mod compose;
mod cycles;
mod enums;
mod envelope;
pub mod names;
mod operation;
pub use operation::operation_name;
mod params;
pub use params::placeholders;
mod refs;
mod response;
mod schema;
mod security;
mod support;
mod union;
mod webhooks;

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::ReferenceOr;

use crate::error::Result;
use crate::examples::SchemaUses;
use crate::ir::{Api, TypeDef, TypeKind, TypeRef};
use crate::load::Spec;
use crate::pointer::Pointer;
use names::{Namer, type_name};
use schema::Slot;

/// Lowers a whole spec.
pub fn lower(spec: &Spec) -> Result<Api> {
    lower_with_uses(spec).map(|(api, _)| api)
}

/// Lowers a whole spec, also returning what each schema use became (for
/// pairing the spec's examples with their types, [`crate::examples`]).
pub fn lower_with_uses(spec: &Spec) -> Result<(Api, SchemaUses)> {
    let mut lowerer = Lowerer {
        spec,
        types: BTreeMap::new(),
        namer: Namer::default(),
        components: BTreeMap::new(),
        uses: SchemaUses::default(),
        nullable_components: BTreeSet::new(),
        deep_refs: BTreeMap::new(),
        security_schemes: Vec::new(),
    };
    lowerer.lower_components()?;
    lowerer.security_schemes = lowerer.lower_security_schemes()?;
    let operations = lowerer.lower_operations()?;
    let webhooks = lowerer.lower_webhooks()?;
    let mut types = lowerer.types;
    cycles::box_cycles(&mut types);
    support::check_params(spec, &types, &operations)?;
    let info = &spec.api.info;
    let api = Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        types,
        operations,
        security_schemes: lowerer.security_schemes,
        webhooks,
    };
    Ok((api, lowerer.uses))
}

/// The state of one lowering: the types made so far and the names taken.
pub(crate) struct Lowerer<'a> {
    spec: &'a Spec,
    types: BTreeMap<String, TypeDef>,
    namer: Namer,
    /// Component key -> Rust type name.
    components: BTreeMap<String, String>,
    /// What each schema use became, by pointer.
    uses: SchemaUses,
    /// Components whose schema is nullable (`nullable: true`, or `null`
    /// among its `enum` values): every use of them is nullable.
    nullable_components: BTreeSet<String>,
    /// `$ref` -> its type, for `$ref`s to schema nodes that are not
    /// components (see `refs`).
    deep_refs: BTreeMap<String, schema::Shape>,
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
            if let ReferenceOr::Item(schema) = &components.schemas[*key]
                && schema::is_nullable(schema)
            {
                self.nullable_components.insert((*key).clone());
            }
        }
        let mut hierarchies = self.hierarchies();
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
                ReferenceOr::Item(schema) => match hierarchies.remove(key.as_str()) {
                    Some(hierarchy) => self.lower_hierarchy(key, &name, schema, hierarchy, &at)?,
                    // A nullable component is the type; its uses are nullable.
                    None => self.lower_inline(schema, &at, Slot::Fixed(&name))?.docs,
                },
            };
            let def = self
                .types
                .get_mut(&name)
                .expect("a component always yields its named type");
            def.component = Some(key.clone());
            self.uses.record(&at, &TypeRef::Named(name.clone()), false);
            def.pointer = at;
            def.docs = docs;
        }
        Ok(())
    }
}
