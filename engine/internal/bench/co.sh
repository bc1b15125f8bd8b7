#!/usr/bin/env bash
# co.sh: coordinated omission. Against the bench target's /stall (a 1 s
# freeze every 10 s; docs/internal/stall, or TARGET_DIR's target): soak's open model at RATE/s and vegeta at the same rate
# (both measure from the intended start), side by side in one session; and
# wrk's closed loop, which hides the freezes (issue 2: soak's p95 and p99
# within 10 % of vegeta's; wrk's p90 under 5 ms).
#
# Usage: [TARGET_DIR=dir] engine/internal/bench/co.sh [RATE=1000] [DURATION=30]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
RATE=${1:-1000} D=${2:-30}
gobin=$(go env GOPATH)/bin
tmp=$(mktemp -d)
trap 'kill "$tpid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -x "$gobin/vegeta" ] || (cd "$tmp" && go install github.com/tsenart/vegeta/v12@v12.13.0)
(cd "$root" && go build -o "$tmp/soakbench" ./engine/internal/cmd/soakbench)
# The target: docs/internal/stall from this repository (GET /ok at once,
# GET /stall frozen 1 s every 10 s), or the Go main package in TARGET_DIR.
if [ -n "${TARGET_DIR:-}" ]; then
  (cd "$TARGET_DIR" && go build -o "$tmp/target" .)
else
  (cd "$root" && go build -o "$tmp/target" ./docs/internal/stall)
fi
port=$((20000 + RANDOM % 20000))
HOST=http://127.0.0.1:$port
"$tmp/target" -addr 127.0.0.1:$port & tpid=$!
for _ in $(seq 50); do curl -fs "$HOST/ok" >/dev/null 2>&1 && break; sleep 0.1; done

echo "== vegeta attack -rate=$RATE -duration=${D}s ($HOST/stall)"
echo "GET $HOST/stall" | "$gobin/vegeta" attack -rate="$RATE" -duration="${D}s" >"$tmp/vegeta.bin"
"$gobin/vegeta" report -type=json "$tmp/vegeta.bin" >"$tmp/vegeta.json"
"$gobin/vegeta" report "$tmp/vegeta.bin"

echo "== soak open model --rate $RATE --duration ${D}s"
"$tmp/soakbench" run --host "$HOST" --url /stall --rate "$RATE" --duration "${D}s" --json >"$tmp/soak.json"
python3 - "$tmp/vegeta.json" "$tmp/soak.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
vl = v["latencies"]  # nanoseconds
print(f"soak: {s['Requests']} requests, failures {s['Failures']}, dropped {s['Schedule']['dropped']}, "
      f"late {s['Schedule']['late']}, generator-bound {s['GeneratorBound']}")
for p, key in (("p50", "50th"), ("p90", "90th"), ("p95", "95th"), ("p99", "99th")):
    sv = s["P" + p[1:] + "us"] / 1000
    vv = vl[key] / 1e6
    print(f"{p}: soak {sv:8.1f} ms   vegeta {vv:8.1f} ms   soak/vegeta {sv / vv if vv else float('nan'):.3f}")
PY

echo "== wrk -t2 -c50 -d${D}s --latency (closed loop, $HOST/stall)"
wrk -t2 -c50 -d"${D}s" --latency "$HOST/stall" | sed -n '/Latency Distribution/,/99%/p'
