//! The reference server's in-memory store: [`Store`] implements the generated
//! route traits [`PromotionCodes`] and [`Coupons`] of `promo-api` with the
//! semantics of Stripe's API reference (generated ids, server-set `created`,
//! case-insensitive code uniqueness among active codes per customer scope,
//! coupon rules, metadata set/unset/clear, newest-first cursor pagination,
//! filters and `expand`). Every error is the generated
//! [`promo_api::errors::ApiError`]. All state sits behind one mutex, so each
//! call (a create's check-and-insert in particular) is atomic; the lock is
//! never held across an `.await`.

use std::cmp::Reverse;
use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use promo_api::errors::ApiError;
use promo_api::models::{
    Coupon, CouponDuration, CouponObject, DeletedCoupon, DeletedCouponObject, PromotionCode,
    PromotionCodeCurrencyOption, PromotionCodeObject, PromotionCodesResourcePromotion,
    PromotionCodesResourcePromotionType, PromotionCodesResourceRestrictions,
};
use promo_api::params::{
    CreateCoupon, CreateCouponDuration, CreatePromotionCode, DeleteCoupon, ListCoupons,
    ListCouponsCreated, ListPromotionCodes, ListPromotionCodesCreated, RetrieveCoupon,
    RetrievePromotionCode, UpdateCoupon, UpdatePromotionCode,
};
use promo_api::routes::{Coupons, PromotionCodes};
use promo_api::runtime::{Expandable, List, Nullable, Timestamp};

/// The `url` of a promotion code list.
pub const PROMOTION_CODES_URL: &str = "/v1/promotion_codes";
/// The `url` of a coupon list.
pub const COUPONS_URL: &str = "/v1/coupons";

/// The default page size of a list.
const DEFAULT_LIMIT: usize = 10;

/// Letters and digits of generated promotion codes (upper case only).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Letters and digits of generated object ids.
const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// Where the store reads the time from (replaceable in tests).
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// An in-memory Stripe for promotion codes and coupons. Clones share the
/// same data.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Mutex<Inner>>,
    clock: Clock,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.lock();
        f.debug_struct("Store")
            .field("promotion_codes", &inner.promotion_codes.len())
            .field("coupons", &inner.coupons.len())
            .finish()
    }
}

/// A stored object and its insertion number (ties of `created` are broken by it).
struct Record<T> {
    seq: u64,
    value: T,
}

impl<T> Record<T> {
    fn key(&self, created: Timestamp) -> SortKey {
        SortKey(created, self.seq)
    }
}

/// The list order: the greater key is the newer object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey(Timestamp, u64);

#[derive(Default)]
struct Inner {
    seq: u64,
    rng: Rng,
    promotion_codes: HashMap<String, Record<PromotionCode>>,
    coupons: HashMap<String, Record<Coupon>>,
    /// Active promotion codes by (customer scope, lower-cased code) -> id, so
    /// the uniqueness check does not scan every code.
    active_codes: HashMap<(Option<String>, String), String>,
}

impl Store {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(Timestamp::now))
    }

    /// An empty store that reads the time from `clock`.
    pub fn with_clock(clock: Clock) -> Self {
        Store {
            inner: Arc::new(Mutex::new(Inner::default())),
            clock,
        }
    }

    fn now(&self) -> Timestamp {
        (self.clock)()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic under the lock leaves whole objects behind: keep serving.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

// ---------------------------------------------------------------------------
// Errors

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new("invalid_request_error", message)
}

/// `resource_missing` (404): "No such coupon: 'x'".
fn no_such(kind: &str, id: &str, param: &str) -> ApiError {
    invalid(format!("No such {kind}: '{id}'"))
        .with_code("resource_missing")
        .with_param(param)
}

/// `resource_missing` for an object named by a parameter (not by the path):
/// Stripe answers 400 there, where `ApiError::with_code` picks 404 for every
/// `resource_missing`.
fn no_such_param(kind: &str, id: &str, param: &str) -> ApiError {
    no_such(kind, id, param).with_status(400)
}

