//! Drift of OpenAPI 3.1 webhooks, the requests the API sends to its users'
//! servers. Receivers are the clients here, so a webhook's payload is judged
//! as a response is (a new optional field is harmless, a removed one breaks
//! receivers that read it; the types themselves are compared with every
//! other type). The generated `Webhooks` trait gives each method a default
//! body that acknowledges the webhook, so a new webhook is a minor bump and
//! a removed one a major bump (implementers that override it break).

use super::{Cx, Place};
use crate::diff::{Bump, ChangeKind, ItemKind, RustItem, Side, Subject, Wire};
use crate::ir::Webhook;

impl<'a> Cx<'a> {
    pub(super) fn webhooks(&mut self) {
        let old: &'a [Webhook] = &self.old.webhooks;
        let new: &'a [Webhook] = &self.new.webhooks;
        let key = |h: &Webhook| (h.name.clone(), h.method);
        for o in old {
            match new.iter().find(|n| key(n) == key(o)) {
                None => {
                    let place = place(o, Some(o), None);
                    self.push(
                        &place,
                        ChangeKind::OperationRemoved,
                        format!("webhook {}", o.name),
                        Wire::Compatible,
                        Bump::Major,
                    );
                }
                Some(n) => {
                    let place = place(n, Some(o), Some(n));
                    if o.rust != n.rust {
                        self.push(
                            &place,
                            ChangeKind::RustNameChanged,
                            format!("{} -> {}", o.rust, n.rust),
                            Wire::Compatible,
                            Bump::Major,
                        );
                    }
                    let same = match (&o.payload, &n.payload) {
                        (Some(a), Some(b)) => self.m.same(a, b),
                        (None, None) => true,
                        _ => false,
                    };
                    if !same {
                        self.push(
                            &place,
                            ChangeKind::TypeChanged,
                            "payload".to_owned(),
                            Wire::Breaking,
                            Bump::Major,
                        );
                    }
                    if (o.summary.as_ref(), o.docs.as_ref())
                        != (n.summary.as_ref(), n.docs.as_ref())
                    {
                        self.push(
                            &place,
                            ChangeKind::DocsChanged,
                            "description".to_owned(),
                            Wire::Compatible,
                            Bump::Patch,
                        );
                    }
                }
            }
        }
        for n in new.iter().filter(|n| !old.iter().any(|o| key(o) == key(n))) {
            let place = place(n, None, Some(n));
            self.push(
                &place,
                ChangeKind::OperationAdded,
                format!("webhook {}", n.name),
                Wire::Compatible,
                Bump::Minor,
            );
        }
    }
}

fn place(hook: &Webhook, old: Option<&Webhook>, new: Option<&Webhook>) -> Place {
    Place {
        location: format!("webhook {}", hook.name),
        subject: Subject::Operation,
        rust: RustItem {
            kind: ItemKind::Method,
            path: format!("Webhooks::{}", hook.rust),
        },
        side: Side::Response,
        old_pointer: old.map(|h| h.pointer.to_string()),
        new_pointer: new.map(|h| h.pointer.to_string()),
        param: false,
    }
}
