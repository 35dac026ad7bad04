"""Schemathesis hooks for running it against promo-server (CI: `run.sh`).

Two things, nothing else:

1. Wire encoding. Schemathesis sends arrays in a query or form body as a
   repeated key (`expand=a&expand=b`) and has no rule for nested objects in a
   form body; Stripe's wire (and so our server) uses brackets
   (`expand[0]=a`, `promotion[coupon]=x`). `before_call` re-encodes the
   generated query and body with brackets (`after_call` puts the generated
   values back, so schemathesis judges the case it generated). Arrays of
   scalars go as `key[]=v`
   (which the server reads as an array, and rejects where a hash is expected,
   so negative data stays negative); arrays of objects as `key[0][field]=v`.
   The server is never loosened for this.

2. Known business rejections. A positive request (schema-valid) that Stripe
   rejects for a reason the spec cannot express (an unknown coupon, both
   cursors at once, ...) is dropped from the failures only when it matches a
   line of `known-rejections.txt` (operation, check, Stripe error `code` or
   `message` fragment, or a marker of this file: HYPER_HEAD_LIMIT,
   WIRE_TYPE_ONLY, NOT_NEGATIVE, each checked here before it excuses
   anything). Anything else fails the run. Each match is appended to the file
   named by PROMO_ST_USED, which run.sh summarizes.
"""

from __future__ import annotations

import json
import os
import sys
from urllib.parse import quote

import schemathesis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from known import load  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
KNOWN = os.environ.get("PROMO_KNOWN_REJECTIONS", os.path.join(HERE, "known-rejections.txt"))


def _scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    return str(value)


def _flatten(key: str, value, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        if not value:
            out.append((key, ""))
        for k, v in value.items():
            _flatten(f"{key}[{k}]", v, out)
    elif isinstance(value, list):
        if not value:
            out.append((key, ""))
        for i, v in enumerate(value):
            _flatten(f"{key}[{i}]" if isinstance(v, (dict, list)) else f"{key}[]", v, out)
    else:
        out.append((key, _scalar(value)))


def encode(params: dict) -> str:
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten(str(key), value, pairs)
    return "&".join(f"{quote(k, safe='[]')}={quote(v, safe='')}" for k, v in pairs)


# The generated query and body of each case before re-encoding, by case id.
ORIGINAL: dict[int, tuple] = {}


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    ORIGINAL[id(case)] = (case.query, case.body)
    if isinstance(case.query, dict) and case.query:
        flat: list[tuple[str, str]] = []
        for key, value in case.query.items():
            _flatten(str(key), value, flat)
        # requests keeps a list of pairs in order, repeated keys included.
        case.query = {}
        for k, v in flat:
            case.query.setdefault(k, []).append(v)
        case.query = {k: v[0] if len(v) == 1 else v for k, v in case.query.items()}
    if isinstance(case.body, dict) and (case.media_type or "").startswith("application/x-www-form-urlencoded"):
        case.body = encode(case.body)


KNOWN_RULES = load(KNOWN)
USED_FILE = os.environ.get("PROMO_ST_USED")


def _error_text(response) -> str:
    """What a known-rejections fragment is matched against: the Stripe
    error's `code` and `message`; `HYPER_HEAD_LIMIT` for hyper's own bare
    414/431 (a request line over 64 KiB or a head over ~400 KiB, answered
    before any of our code runs). For an accepted negative case the
    filter uses `NOT_NEGATIVE` (its data is valid after all) or
    `WIRE_TYPE_ONLY` (a JSON type the form wire cannot carry) instead."""
    if response.status_code in (414, 431) and not response.content:
        return "HYPER_HEAD_LIMIT"
    try:
        error = json.loads(response.content or b"{}").get("error", {})
    except (ValueError, AttributeError):
        return ""
    if not isinstance(error, dict):
        return ""
    return f"{error.get('code') or ''} {error.get('message') or ''}"


def _spells_scalar(text: str) -> bool:
    if text in ("true", "false"):
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def _wire_type_only(case) -> bool:
    """A string that spells a number or boolean somewhere in the query or
    body: typed as a string it is negative data, but on the form wire
    (where every value is text) it is the same bytes as the valid value."""
    def walk(value) -> bool:
        if isinstance(value, str):
            return _spells_scalar(value)
        if isinstance(value, dict):
            return any(walk(v) for v in value.values())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False
    query, body = ORIGINAL.get(id(case), (case.query, case.body))
    return walk(query or {}) or walk(body if isinstance(body, (dict, list)) else {})


@schemathesis.hook
def after_call(ctx, case, response):
    # Give the case back its generated values: schemathesis revalidates a
    # changed case, and would take the re-encoded text for negative data.
    original = ORIGINAL.pop(id(case), None)
    if original is not None:
        case.query, case.body = original
        ORIGINAL[id(case)] = original


def _not_negative(case) -> bool:
    """Schemathesis now and then labels a case negative whose generated data
    (before our re-encoding) is valid against the spec (a fuzzing case whose
    mutation changed nothing: an empty body for an operation without body
    fields). Its acceptance is right."""
    try:
        import jsonschema_rs
        from schemathesis.core.parameters import ParameterLocation

        query, body = ORIGINAL.get(id(case), (case.query, case.body))
        validator = jsonschema_rs.Draft4Validator
        parts = [(ParameterLocation.QUERY, query or {}), (ParameterLocation.PATH, case.path_parameters or {})]
        if isinstance(body, dict):
            parts.append((ParameterLocation.BODY, body))
        return all(case._validate_component(location, value, validator) for location, value in parts)
    except Exception:  # noqa: BLE001 - any doubt: the failure stands
        return False


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    if response is None:
        return True
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    text = _error_text(response)
    checks = getattr(failure, "checks", ())
    if "negative_data_rejection" in checks and 200 <= response.status_code < 300:
        if _not_negative(case):
            text = "NOT_NEGATIVE"
        elif _wire_type_only(case):
            text = "WIRE_TYPE_ONLY"
    for index, (op, check, fragment) in enumerate(KNOWN_RULES):
        if op in (operation, "* *") and (check == "*" or check in checks) and fragment in text:
            if USED_FILE:
                with open(USED_FILE, "a", encoding="utf-8") as file:
                    file.write(f"{index}\n")
            return False
    return True