fn duplicate_code(code: &str) -> ApiError {
    invalid(format!(
        "An active promotion code with `code: {code}` already exists."
    ))
}

/// Stripe's metadata limits: at most 50 keys, keys up to 40 characters,
/// values up to 500 (the spec says the value limit, so validation has already
/// checked it; the rest is Stripe's rule, checked on the stored result).
pub const METADATA_MAX_KEYS: usize = 50;
pub const METADATA_MAX_KEY_CHARS: usize = 40;
pub const METADATA_MAX_VALUE_CHARS: usize = 500;

fn check_metadata(metadata: &BTreeMap<String, String>) -> Result<(), ApiError> {
    if metadata.len() > METADATA_MAX_KEYS {
        return Err(invalid(format!(
            "Invalid metadata: metadata can have up to {METADATA_MAX_KEYS} keys, but you passed {} keys.",
            metadata.len()
        ))
        .with_code("parameter_invalid_metadata")
        .with_param("metadata"));
    }
    for (key, value) in metadata {
        if key.is_empty() || key.chars().count() > METADATA_MAX_KEY_CHARS {
            return Err(invalid(format!(
                "Invalid metadata: keys must be 1 to {METADATA_MAX_KEY_CHARS} characters long."
            ))
            .with_code("parameter_invalid_metadata")
            .with_param(format!("metadata[{key}]")));
        }
        if value.chars().count() > METADATA_MAX_VALUE_CHARS {
            return Err(invalid(format!(
                "Invalid metadata: values can be at most {METADATA_MAX_VALUE_CHARS} characters long."
            ))
            .with_code("parameter_invalid_metadata")
            .with_param(format!("metadata[{key}]")));
        }
    }
    Ok(())
}

fn cannot_expand(path: &str) -> ApiError {
    invalid(format!("This property cannot be expanded ({path}).")).with_param("expand")
}

// ---------------------------------------------------------------------------
// Ids and codes

/// splitmix64, seeded from the process's random hasher keys and the time.
struct Rng(u64);

