#!/usr/bin/env bash
# Builds the portal's self-hosted front-end assets from the npm packages pinned in
# package-lock.json, and vendors them under portal/static (committed, so running the
# portal needs neither Node nor the network):
#   portal/static/css/portal.css            Bootstrap Italia subset + Titillium Web + portal styles,
#                                           less the rules no page uses (PurgeCSS)
#   portal/static/vendor/htmx/              htmx.min.js and its licence
#   portal/static/vendor/titillium-web/     the woff2 files used and the font's licence (OFL)
#   portal/static/vendor/bootstrap-italia/  Bootstrap Italia's licence (its SCSS is compiled in)
#   portal/static/vendor/VERSIONS.txt       every vendored package, exact version and licence
# Usage: scripts/build_assets.sh   (or: make assets)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
nm="$root/node_modules"
static="$root/portal/static"
vendor="$static/vendor"

# Font weights shipped (latin subset: Italian, English, €, typographic punctuation).
font_weights=(400 600 700)

# 1. Node packages, exactly as locked (install only when missing or out of date).
if [ ! -f "$nm/.package-lock.json" ] || [ package-lock.json -nt "$nm/.package-lock.json" ] \
  || [ package.json -nt "$nm/.package-lock.json" ]; then
  echo "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

pkg_version() { node -p "require('$nm/$1/package.json').version"; }
pkg_license() { node -p "require('$nm/$1/package.json').license"; }

# 2. CSS: compressed, no source map; url()s stay relative to /static/css/portal.css. Then only the
#    rules that a page can use (assets/purgecss.config.cjs): Bootstrap Italia's subset is ~240 KB
#    compiled, and the whole stylesheet blocks the first paint of every page.
mkdir -p "$static/css"
full_css=$(mktemp -t portal-css.XXXXXX)
trap 'rm -f "$full_css"' EXIT
"$nm/.bin/sass" \
  --load-path="$nm" \
  --style=compressed \
  --no-source-map \
  --quiet-deps \
  --silence-deprecation=import \
  --silence-deprecation=global-builtin \
  --silence-deprecation=color-functions \
  assets/scss/portal.scss "$full_css"
node - "$full_css" "$static/css/portal.css" <<'JS'
const fs = require('fs');
const { PurgeCSS } = require('purgecss');
const config = require('./assets/purgecss.config.cjs');
const [source, target] = process.argv.slice(2);
new PurgeCSS().purge({ ...config, css: [source] }).then(([result]) => {
  fs.writeFileSync(target, result.css.trim() + '\n');
  const kB = (bytes) => (bytes / 1024).toFixed(1);
  console.log(`portal.css: ${kB(fs.statSync(source).size)} KB compiled, ${kB(result.css.length)} KB kept`);
});
JS

if grep -Eq '@import|url\((["'\'']?)(https?:)?//' "$static/css/portal.css"; then
  echo "error: portal.css imports or references an external URL" >&2
  exit 1
fi

# 3. htmx.
rm -rf "$vendor/htmx"
mkdir -p "$vendor/htmx"
cp "$nm/htmx.org/dist/htmx.min.js" "$vendor/htmx/htmx.min.js"
cp "$nm/htmx.org/LICENSE" "$vendor/htmx/LICENSE"

# 4. Titillium Web: only the files the @font-face rules use.
rm -rf "$vendor/titillium-web"
mkdir -p "$vendor/titillium-web"
for weight in "${font_weights[@]}"; do
  file="titillium-web-latin-$weight-normal.woff2"
  cp "$nm/@fontsource/titillium-web/files/$file" "$vendor/titillium-web/$file"
  grep -q "../vendor/titillium-web/$file" "$static/css/portal.css" \
    || { echo "error: portal.css does not use $file" >&2; exit 1; }
done
cp "$nm/@fontsource/titillium-web/LICENSE" "$vendor/titillium-web/OFL.txt"

# 5. Bootstrap Italia: compiled into portal.css; its licence travels with it.
rm -rf "$vendor/bootstrap-italia"
mkdir -p "$vendor/bootstrap-italia"
cp "$nm/bootstrap-italia/LICENSE" "$vendor/bootstrap-italia/LICENSE"

# 6. What is vendored, at which version, under which licence.
{
  echo "# Front-end assets vendored by scripts/build_assets.sh from the npm packages"
  echo "# pinned in package.json / package-lock.json. Do not edit by hand."
  echo "#"
  echo "# package                      version    licence      where"
  printf '%-30s %-10s %-12s %s\n' \
    bootstrap-italia "$(pkg_version bootstrap-italia)" "$(pkg_license bootstrap-italia)" \
    "compiled (SCSS subset) into css/portal.css; vendor/bootstrap-italia/LICENSE"
  printf '%-30s %-10s %-12s %s\n' \
    @fontsource/titillium-web "$(pkg_version @fontsource/titillium-web)" \
    "$(pkg_license @fontsource/titillium-web)" \
    "vendor/titillium-web/ (latin ${font_weights[*]}, woff2); OFL.txt"
  printf '%-30s %-10s %-12s %s\n' \
    htmx.org "$(pkg_version htmx.org)" "$(pkg_license htmx.org)" "vendor/htmx/htmx.min.js; vendor/htmx/LICENSE"
  printf '%-30s %-10s %-12s %s\n' \
    sass "$(pkg_version sass)" "$(pkg_license sass)" "build tool only (not shipped)"
  printf '%-30s %-10s %-12s %s\n' \
    purgecss "$(pkg_version purgecss)" "$(pkg_license purgecss)" "build tool only (not shipped)"
} >"$vendor/VERSIONS.txt"

# 7. Sizes (gzip -9 for text; woff2 is already compressed).
gz() { gzip -9 -c "$1" | wc -c; }
css_gz=$(gz "$static/css/portal.css")
htmx_gz=$(gz "$vendor/htmx/htmx.min.js")
fonts=0
for f in "$vendor"/titillium-web/*.woff2; do fonts=$((fonts + $(wc -c <"$f"))); done
echo "portal.css    $(wc -c <"$static/css/portal.css") B raw, $css_gz B gzip"
echo "htmx.min.js   $(wc -c <"$vendor/htmx/htmx.min.js") B raw, $htmx_gz B gzip"
echo "fonts (woff2) $fonts B"
echo "total         $((css_gz + htmx_gz + fonts)) B"
