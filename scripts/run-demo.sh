#!/usr/bin/env bash
# `make run`: the portal on 127.0.0.1:5000 and, in development only, the demo payment provider beside
# it (demo_provider/: a stand-in for a card provider's hosted checkout, never for production) on a
# free port of 127.0.0.1. The portal gets its address as DEMO_PROVIDER_URL; the provider notifies the
# portal at /api/pagamenti/notifiche/demo, signing with PAYMENT_WEBHOOK_SECRET, on the portal's clock
# (PORTAL_NOW). The provider stops when the portal stops (Ctrl-C), whatever happens.
# Beside it, the demo SPID identity provider (demo_idp/: a real SAML 2.0 IdP with test identities and
# no password, never for production) on another free port: it writes its metadata into the portal's
# SPID_IDP_METADATA_DIR, so "Entra con SPID" lists "SPID demo (solo sviluppo)", and reads the portal's
# SP metadata from /spid/metadata.xml when the first sign-in comes. SPID is on (SPID_ENABLED=1) with
# the SP's key and certificate of instance/spid/ (`flask spid-certificate` makes them the first time).
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
idp=""
server=""

cleanup() {
  for pid in $server $provider $idp; do
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

# SPID: the portal as a service provider at this address, the demo identity provider beside it.
export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"
export SPID_ENABLED="${SPID_ENABLED:-1}"
export SPID_IDP_METADATA_DIR="${SPID_IDP_METADATA_DIR:-$(pwd)/instance/spid/idp}"
if [ ! -s "${SPID_KEY_FILE:-instance/spid/sp.key}" ]; then
  "$BIN/flask" --app wsgi spid-certificate
fi
"$BIN/python" -m demo_idp --sp-metadata "$SITE_URL/spid/metadata.xml" \
  --metadata-dir "$SPID_IDP_METADATA_DIR" --ready-file "$work/idp-address" &
idp=$!
for _ in $(seq 300); do
  [ -s "$work/idp-address" ] && break
  kill -0 "$idp" 2>/dev/null || { echo "the demo identity provider did not start" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/idp-address" ] || { echo "the demo identity provider did not start within 30 s" >&2; exit 1; }
echo "Entra con SPID: the demo identity provider at $(cat "$work/idp-address") (test identities, no password)."

# In the background and waited for, so that a signal to this script (Ctrl-C, a TERM) stops both at once.
"${portal[@]}" &
server=$!
wait "$server"
