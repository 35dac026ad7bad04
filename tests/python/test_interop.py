"""The official Stripe Python client (`stripe` from PyPI) against our
reference server: it must accept the server as the real thing. Every test
asserts the values that come back, not only the absence of exceptions."""

import re
import uuid

import pytest
import stripe


# stripe-python's StripeObject is not a dict (16.x): compare nested objects
# such as `metadata` through `.to_dict()`.
def unique_code(prefix="CODE"):
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


def make_coupon(**overrides):
    params = {"percent_off": 25.5, "duration": "repeating", "duration_in_months": 3}
    params.update(overrides)
    return stripe.Coupon.create(**params)


def test_coupon_create_and_retrieve():
    coupon = make_coupon(name="25.5% off", metadata={"campaign": "spring"})
    assert coupon.object == "coupon"
    assert coupon.percent_off == 25.5
    assert coupon.duration == "repeating"
    assert coupon.duration_in_months == 3
    assert coupon.name == "25.5% off"
    assert coupon.metadata.to_dict() == {"campaign": "spring"}
    assert coupon.valid is True
    assert coupon.times_redeemed == 0
    again = stripe.Coupon.retrieve(coupon.id)
    assert again.id == coupon.id
    assert again.percent_off == 25.5


def test_promotion_code_create_retrieve():
    coupon = make_coupon()
    code = unique_code("SPRING")
    promo = stripe.PromotionCode.create(
        promotion={"type": "coupon", "coupon": coupon.id},
        code=code,
        metadata={"order_id": "6735"},
        max_redemptions=5,
    )
    assert promo.object == "promotion_code"
    assert promo.id.startswith("promo_")
    assert promo.code == code
    assert promo.active is True
    assert promo.livemode is False
    assert promo.times_redeemed == 0
    assert promo.max_redemptions == 5
    assert promo.promotion.type == "coupon"
    assert promo.promotion.coupon == coupon.id
    assert promo.metadata.to_dict() == {"order_id": "6735"}
    assert promo.customer is None
    fetched = stripe.PromotionCode.retrieve(promo.id)
    assert fetched.id == promo.id
    assert fetched.code == code
    assert fetched.created == promo.created


def test_blank_code_is_generated():
    coupon = make_coupon()
    promo = stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id})
    assert re.fullmatch(r"[A-Z0-9]{8}", promo.code), promo.code


def test_expand_promotion_coupon():
    coupon = make_coupon()
    promo = stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id})
    expanded = stripe.PromotionCode.retrieve(promo.id, expand=["promotion.coupon"])
    assert expanded.promotion.coupon.id == coupon.id
    assert expanded.promotion.coupon.object == "coupon"
    assert expanded.promotion.coupon.percent_off == 25.5


def test_modify_metadata_set_unset_and_clear():
    coupon = make_coupon()
    promo = stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id})
    promo = stripe.PromotionCode.modify(promo.id, metadata={"order_id": "6735", "channel": "web"})
    assert promo.metadata.to_dict() == {"order_id": "6735", "channel": "web"}
    promo = stripe.PromotionCode.modify(promo.id, metadata={"channel": ""})
    assert promo.metadata.to_dict() == {"order_id": "6735"}
    promo = stripe.PromotionCode.modify(promo.id, metadata="")
    assert promo.metadata.to_dict() == {}
    promo = stripe.PromotionCode.modify(promo.id, active=False)
    assert promo.active is False


def test_list_auto_paging_over_several_pages():
    coupon = make_coupon()
    created = [
        stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id}).id for _ in range(25)
    ]
    first = stripe.PromotionCode.list(coupon=coupon.id, limit=10)
    assert len(first.data) == 10
    assert first.has_more is True
    assert first.url == "/v1/promotion_codes"
    seen = [p.id for p in stripe.PromotionCode.list(coupon=coupon.id, limit=10).auto_paging_iter()]
    assert seen == list(reversed(created)), "newest first, every code exactly once"


def test_list_filters_and_expand():
    coupon = make_coupon()
    other = make_coupon()
    code = unique_code("FILTER")
    target = stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id}, code=code)
    stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": other.id})
    by_code = stripe.PromotionCode.list(code=code.lower())
    assert [p.id for p in by_code.data] == [target.id]
    by_coupon = stripe.PromotionCode.list(coupon=coupon.id, expand=["data.promotion.coupon"])
    assert [p.id for p in by_coupon.data] == [target.id]
    assert by_coupon.data[0].promotion.coupon.id == coupon.id
    stripe.PromotionCode.modify(target.id, active=False)
    inactive = stripe.PromotionCode.list(coupon=coupon.id, active=False)
    assert [p.id for p in inactive.data] == [target.id]
    assert stripe.PromotionCode.list(coupon=coupon.id, active=True).data == []
    window = stripe.PromotionCode.list(coupon=coupon.id, created={"gte": target.created, "lte": target.created})
    assert [p.id for p in window.data] == [target.id]


def test_missing_code_is_resource_missing():
    with pytest.raises(stripe.InvalidRequestError) as err:
        stripe.PromotionCode.retrieve("promo_doesnotexist")
    assert err.value.http_status == 404
    assert err.value.code == "resource_missing"
    assert "promo_doesnotexist" in err.value.user_message


def test_bad_key_is_authentication_error():
    stripe.api_key = "not_a_key"
    with pytest.raises(stripe.AuthenticationError) as err:
        stripe.Coupon.list()
    assert err.value.http_status == 401


def test_duplicate_active_code_is_rejected():
    coupon = make_coupon()
    code = unique_code("DUP")
    stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id}, code=code)
    with pytest.raises(stripe.InvalidRequestError) as err:
        stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id}, code=code.lower())
    assert err.value.http_status == 400
    assert err.value.param == "code"
    assert err.value.user_message == f"An active promotion code with `code: {code.lower()}` already exists."


def test_unknown_coupon_and_bad_params():
    with pytest.raises(stripe.InvalidRequestError) as err:
        stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": "no_such_coupon"})
    assert err.value.http_status in (400, 404)
    coupon = make_coupon()
    with pytest.raises(stripe.InvalidRequestError) as err:
        stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id}, max_redemptions=0)
    assert err.value.param == "max_redemptions"
    promo = stripe.PromotionCode.create(promotion={"type": "coupon", "coupon": coupon.id})
    with pytest.raises(stripe.InvalidRequestError) as err:
        stripe.PromotionCode.retrieve(promo.id, expand=["promotion.nonsense"])
    assert err.value.http_status == 400
    assert "promotion.nonsense" in err.value.user_message


def test_coupon_delete_and_list():
    coupon = make_coupon(name="temporary")
    deleted = stripe.Coupon.delete(coupon.id)
    assert deleted.id == coupon.id
    assert deleted.deleted is True
    with pytest.raises(stripe.InvalidRequestError) as err:
        stripe.Coupon.retrieve(coupon.id)
    assert err.value.code == "resource_missing"
    listed = [c.id for c in stripe.Coupon.list(limit=100).auto_paging_iter()]
    assert coupon.id not in listed
