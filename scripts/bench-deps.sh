#!/usr/bin/env bash
# Installs, from Debian's packages, what `make bench` needs and the machine lacks: wrk (the load
# generator), PostgreSQL (the throwaway database) and Redis (the shared page cache and rate limits),
# the same way scripts/system-deps.sh does for `make test`.
set -euo pipefail

need=()
command -v wrk >/dev/null || need+=(wrk)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v redis-server >/dev/null || need+=(redis-server)

"$(dirname "$0")/apt-install.sh" "benchmark packages" ${need[@]+"${need[@]}"}
