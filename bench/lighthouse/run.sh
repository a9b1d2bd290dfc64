#!/usr/bin/env bash
# Lighthouse (mobile, performance only) on the public pages of the demo portal: a benchmark, never a
# test. Serves the portal (development settings, demo data, demo clock) on a scratch SQLite and a free
# port of 127.0.0.1, runs Lighthouse in headless Chromium on the home page, the gallery, a campaign
# page, the call page and the co-funding tracker, and prints each page's score and its first paint.
#
# Usage: bench/lighthouse/run.sh [RUNS]   (or: make bench-lighthouse)
#   RUNS        runs per page (default 3); the median score is printed, with the lowest and highest
#   CHROME_PATH the browser (default /usr/bin/chromium; scripts/system-deps.sh installs it)
#   LH_WORK     scratch folder (default: a new one under /tmp, removed at the end; set it to keep the
#               JSON reports)
# Needs: node_modules (npm ci; lighthouse is pinned in package.json), the virtualenv (.venv).
set -euo pipefail

cd "$(dirname "$0")/../.."
runs=${1:-3}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
lighthouse=node_modules/.bin/lighthouse
BIN=${BIN:-.venv/bin}
[ -x "$lighthouse" ] || { echo "lighthouse is missing: run npm ci" >&2; exit 1; }
[ -x "$CHROME_PATH" ] || { echo "no browser at $CHROME_PATH: run scripts/system-deps.sh" >&2; exit 1; }

keep=${LH_WORK:+1}
work=${LH_WORK:-$(mktemp -d -t portal-lighthouse.XXXXXX)}
mkdir -p "$work"
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

export PORTAL_ENV=development
export DATABASE_URL="sqlite:///$work/portal.db"
export PORTAL_NOW=${PORTAL_NOW-2020-06-01T10:00:00+02:00}  # the demo's clock, as `make run`
rm -f "$work/portal.db"
"$BIN/flask" --app wsgi db upgrade >"$work/setup.log" 2>&1
"$BIN/flask" --app wsgi seed-demo >>"$work/setup.log" 2>&1

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$BIN/flask" --app wsgi run --host 127.0.0.1 --port "$port" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 200); do
  curl -fs -o /dev/null "$base/healthz" && break
  kill -0 "$server" 2>/dev/null || { echo "the portal did not start (see $work/server.log)" >&2; exit 1; }
  sleep 0.1
done

# The pages: a campaign and the year are read from the pages that link to them.
campaign=$(curl -fs "$base/it/progetti" | grep -oE 'href="/it/progetti/[a-z0-9-]+"' | grep -v feed | head -1 | cut -d'"' -f2)
year=$(curl -fsL "$base/it/bando" | grep -oE 'href="/it/bando/[0-9]{4}"' | head -1 | grep -oE '[0-9]{4}')
pages=(
  "home /it/"
  "gallery /it/progetti"
  "campaign $campaign"
  "call /it/bando/$year"
  "tracker /it/bando/$year/cofinanziamento"
)

flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
printf '%-9s %-42s %6s %6s %6s %8s %8s %6s %6s\n' page path score min max FCP_ms LCP_ms TBT_ms CLS
for entry in "${pages[@]}"; do
  read -r name path <<<"$entry"
  failed=""
  for run in $(seq "$runs"); do
    "$lighthouse" "$base$path" --quiet --only-categories=performance --form-factor=mobile \
      --chrome-flags="$flags" --output=json --output-path="$work/$name-$run.json" \
      >/dev/null 2>>"$work/lighthouse.log" || { failed=1; break; }
  done
  if [ -n "$failed" ]; then
    printf '%-9s %-42s failed: %s\n' "$name" "$path" "$(tail -1 "$work/lighthouse.log")"
    continue
  fi
  node - "$work" "$name" "$path" "$runs" <<'JS'
const [work, name, path, runs] = process.argv.slice(2);
const reports = [];
for (let i = 1; i <= Number(runs); i++) reports.push(require(`${work}/${name}-${i}.json`));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const scores = reports.map((r) => Math.round(r.categories.performance.score * 100));
const audit = (id) => median(reports.map((r) => r.audits[id].numericValue));
console.log([
  name.padEnd(9), path.padEnd(42), String(median(scores)).padStart(6),
  String(Math.min(...scores)).padStart(6), String(Math.max(...scores)).padStart(6),
  String(Math.round(audit('first-contentful-paint'))).padStart(8),
  String(Math.round(audit('largest-contentful-paint'))).padStart(8),
  String(Math.round(audit('total-blocking-time'))).padStart(6),
  audit('cumulative-layout-shift').toFixed(3).padStart(6),
].join(' '));
JS
done
