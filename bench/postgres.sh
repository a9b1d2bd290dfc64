#!/usr/bin/env bash
# Runs a command against the benchmark's PostgreSQL, which it sees as TEST_DATABASE_URL.
# By default a throwaway server (scripts/with-postgres.sh). With BENCH_KEEP=1 the server's data stays
# in bench/.data/postgres between runs, one database per size (portal_bench_<size>), so a second
# `make bench` or `make bench-profile` reuses the seeded city instead of seeding it again; the server
# itself is stopped when the command ends. `rm -rf bench/.data` forgets it.
set -euo pipefail

cd "$(dirname "$0")/.."
if [ "${BENCH_KEEP:-0}" != "1" ]; then
  exec scripts/with-postgres.sh "$@"
fi

size=${SIZE:-small}
pg_bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data_root=$PWD/bench/.data/postgres
mkdir -p "$data_root"
chmod 755 "$data_root"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
  chown postgres: "$data_root"
fi
pg() { (cd "$data_root" && "${as_pg[@]}" "$@"); }

cleanup() { pg "$pg_bin/pg_ctl" -D "$data_root/data" -m fast stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

[ -d "$data_root/data" ] || pg "$pg_bin/initdb" -D "$data_root/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg "$pg_bin/pg_ctl" -D "$data_root/data" -l "$data_root/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data_root -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "portal_bench_$size" 2>/dev/null || true

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/portal_bench_$size"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (kept in bench/.data)"
"$@"
