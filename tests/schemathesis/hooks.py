"""Schemathesis hooks for running it against promo-server (CI: `run.sh`).

Two things, nothing else:

1. Wire encoding. Schemathesis sends arrays in a query or form body as a
   repeated key (`expand=a&expand=b`) and has no rule for nested objects in a
   form body; Stripe's wire (and so our server) uses brackets
   (`expand[0]=a`, `promotion[coupon]=x`). `before_call` re-encodes the
   generated query and body with brackets. Arrays of scalars go as `key[]=v`
   (which the server reads as an array, and rejects where a hash is expected,
   so negative data stays negative); arrays of objects as `key[0][field]=v`.
   The server is never loosened for this.

2. Known business rejections. A positive request (schema-valid) that Stripe
   rejects for a reason the spec cannot express (an unknown coupon, both
   cursors at once, ...) is dropped from the failures only when it matches a
   line of `known-rejections.txt` (operation, check, Stripe error `code` or
   `message` fragment). Anything else fails the run.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import schemathesis

HERE = os.path.dirname(os.path.abspath(__file__))
KNOWN = os.environ.get("PROMO_KNOWN_REJECTIONS", os.path.join(HERE, "known-rejections.txt"))


def _scalar(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
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


@schemathesis.hook
def before_call(ctx, case, **kwargs):
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


def _load_known(path: str) -> list[tuple[str, str, str]]:
    """`METHOD PATH  check  fragment  # why` lines; `#` starts a comment."""
    rules = []
    with open(path, encoding="utf-8") as file:
        for line in file:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            method, path_, check, fragment = line.split(None, 3)
            rules.append((f"{method.upper()} {path_}", check, fragment.strip()))
    return rules


KNOWN_RULES = _load_known(KNOWN)
USED: set[int] = set()


def _error_text(response) -> str:
    try:
        error = json.loads(response.content or b"{}").get("error", {})
    except (ValueError, AttributeError):
        return ""
    return f"{error.get('code') or ''} {error.get('message') or ''}"


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    if response is None:
        return True
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    text = _error_text(response)
    for index, (op, check, fragment) in enumerate(KNOWN_RULES):
        if op == operation and check in getattr(failure, "checks", ()) and fragment in text:
            USED.add(index)
            return False
    return True
