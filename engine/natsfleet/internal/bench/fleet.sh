#!/usr/bin/env bash
# fleet.sh: one soak process against three workers and a coordinator
# (soak run --workers ... --expect 3), in alternate rounds, against
# docs/internal/stall's /ok (U users, no think time, D seconds each,
# intervals of I):
# the requests per second of each, scored by the merged report, and the
# coordinator's CPU time and peak RSS (GNU time). NATS with JetStream at
# $NATS (default nats://127.0.0.1:4222); the job "fleetbench" is reused
# by every round, and its stream keeps the runs for 24 hours.
#
# Usage: engine/natsfleet/internal/bench/fleet.sh [R=3] [D=10] [U=50] [I=1s]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../../.." && pwd)
R=${1:-3} D=${2:-10} U=${3:-50} I=${4:-1s}
nats=${NATS:-nats://127.0.0.1:4222}
work=$(mktemp -d)
(cd "$root" && go build -o "$work/soak" ./cmd/soak && go build -o "$work/stall" ./docs/internal/stall)
cd "$work"
./stall -addr 127.0.0.1:18181 > /dev/null &
stall=$!
trap 'kill $stall; rm -rf "$work"' EXIT
sleep 0.5
common=(--host http://127.0.0.1:18181 --url /ok --users "$U" --spawn-rate 0 --duration "${D}s" --wait none --interval "$I" --json)
rps() { python3 -c 'import json,sys; t=json.load(sys.stdin)["totals"]; print(t["requests"], "requests,", round(t["requests"]/'"$D"'), "req/s")'; }
for r in $(seq "$R"); do
  one=$(./soak run "${common[@]}" --out "one-$r" 2>/dev/null | rps)
  workers=()
  for i in 1 2 3; do
    ./soak worker --nats "$nats" --job fleetbench --name "w$i" > /dev/null 2>&1 &
    workers+=($!)
  done
  fleet=$(/usr/bin/time -f '%U %S %M' -o "coord-$r.time" ./soak run "${common[@]}" \
    --workers "$nats" --expect 3 --job fleetbench --out "fleet-$r" 2>/dev/null | rps)
  wait "${workers[@]}"
  read -r user sys rss < "coord-$r.time"
  echo "round $r: one process: $one | 3 workers: $fleet | coordinator: ${user}s user + ${sys}s system CPU, peak RSS ${rss} KB, $(wc -l < "fleet-$r/intervals.jsonl") merged intervals"
done
