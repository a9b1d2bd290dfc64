#!/usr/bin/env bash
# Installs, from Debian's packages, what the test suite needs and the machine lacks:
# Chromium (browser tests), PostgreSQL (the second database), Redis (the rate limits' shared
# store), a JRE (Nu Html Checker), Node.js and npm (axe-core and vnu-jar, pinned in package-lock.json).
set -euo pipefail

# What the portal needs to run (WeasyPrint's libraries for receipts, xmlsec1 for SPID/CIE and the demo
# identity provider): the same list as `make run`.
"$(dirname "$0")/run-deps.sh"

need=()
command -v chromium >/dev/null || need+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)
command -v java >/dev/null || need+=(default-jre-headless)
command -v npm >/dev/null || need+=(nodejs npm)
command -v msgfmt >/dev/null || true

"$(dirname "$0")/apt-install.sh" "system packages" ${need[@]+"${need[@]}"}