impl Default for Rng {
    fn default() -> Self {
        let mut hasher = RandomState::new().build_hasher();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        hasher.write_u128(nanos);
        Rng(hasher.finish())
    }
}

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn string(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| {
                let index = self.next_u64() % alphabet.len() as u64;
                char::from(alphabet[index as usize])
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Expansion

/// What a request asked to expand.
#[derive(Clone, Copy, Debug, Default)]
struct Expansion {
    promotion_coupon: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum Resource {
    PromotionCode,
    Coupon,
}

/// Reads `expand[]`: for lists every path starts with `data.`.
fn expansion(
    expand: Option<&Vec<String>>,
    resource: Resource,
    list: bool,
) -> Result<Expansion, ApiError> {
    let mut found = Expansion::default();
    for requested in expand.into_iter().flatten() {
        let path = if list {
            requested
                .strip_prefix("data.")
                .ok_or_else(|| cannot_expand(requested))?
        } else {
            requested.as_str()
        };
        match (resource, path) {
            (Resource::PromotionCode, "promotion.coupon") => found.promotion_coupon = true,
            // Always included when set: nothing more to do.
            (Resource::PromotionCode, "restrictions.currency_options") => {}
            (Resource::PromotionCode, "customer") => {
                return Err(invalid(format!(
                    "This property cannot be expanded ({requested}): this server keeps no customers."
                ))
                .with_param("expand"));
            }
            _ => return Err(cannot_expand(requested)),
        }
    }
    Ok(found)
}

// ---------------------------------------------------------------------------
// Lists

/// `created` as a filter: exact, or any of `gt`, `gte`, `lt`, `lte`.
#[derive(Clone, Copy, Debug, Default)]
struct CreatedRange {
    gt: Option<i64>,
    gte: Option<i64>,
    lt: Option<i64>,
    lte: Option<i64>,
}

impl CreatedRange {
    fn contains(&self, created: Timestamp) -> bool {
        let t = created.as_secs();
        self.gt.is_none_or(|v| t > v)
            && self.gte.is_none_or(|v| t >= v)
            && self.lt.is_none_or(|v| t < v)
            && self.lte.is_none_or(|v| t <= v)
    }
}

impl From<&ListPromotionCodesCreated> for CreatedRange {
    fn from(created: &ListPromotionCodesCreated) -> Self {
        match created {
            ListPromotionCodesCreated::Integer(t) => CreatedRange {
                gte: Some(*t),
                lte: Some(*t),
                ..CreatedRange::default()
            },
            ListPromotionCodesCreated::Object(o) => CreatedRange {
                gt: o.gt,
                gte: o.gte,
                lt: o.lt,
                lte: o.lte,
            },
        }
    }
}

impl From<&ListCouponsCreated> for CreatedRange {
    fn from(created: &ListCouponsCreated) -> Self {
        match created {
            ListCouponsCreated::Integer(t) => CreatedRange {
                gte: Some(*t),
                lte: Some(*t),
                ..CreatedRange::default()
            },
            ListCouponsCreated::Object(o) => CreatedRange {
                gt: o.gt,
                gte: o.gte,
                lt: o.lt,
                lte: o.lte,
            },
        }
    }
}

/// The paging parameters of a list, with the cursors resolved to positions.
struct Page {
    limit: usize,
    after: Option<SortKey>,
    before: Option<SortKey>,
}

impl Page {
    fn new(
        limit: Option<i64>,
        starting_after: Option<&String>,
        ending_before: Option<&String>,
        resolve: impl Fn(&str) -> Option<SortKey>,
        kind: &str,
    ) -> Result<Self, ApiError> {
        let limit = match limit {
            None => DEFAULT_LIMIT,
            Some(n @ 1..=100) => usize::try_from(n).unwrap_or(DEFAULT_LIMIT),
            Some(_) => {
                return Err(invalid("Invalid limit: must be between 1 and 100.")
                    .with_code("parameter_invalid_integer")
                    .with_param("limit"));
            }
        };
        if starting_after.is_some() && ending_before.is_some() {
            return Err(invalid(
                "You may only specify one of these parameters: ending_before, starting_after.",
            )
            .with_param("starting_after"));
        }
        let cursor = |id: Option<&String>, param: &str| -> Result<Option<SortKey>, ApiError> {
            id.map(|id| resolve(id).ok_or_else(|| no_such_param(kind, id, param)))
                .transpose()
        };
        Ok(Page {
            limit,
            after: cursor(starting_after, "starting_after")?,
            before: cursor(ending_before, "ending_before")?,
        })
    }

    /// One page of `items` (in any order), newest first, and whether more follow.
    fn take<T>(&self, mut items: Vec<(SortKey, T)>) -> (Vec<T>, bool) {
        items.sort_by_key(|(key, _)| Reverse(*key));
        if let Some(after) = self.after {
            items.retain(|(key, _)| *key < after);
        }
        if let Some(before) = self.before {
            items.retain(|(key, _)| *key > before);
            // The page right before the cursor: the oldest of the newer items.
            let has_more = items.len() > self.limit;
            let skip = items.len().saturating_sub(self.limit);
            return (
                items.into_iter().skip(skip).map(|(_, v)| v).collect(),
                has_more,
            );
        }
        let has_more = items.len() > self.limit;
        (
            items.into_iter().take(self.limit).map(|(_, v)| v).collect(),
            has_more,
        )
    }
}

// ---------------------------------------------------------------------------
// Rendering and shared rules

fn coupon_is_valid(coupon: &Coupon, now: Timestamp) -> bool {
    coupon.redeem_by.as_ref().is_none_or(|r| *r > now)
        && coupon
            .max_redemptions
            .as_ref()
            .is_none_or(|m| coupon.times_redeemed < *m)
}

fn render_coupon(coupon: &Coupon, now: Timestamp) -> Coupon {
    let mut coupon = coupon.clone();
    coupon.valid = coupon_is_valid(&coupon, now);
    coupon
}

fn coupon_id(code: &PromotionCode) -> Option<&str> {
    code.promotion.coupon.as_ref().map(Expandable::id)
}

fn customer_id(code: &PromotionCode) -> Option<&str> {
    code.customer.as_ref().map(Expandable::id)
}

fn lowercase_currency(currency: String) -> String {
    currency.to_ascii_lowercase()
}

fn active_key(code: &str, customer: Option<&str>) -> (Option<String>, String) {
    (customer.map(str::to_owned), code.to_ascii_lowercase())
}

fn metadata_of(metadata: &Nullable<BTreeMap<String, String>>) -> BTreeMap<String, String> {
    metadata.as_ref().cloned().unwrap_or_default()
}

impl Inner {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// An active code equal to `code` (ignoring case) for this customer scope,
    /// other than `except`.
    fn active_code_taken(&self, code: &str, customer: Option<&str>, except: Option<&str>) -> bool {
        self.active_codes
            .get(&active_key(code, customer))
            .is_some_and(|id| except != Some(id.as_str()))
    }

    /// Keeps `active_codes` in step with a code's `active` flag.
    fn index_active(&mut self, code: &PromotionCode) {
        let key = active_key(&code.code, customer_id(code));
        if code.active {
            self.active_codes.insert(key, code.id.clone());
        } else if self.active_codes.get(&key) == Some(&code.id) {
            self.active_codes.remove(&key);
        }
    }

    fn coupon_key(&self, id: &str) -> Option<SortKey> {
        self.coupons.get(id).map(|r| r.key(r.value.created))
    }

    fn promotion_code_key(&self, id: &str) -> Option<SortKey> {
        self.promotion_codes.get(id).map(|r| r.key(r.value.created))
    }

    /// A promotion code as the API returns it, expanded as asked.
    fn render_code(
        &self,
        code: &PromotionCode,
        expand: Expansion,
        now: Timestamp,
    ) -> PromotionCode {
        let mut code = code.clone();
        if expand.promotion_coupon
            && let Some(coupon) = coupon_id(&code).and_then(|id| self.coupons.get(id))
        {
            // A deleted coupon stays an id: the model has no room for a deleted object.
            code.promotion.coupon = Nullable::Value(Expandable::Object(Box::new(render_coupon(
                &coupon.value,
                now,
            ))));
        }
        code
    }
}

/// Checks the currency keys of `currency_options` (three letters) and lower-cases them.
fn currency_key(key: &str, param: &str) -> Result<String, ApiError> {
    if key.len() == 3 && key.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(key.to_ascii_lowercase())
    } else {
        Err(invalid(format!(
            "Invalid currency: {param}[{key}] must be keyed by a three-letter ISO currency code."
        ))
        .with_code("parameter_invalid_currency")
        .with_param(format!("{param}[{key}]")))
    }
}

// ---------------------------------------------------------------------------
// Promotion codes

impl PromotionCodes for Store {
    type Error = ApiError;

    async fn list(&self, params: ListPromotionCodes) -> Result<List<PromotionCode>, ApiError> {
        params.validate()?;
        let expand = expansion(params.expand.as_ref(), Resource::PromotionCode, true)?;
        let created = params.created.as_ref().map(CreatedRange::from);
        let now = self.now();
        let inner = self.lock();
        let page = Page::new(
            params.limit,
            params.starting_after.as_ref(),
            params.ending_before.as_ref(),
            |id| inner.promotion_code_key(id),
            "promotion code",
        )?;
        let matching = inner
            .promotion_codes
            .values()
            .filter(|r| {
                let p = &r.value;
                params.active.is_none_or(|a| p.active == a)
                    && params
                        .code
                        .as_ref()
                        .is_none_or(|c| p.code.eq_ignore_ascii_case(c))
                    && params
                        .coupon
                        .as_deref()
                        .is_none_or(|c| coupon_id(p) == Some(c))
                    && params
                        .customer
                        .as_deref()
                        .is_none_or(|c| customer_id(p) == Some(c))
                    && created.is_none_or(|range| range.contains(p.created))
            })
            .map(|r| (r.key(r.value.created), &r.value))
            .collect();
        let (data, has_more) = page.take(matching);
        let data = data
            .into_iter()
            .map(|p| inner.render_code(p, expand, now))
            .collect();
        Ok(List::new(data, has_more, PROMOTION_CODES_URL))
    }

    async fn create(&self, params: CreatePromotionCode) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let expand = expansion(params.expand.as_ref(), Resource::PromotionCode, false)?;
        let now = self.now();
        let restrictions = params.restrictions.unwrap_or_default();
        match (
            restrictions.minimum_amount,
            &restrictions.minimum_amount_currency,
        ) {
            (Some(_), None) => {
                return Err(invalid(
                    "`restrictions[minimum_amount_currency]` is required when `restrictions[minimum_amount]` is set.",
                )
                .with_code("parameter_missing")
                .with_param("restrictions[minimum_amount_currency]"));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "`restrictions[minimum_amount]` is required when `restrictions[minimum_amount_currency]` is set.",
                )
                .with_code("parameter_missing")
                .with_param("restrictions[minimum_amount]"));
            }
            _ => {}
        }
        let mut currency_options = BTreeMap::new();
        for (currency, option) in restrictions.currency_options.unwrap_or_default() {
            let currency = currency_key(&currency, "restrictions[currency_options]")?;
            let Some(minimum_amount) = option.minimum_amount else {
                return Err(invalid(format!(
                    "Missing required param: restrictions[currency_options][{currency}][minimum_amount]."
                ))
                .with_code("parameter_missing")
                .with_param(format!(
                    "restrictions[currency_options][{currency}][minimum_amount]"
                )));
            };
            currency_options.insert(currency, PromotionCodeCurrencyOption { minimum_amount });
        }
        if let Some(expires_at) = params.expires_at
            && expires_at <= now
        {
            return Err(invalid("`expires_at` must be in the future.")
                .with_code("parameter_invalid_integer")
                .with_param("expires_at"));
        }
        let coupon_param = params.promotion.coupon;
        let customer = params.customer.filter(|c| !c.is_empty());
        let active = params.active.unwrap_or(true);

        // Check and insert under one lock: concurrent creates are serialized.
        let mut inner = self.lock();
        let coupon = &inner
            .coupons
            .get(&coupon_param)
            .ok_or_else(|| no_such_param("coupon", &coupon_param, "promotion[coupon]"))?
            .value;
        if !coupon_is_valid(coupon, now) {
            return Err(invalid(format!(
                "Coupon '{coupon_param}' is no longer valid, so no promotion code can be created for it."
            ))
            .with_param("promotion[coupon]"));
        }
        if let (Some(expires_at), Some(redeem_by)) = (params.expires_at, coupon.redeem_by.as_ref())
            && expires_at > *redeem_by
        {
            return Err(invalid(format!(
                "`expires_at` cannot be after the coupon's `redeem_by` ({redeem_by})."
            ))
            .with_param("expires_at"));
        }
        if let (Some(max), Some(coupon_max)) =
            (params.max_redemptions, coupon.max_redemptions.as_ref())
            && max > *coupon_max
        {
            return Err(invalid(format!(
                "`max_redemptions` cannot be greater than the coupon's `max_redemptions` ({coupon_max})."
            ))
            .with_param("max_redemptions"));
        }
        let code = match params.code.filter(|c| !c.is_empty()) {
            Some(code) => {
                if active && inner.active_code_taken(&code, customer.as_deref(), None) {
                    return Err(duplicate_code(&code).with_param("code"));
                }
                code
            }
            None => loop {
                let candidate = inner.rng.string(8, CODE_ALPHABET);
                if !inner.active_code_taken(&candidate, customer.as_deref(), None) {
                    break candidate;
                }
            },
        };
        let id = loop {
            let candidate = format!("promo_{}", inner.rng.string(24, ID_ALPHABET));
            if !inner.promotion_codes.contains_key(&candidate) {
                break candidate;
            }
        };
        let metadata = params
            .metadata
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .collect();
        check_metadata(&metadata)?;
        let promotion_code = PromotionCode {
            active,
            code,
            created: now,
            customer: customer.map_or(Nullable::Null, |c| Nullable::Value(Expandable::Id(c))),
            expires_at: params.expires_at.map_or(Nullable::Null, Nullable::Value),
            id: id.clone(),
            livemode: false,
            max_redemptions: params
                .max_redemptions
                .map_or(Nullable::Null, Nullable::Value),
            metadata: Nullable::Value(metadata),
            object: PromotionCodeObject::PromotionCode,
            promotion: PromotionCodesResourcePromotion {
                coupon: Nullable::Value(Expandable::Id(coupon_param)),
                type_: PromotionCodesResourcePromotionType::Coupon,
            },
            restrictions: PromotionCodesResourceRestrictions {
                currency_options: (!currency_options.is_empty()).then_some(currency_options),
                first_time_transaction: restrictions.first_time_transaction.unwrap_or(false),
                minimum_amount: restrictions
                    .minimum_amount
                    .map_or(Nullable::Null, Nullable::Value),
                minimum_amount_currency: restrictions
                    .minimum_amount_currency
                    .map(lowercase_currency)
                    .map_or(Nullable::Null, Nullable::Value),
            },
            times_redeemed: 0,
        };
        let seq = inner.next_seq();
        let rendered = inner.render_code(&promotion_code, expand, now);
        inner.index_active(&promotion_code);
        inner.promotion_codes.insert(
            id,
            Record {
                seq,
                value: promotion_code,
            },
        );
        Ok(rendered)
    }

    async fn retrieve(
        &self,
        promotion_code: String,
        params: RetrievePromotionCode,
    ) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let expand = expansion(params.expand.as_ref(), Resource::PromotionCode, false)?;
        let now = self.now();
        let inner = self.lock();
        let found = inner
            .promotion_codes
            .get(&promotion_code)
            .ok_or_else(|| no_such("promotion code", &promotion_code, "id"))?;
        Ok(inner.render_code(&found.value, expand, now))
    }

    async fn update(
        &self,
        promotion_code: String,
        params: UpdatePromotionCode,
    ) -> Result<PromotionCode, ApiError> {
        params.validate()?;
        let expand = expansion(params.expand.as_ref(), Resource::PromotionCode, false)?;
        let now = self.now();
        let mut currency_updates = Vec::new();
        if let Some(options) = params
            .restrictions
            .and_then(|restrictions| restrictions.currency_options)
        {
            for (currency, option) in options {
                let currency = currency_key(&currency, "restrictions[currency_options]")?;
                currency_updates.push((currency, option.minimum_amount));
            }
        }

        let mut inner = self.lock();
        let current = &inner
            .promotion_codes
            .get(&promotion_code)
            .ok_or_else(|| no_such("promotion code", &promotion_code, "id"))?
            .value;
        if params.active == Some(true) && !current.active {
            let coupon_ok = coupon_id(current)
                .and_then(|id| inner.coupons.get(id))
                .is_some_and(|c| coupon_is_valid(&c.value, now));
            if !coupon_ok {
                return Err(invalid(
                    "This promotion code cannot be reactivated: its coupon is no longer valid.",
                )
                .with_param("active"));
            }
            if inner.active_code_taken(&current.code, customer_id(current), Some(&current.id)) {
                return Err(duplicate_code(&current.code).with_param("active"));
            }
        }
        // Still under the same lock: the code found above.
        let code = &mut inner
            .promotion_codes
            .get_mut(&promotion_code)
            .ok_or_else(|| no_such("promotion code", &promotion_code, "id"))?
            .value;
        if let Some(patch) = params.metadata {
            let mut metadata = metadata_of(&code.metadata);
            patch.apply_to(&mut metadata);
            check_metadata(&metadata)?;
            code.metadata = Nullable::Value(metadata);
        }
        if let Some(active) = params.active {
            code.active = active;
        }
        if !currency_updates.is_empty() {
            let options = code
                .restrictions
                .currency_options
                .get_or_insert_with(BTreeMap::new);
            for (currency, minimum_amount) in currency_updates {
                match minimum_amount {
                    Some(minimum_amount) => {
                        options.insert(currency, PromotionCodeCurrencyOption { minimum_amount });
                    }
                    None => {
                        options.remove(&currency);
                    }
                }
            }
            if options.is_empty() {
                code.restrictions.currency_options = None;
            }
        }
        let updated = code.clone();
        inner.index_active(&updated);
        Ok(inner.render_code(&updated, expand, now))
    }
}

