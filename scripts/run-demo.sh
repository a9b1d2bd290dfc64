#!/usr/bin/env bash
# `make run`: the portal on 127.0.0.1:5000 and, in development only, the demo payment provider beside
# it (demo_provider/: a stand-in for a card provider's hosted checkout, never for production) on a
# free port of 127.0.0.1. The portal gets its address as DEMO_PROVIDER_URL; the provider notifies the
# portal at /api/pagamenti/notifiche/demo, signing with PAYMENT_WEBHOOK_SECRET, on the portal's clock
# (PORTAL_NOW). The provider stops when the portal stops (Ctrl-C), whatever happens.
# Usage: scripts/run-demo.sh   (BIN: the virtualenv's bin folder, PORT: the portal's port)
set -euo pipefail

BIN=${BIN:-.venv/bin}
PORT=${PORT:-5000}
portal=("$BIN/flask" --app wsgi run --host 127.0.0.1 --port "$PORT")

if [ "${PORTAL_ENV:-development}" != development ]; then
  exec "${portal[@]}"  # the demo provider is for development only
fi

# The development secret of config.py (DevConfig), unless one is set: portal and provider share it.
export PAYMENT_WEBHOOK_SECRET="${PAYMENT_WEBHOOK_SECRET:-demo-webhook-secret-not-for-production}"
work=$(mktemp -d -t portal-demo-provider.XXXXXX)
provider=""
server=""

cleanup() {
  for pid in $server $provider; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$BIN/python" -m demo_provider --notify-url "http://127.0.0.1:$PORT/api/pagamenti/notifiche/demo" \
  --now "${PORTAL_NOW:-}" --ready-file "$work/address" &
provider=$!
for _ in $(seq 300); do
  [ -s "$work/address" ] && break
  kill -0 "$provider" 2>/dev/null || { echo "the demo payment provider did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/address" ] || { echo "the demo payment provider did not start within 30 s" >&2; exit 1; }
DEMO_PROVIDER_URL=$(cat "$work/address")
export DEMO_PROVIDER_URL
echo "Card payments go through the demo provider at $DEMO_PROVIDER_URL (test card 4242 4242 4242 4242)."

# In the background and waited for, so that a signal to this script (Ctrl-C, a TERM) stops both at once.
"${portal[@]}" &
server=$!
wait "$server"
