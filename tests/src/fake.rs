//! An in-memory implementation of the generated route traits (`Fake`), shared
//! by the tests of the traits themselves, the generated server and the
//! generated client. Clones share one store. Test hooks: a coupon named
//! `slow` waits on `gate` in `Coupons::create`, one named `panic` panics, and
//! queued `failures` make the next `Coupons::create` calls fail.

use promo_api::errors::ApiError;
use promo_api::models::{
    Coupon, CouponDuration, CouponObject, DeletedCoupon, DeletedCouponObject, PromotionCode,
    PromotionCodeObject, PromotionCodesResourcePromotion, PromotionCodesResourcePromotionType,
    PromotionCodesResourceRestrictions,
};
use promo_api::params::{
    CreateCoupon, CreatePromotionCode, DeleteCoupon, ListCoupons, ListPromotionCodes,
    RetrieveCoupon, RetrievePromotionCode, UpdateCoupon, UpdatePromotionCode,
};
use promo_api::routes::{Coupons, PromotionCodes};
use promo_api::runtime::{ClearableMap, Expandable, List, Nullable, Object, Timestamp};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Store {
    next: u64,
    promotion_codes: BTreeMap<String, PromotionCode>,
    coupons: BTreeMap<String, Coupon>,
}

/// An in-memory Stripe (clones share the store).
#[derive(Clone, Default)]
pub struct Fake {
    store: Arc<Mutex<Store>>,
    /// Holds `Coupons::create` of a coupon named `slow` until released.
    pub gate: Arc<Gate>,
    /// Errors the next calls of `Coupons::create` fail with, before doing anything.
    pub failures: Arc<Mutex<VecDeque<ApiError>>>,
}

/// Holds a coupon named `slow` in `Coupons::create` until the test releases it.
#[derive(Default)]
pub struct Gate {
    pub entered: tokio::sync::Notify,
    pub release: tokio::sync::Notify,
}

pub const NOW: Timestamp = Timestamp(1678040164);

pub fn missing(kind: &str, id: &str, param: &str) -> ApiError {
    ApiError::new("invalid_request_error", format!("No such {kind}: '{id}'"))
        .with_code("resource_missing")
        .with_param(param)
}

/// Applies a metadata update to a stored object's metadata.
fn apply_metadata(
    current: &mut Nullable<BTreeMap<String, String>>,
    patch: Option<ClearableMap<String>>,
) {
    if let Some(patch) = patch {
        let mut map = current.as_ref().cloned().unwrap_or_default();
        patch.apply_to(&mut map);
        *current = Nullable::Value(map);
    }
}

fn page<T: Clone + Object>(
    items: Vec<T>,
    limit: Option<i64>,
    after: Option<&str>,
    url: &str,
) -> List<T> {
    let limit = usize::try_from(limit.unwrap_or(10)).unwrap_or(10);
    let start = after.map_or(0, |a| {
        items
            .iter()
            .position(|i| i.id() == a)
            .map_or(items.len(), |p| p + 1)
    });
    let items: Vec<T> = items.into_iter().skip(start).collect();
    let has_more = items.len() > limit;
    List::new(items.into_iter().take(limit).collect(), has_more, url)
}

impl PromotionCodes for Fake {
    type Error = ApiError;

    async fn list(&self, params: ListPromotionCodes) -> Result<List<PromotionCode>, ApiError> {
        params.validate()?;
        let store = self.store.lock().unwrap();
        let items = store
            .promotion_codes
            .values()
            .filter(|p| params.active.is_none_or(|a| p.active == a))
            .filter(|p| {
                params
                    .code
                    .as_ref()
                    .is_none_or(|c| p.code.eq_ignore_ascii_case(c))
            })
            .filter(|p| {
                params.coupon.as_ref().is_none_or(|c| {
                    p.promotion.coupon.as_ref().is_some_and(|e| match e {
                        Expandable::Id(id) => id == c,
                        Expandable::Object(o) => &o.id == c,
                    })
                })
            })
            .cloned()
            .collect();
        Ok(page(
            items,
            params.limit,
            params.starting_after.as_deref(),
            "/v1/promotion_codes",
        ))
    }

