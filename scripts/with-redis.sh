#!/usr/bin/env bash
# Runs a command against a throwaway Redis (the rate limits' shared store): listening on
# 127.0.0.1 only, on a free port, keeping nothing on disk; stopped when the command ends.
# The command sees RATELIMIT_STORAGE_URI=redis://127.0.0.1:<port>/0.
# Usage: scripts/with-redis.sh .venv/bin/pytest tests/web/test_rate_limits.py
set -euo pipefail

command -v redis-server >/dev/null || { echo "redis-server is missing: run scripts/system-deps.sh" >&2; exit 1; }
work=$(mktemp -d -t portal-redis.XXXXXX)
pid=""

cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Another pass of `make test` may take the port between the choice and the start: try again then.
for _attempt in 1 2 3 4 5; do
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
    --logfile "$work/redis.log" >/dev/null 2>&1 &
  pid=$!
  for _wait in $(seq 50); do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then break 2; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
done
if [ -z "$pid" ]; then
  echo "Redis did not start:" >&2
  cat "$work/redis.log" >&2 || true
  exit 1
fi

export RATELIMIT_STORAGE_URI="redis://127.0.0.1:$port/0"
echo "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$port"
"$@"