// ---------------------------------------------------------------------------
// Coupons

impl Coupons for Store {
    type Error = ApiError;

    async fn list(&self, params: ListCoupons) -> Result<List<Coupon>, ApiError> {
        params.validate()?;
        expansion(params.expand.as_ref(), Resource::Coupon, true)?;
        let created = params.created.as_ref().map(CreatedRange::from);
        let now = self.now();
        let inner = self.lock();
        let page = Page::new(
            params.limit,
            params.starting_after.as_ref(),
            params.ending_before.as_ref(),
            |id| inner.coupon_key(id),
            "coupon",
        )?;
        let matching = inner
            .coupons
            .values()
            .filter(|r| created.is_none_or(|range| range.contains(r.value.created)))
            .map(|r| (r.key(r.value.created), &r.value))
            .collect();
        let (data, has_more) = page.take(matching);
        let data = data.into_iter().map(|c| render_coupon(c, now)).collect();
        Ok(List::new(data, has_more, COUPONS_URL))
    }

    async fn create(&self, params: CreateCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        expansion(params.expand.as_ref(), Resource::Coupon, false)?;
        let now = self.now();
        match (params.percent_off, params.amount_off) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "You may only specify one of these parameters: amount_off, percent_off.",
                )
                .with_param("amount_off"));
            }
            (None, None) => {
                return Err(
                    invalid("You must specify either `percent_off` or `amount_off`.")
                        .with_code("parameter_missing")
                        .with_param("percent_off"),
                );
            }
            (Some(percent), None) if percent <= 0.0 => {
                return Err(invalid("Invalid percent_off: must be greater than 0.")
                    .with_code("parameter_invalid_too_small")
                    .with_param("percent_off"));
            }
            (None, Some(_)) if params.currency.is_none() => {
                return Err(invalid("`currency` is required when `amount_off` is set.")
                    .with_code("parameter_missing")
                    .with_param("currency"));
            }
            (Some(_), None) if params.currency.is_some() => {
                return Err(
                    invalid("`currency` can only be set together with `amount_off`.")
                        .with_param("currency"),
                );
            }
            _ => {}
        }
        let duration = match params.duration {
            None | Some(CreateCouponDuration::Once) => CouponDuration::Once,
            Some(CreateCouponDuration::Forever) => CouponDuration::Forever,
            Some(CreateCouponDuration::Repeating) => CouponDuration::Repeating,
            Some(CreateCouponDuration::Unknown(other)) => {
                return Err(invalid(format!(
                    "Invalid duration: must be one of forever, once, or repeating (got {other})."
                ))
                .with_code("parameter_invalid_enum")
                .with_param("duration"));
            }
        };
        match (&duration, params.duration_in_months) {
            (CouponDuration::Repeating, None) => {
                return Err(invalid(
                    "Missing required param: duration_in_months (required when duration is repeating).",
                )
                .with_code("parameter_missing")
                .with_param("duration_in_months"));
            }
            (CouponDuration::Repeating, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(invalid(
                    "`duration_in_months` can only be set when `duration` is `repeating`.",
                )
                .with_param("duration_in_months"));
            }
        }
        if let Some(redeem_by) = params.redeem_by
            && redeem_by <= now
        {
            return Err(invalid("`redeem_by` must be in the future.")
                .with_code("parameter_invalid_integer")
                .with_param("redeem_by"));
        }
        let mut metadata = BTreeMap::new();
        if let Some(patch) = params.metadata {
            patch.apply_to(&mut metadata);
        }
        check_metadata(&metadata)?;

        let mut inner = self.lock();
        let id = match params.id.filter(|id| !id.is_empty()) {
            Some(id) => {
                if inner.coupons.contains_key(&id) {
                    return Err(invalid(format!("Coupon already exists: '{id}'."))
                        .with_code("resource_already_exists")
                        .with_param("id"));
                }
                id
            }
            None => loop {
                let candidate = inner.rng.string(8, ID_ALPHABET);
                if !inner.coupons.contains_key(&candidate) {
                    break candidate;
                }
            },
        };
        let coupon = Coupon {
            amount_off: params.amount_off.map_or(Nullable::Null, Nullable::Value),
            applies_to: None,
            created: now,
            currency: params
                .currency
                .map(lowercase_currency)
                .map_or(Nullable::Null, Nullable::Value),
            currency_options: None,
            duration,
            duration_in_months: params
                .duration_in_months
                .map_or(Nullable::Null, Nullable::Value),
            id: id.clone(),
            livemode: false,
            max_redemptions: params
                .max_redemptions
                .map_or(Nullable::Null, Nullable::Value),
            metadata: Nullable::Value(metadata),
            name: params.name.map_or(Nullable::Null, Nullable::Value),
            object: CouponObject::Coupon,
            percent_off: params.percent_off.map_or(Nullable::Null, Nullable::Value),
            redeem_by: params.redeem_by.map_or(Nullable::Null, Nullable::Value),
            times_redeemed: 0,
            valid: true,
        };
        let rendered = render_coupon(&coupon, now);
        let seq = inner.next_seq();
        inner.coupons.insert(id, Record { seq, value: coupon });
        Ok(rendered)
    }

    async fn retrieve(&self, coupon: String, params: RetrieveCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        expansion(params.expand.as_ref(), Resource::Coupon, false)?;
        let now = self.now();
        let inner = self.lock();
        inner
            .coupons
            .get(&coupon)
            .map(|r| render_coupon(&r.value, now))
            .ok_or_else(|| no_such("coupon", &coupon, "id"))
    }

    async fn update(&self, coupon: String, params: UpdateCoupon) -> Result<Coupon, ApiError> {
        params.validate()?;
        expansion(params.expand.as_ref(), Resource::Coupon, false)?;
        let now = self.now();
        let mut inner = self.lock();
        let found = &mut inner
            .coupons
            .get_mut(&coupon)
            .ok_or_else(|| no_such("coupon", &coupon, "id"))?
            .value;
        if let Some(patch) = params.metadata {
            let mut metadata = metadata_of(&found.metadata);
            patch.apply_to(&mut metadata);
            check_metadata(&metadata)?;
            found.metadata = Nullable::Value(metadata);
        }
        if let Some(name) = params.name {
            found.name = Nullable::Value(name);
        }
        Ok(render_coupon(found, now))
    }

    async fn delete(
        &self,
        coupon: String,
        params: DeleteCoupon,
    ) -> Result<DeletedCoupon, ApiError> {
        params.validate()?;
        let mut inner = self.lock();
        // Promotion codes keep referring to the coupon's id.
        inner
            .coupons
            .remove(&coupon)
            .map(|r| DeletedCoupon {
                deleted: true,
                id: r.value.id,
                object: DeletedCouponObject::Coupon,
            })
            .ok_or_else(|| no_such("coupon", &coupon, "id"))
    }
}

// ---------------------------------------------------------------------------
// HTTP

/// The HTTP application serving `store`: the generated router of
/// `promo_api::server` (API key authentication, parameter decoding and
/// validation, Stripe-shaped JSON errors, `Request-Id`, `Idempotency-Key`
/// replay, a 1 MiB body limit) over the route traits implemented above.
pub fn app(store: Store) -> axum::Router {
    promo_api::server::router(store)
}
