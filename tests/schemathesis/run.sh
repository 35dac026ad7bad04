#!/usr/bin/env bash
# Schemathesis against promo-server with spec/promotion_codes.yaml: every
# phase (examples, coverage, fuzzing, stateful), positive and negative data,
# --checks all. Fails on any failure not declared in known-rejections.txt
# (read by hooks.py), on a 5xx, a response that violates the spec or an
# invalid request accepted. Lists the declared rejections the run never
# needed, so the list shrinks when a rule becomes expressible; with
# PROMO_ST_STRICT=1 an unneeded line fails the run (a run's coverage of the
# rare ones, like an unknown coupons cursor, depends on the seed).
#
#   tests/schemathesis/run.sh [extra schemathesis args]    # from anywhere
#
# Env: PROMO_SERVER_BIN (default target/debug/promo-server, built if absent),
# ST_MAX_EXAMPLES (default 200), ST_SEED (default 20261203: a fixed seed, so CI
# runs are reproducible; a new seed is a deliberate change).
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tests/schemathesis

bin="${PROMO_SERVER_BIN:-$PWD/target/debug/promo-server}"
[ -x "$bin" ] || cargo build --quiet -p promo-server

log=$(mktemp)
"$bin" --port 0 >"$log" 2>/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 50); do
  grep -q 'listening on' "$log" && break
  sleep 0.1
done
url=$(sed -n 's/^promo-server listening on //p' "$log")
[ -n "$url" ] || { echo "promo-server did not start" >&2; exit 1; }

export SCHEMATHESIS_HOOKS="${PROMO_ST_HOOKS:-$here/hooks.py}"
export PROMO_ST_USED="$(mktemp)"
status=0
.venv/bin/schemathesis --config-file "$here/schemathesis.toml" run spec/promotion_codes.yaml \
  --url "$url" \
  --header "Authorization: Bearer sk_test_schemathesis" \
  --phases examples,coverage,fuzzing,stateful \
  --mode all \
  --checks all \
  --max-examples "${ST_MAX_EXAMPLES:-200}" \
  --seed "${ST_SEED:-20261203}" \
  --output-truncate true \
  --suppress-health-check all \
  "$@" || status=$?

# What each declared rejection dropped (stderr), and the lines not needed.
unused=$(.venv/bin/python "$here/unused.py" "$here/known-rejections.txt" "$PROMO_ST_USED")
rm -f "$PROMO_ST_USED"
if [ -n "$unused" ]; then
  echo "known-rejections.txt: lines this run did not need:"
  echo "$unused"
  [ -z "${PROMO_ST_STRICT:-}" ] || status=1
fi
exit "$status"