    async fn create(&self, params: CreatePromotionCode) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        let coupon = params.promotion.coupon.clone();
        if !store.coupons.contains_key(&coupon) {
            return Err(missing("coupon", &coupon, "promotion[coupon]"));
        }
        store.next += 1;
        let id = format!("promo_{}", store.next);
        let restrictions = params.restrictions.unwrap_or_default();
        let code = PromotionCode {
            active: params.active.unwrap_or(true),
            code: params.code.unwrap_or_else(|| format!("CODE{}", store.next)),
            created: NOW,
            customer: params
                .customer
                .map_or(Nullable::Null, |c| Nullable::Value(Expandable::Id(c))),
            expires_at: params.expires_at.map_or(Nullable::Null, Nullable::Value),
            id: id.clone(),
            livemode: false,
            max_redemptions: params
                .max_redemptions
                .map_or(Nullable::Null, Nullable::Value),
            metadata: Nullable::Value(params.metadata.unwrap_or_default()),
            object: PromotionCodeObject::PromotionCode,
            promotion: PromotionCodesResourcePromotion {
                coupon: Nullable::Value(Expandable::Id(coupon)),
                type_: PromotionCodesResourcePromotionType::from(params.promotion.type_.as_str()),
            },
            restrictions: PromotionCodesResourceRestrictions {
                currency_options: None,
                first_time_transaction: restrictions.first_time_transaction.unwrap_or(false),
                minimum_amount: restrictions
                    .minimum_amount
                    .map_or(Nullable::Null, Nullable::Value),
                minimum_amount_currency: restrictions
                    .minimum_amount_currency
                    .map_or(Nullable::Null, Nullable::Value),
            },
            times_redeemed: 0,
        };
        store.promotion_codes.insert(id, code.clone());
        Ok(code)
    }

    async fn retrieve(
        &self,
        promotion_code: String,
        params: RetrievePromotionCode,
    ) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let store = self.store.lock().unwrap();
        let mut code = store
            .promotion_codes
            .get(&promotion_code)
            .cloned()
            .ok_or_else(|| missing("promotion code", &promotion_code, "promotion_code"))?;
        if params
            .expand
            .unwrap_or_default()
            .iter()
            .any(|e| e == "promotion.coupon")
            && let Nullable::Value(Expandable::Id(id)) = &code.promotion.coupon
            && let Some(coupon) = store.coupons.get(id)
        {
            code.promotion.coupon = Nullable::Value(Expandable::Object(Box::new(coupon.clone())));
        }
        Ok(code)
    }

    async fn update(
        &self,
        promotion_code: String,
        params: UpdatePromotionCode,
    ) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        let code = store
            .promotion_codes
            .get_mut(&promotion_code)
            .ok_or_else(|| missing("promotion code", &promotion_code, "promotion_code"))?;
        if let Some(active) = params.active {
            code.active = active;
        }
        apply_metadata(&mut code.metadata, params.metadata);
        Ok(code.clone())
    }
}

impl Coupons for Fake {
    type Error = ApiError;

    async fn list(&self, params: ListCoupons) -> Result<List<Coupon>, ApiError> {
        params.validate()?;
        let store = self.store.lock().unwrap();
        Ok(page(
            store.coupons.values().cloned().collect(),
            params.limit,
            params.starting_after.as_deref(),
            "/v1/coupons",
        ))
    }

    async fn create(&self, params: CreateCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        if let Some(failure) = self.failures.lock().unwrap().pop_front() {
            return Err(failure);
        }
        if params.name.as_deref() == Some("slow") {
            self.gate.entered.notify_one();
            self.gate.release.notified().await;
        }
        if params.name.as_deref() == Some("panic") {
            panic!("the fake was asked to panic");
        }
        let mut store = self.store.lock().unwrap();
        store.next += 1;
        let id = params
            .id
            .clone()
            .unwrap_or_else(|| format!("coupon_{}", store.next));
        let coupon = Coupon {
            amount_off: params.amount_off.map_or(Nullable::Null, Nullable::Value),
            applies_to: None,
            created: NOW,
            currency: params.currency.map_or(Nullable::Null, Nullable::Value),
            currency_options: None,
            duration: params
                .duration
                .map_or(CouponDuration::Once, |d| CouponDuration::from(d.as_str())),
            duration_in_months: params
                .duration_in_months
                .map_or(Nullable::Null, Nullable::Value),
            id: id.clone(),
            livemode: false,
            max_redemptions: params
                .max_redemptions
                .map_or(Nullable::Null, Nullable::Value),
            metadata: Nullable::Value(BTreeMap::new()),
            name: params.name.map_or(Nullable::Null, Nullable::Value),
            object: CouponObject::Coupon,
            percent_off: params.percent_off.map_or(Nullable::Null, Nullable::Value),
            redeem_by: params.redeem_by.map_or(Nullable::Null, Nullable::Value),
            times_redeemed: 0,
            valid: true,
        };
        let mut coupon = coupon;
        apply_metadata(&mut coupon.metadata, params.metadata);
        store.coupons.insert(id, coupon.clone());
        Ok(coupon)
    }

    async fn retrieve(&self, coupon: String, params: RetrieveCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        let store = self.store.lock().unwrap();
        store
            .coupons
            .get(&coupon)
            .cloned()
            .ok_or_else(|| missing("coupon", &coupon, "coupon"))
    }

    async fn update(&self, coupon: String, params: UpdateCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        let found = store
            .coupons
            .get_mut(&coupon)
            .ok_or_else(|| missing("coupon", &coupon, "coupon"))?;
        if let Some(name) = params.name {
            found.name = Nullable::Value(name);
        }
        apply_metadata(&mut found.metadata, params.metadata);
        Ok(found.clone())
    }

    async fn delete(
        &self,
        coupon: String,
        params: DeleteCoupon,
    ) -> Result<DeletedCoupon, ApiError> {
        params.validate()?;
        let mut store = self.store.lock().unwrap();
        store
            .coupons
            .remove(&coupon)
            .map(|c| DeletedCoupon {
                deleted: true,
                id: c.id,
                object: DeletedCouponObject::Coupon,
            })
            .ok_or_else(|| missing("coupon", &coupon, "coupon"))
    }
}
