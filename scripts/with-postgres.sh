#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: data in a temporary folder,
# listening on 127.0.0.1 only, on a free port; stopped and removed afterwards.
# The server refuses to run as root, so as root it runs as the `postgres` user.
set -euo pipefail

pg_bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data_root=$(mktemp -d -t portal-pg.XXXXXX)
chmod 755 "$data_root"

as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  as_pg=(runuser -u postgres --)
  chown postgres: "$data_root"
fi
# The postgres user may not be allowed into the caller's folder: work from the data folder.
pg() { (cd "$data_root" && "${as_pg[@]}" "$@"); }

cleanup() {
  pg "$pg_bin/pg_ctl" -D "$data_root/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$data_root"
}
trap cleanup EXIT

pg "$pg_bin/initdb" -D "$data_root/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg "$pg_bin/pg_ctl" -D "$data_root/data" -l "$data_root/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $data_root -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres portal_test

export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/portal_test"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
