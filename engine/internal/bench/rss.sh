#!/usr/bin/env bash
# rss.sh: the generator's peak RSS with 10,000 users, 1-3 s think time,
# against the bench target's /ok for 60 s (issue 2: under 300 MB). The
# target is docs/internal/stall from this repository, or the Go main
# package in TARGET_DIR.
#
# Usage: [TARGET_DIR=dir] engine/internal/bench/rss.sh [USERS=10000] [DURATION=60s] [SPAWN_RATE=2000] [soakbench run flags]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
U=${1:-10000} D=${2:-60s} S=${3:-2000}
shift $(( $# < 3 ? $# : 3 )) # the rest goes to soakbench run (e.g. --memprofile FILE)
# Each user holds a connection: both processes need more descriptors than users.
ulimit -n $(( U * 2 + 1000 )) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "ulimit -n: $(ulimit -n)"
tmp=$(mktemp -d)
trap 'kill "$tpid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/soakbench" ./engine/internal/cmd/soakbench)
# The target: docs/internal/stall from this repository (GET /ok at once,
# GET /stall frozen 1 s every 10 s), or the Go main package in TARGET_DIR.
if [ -n "${TARGET_DIR:-}" ]; then
  (cd "$TARGET_DIR" && go build -o "$tmp/target" .)
else
  (cd "$root" && go build -o "$tmp/target" ./docs/internal/stall)
fi
# Port 0: a random fixed port may be one of the ephemeral ports that a
# previous run's 10,000 connections left in TIME_WAIT; the target then
# fails to listen and the run measures refused connections.
"$tmp/target" -addr 127.0.0.1:0 >"$tmp/target.out" & tpid=$!
for _ in $(seq 50); do grep -q http "$tmp/target.out" && break; sleep 0.1; done
host=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$tmp/target.out" | head -1)
curl -fs "$host/ok" >/dev/null || { echo "rss.sh: the target did not start: $(cat "$tmp/target.out")" >&2; exit 1; }
/usr/bin/time -f "generator: max RSS %M KB, user %U s, sys %S s, wall %e s" \
  "$tmp/soakbench" run --host "$host" --url /ok --users "$U" --spawn-rate "$S" --duration "$D" --wait 1s-3s "$@"
kill -0 "$tpid" || { echo "rss.sh: the target ended during the run" >&2; exit 1; }
