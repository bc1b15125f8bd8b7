#!/usr/bin/env bash
# cores.sh: where the machine's cores go while each generator drives the
# peers' target (closed loop, C connections, GET /ok, D seconds): the
# target's requests per second (its own tally, GET /count), the target's
# CPU per request (/proc/PID/stat), the generator's CPU per request
# (user + system, from time) and the machine's idle share (/proc/stat).
# On a machine the generator shares with its target, the generator's CPU
# is not the whole story: how it wakes the target decides the target's
# CPU per request, and how long both sleep decides the idle share.
#
# Tools, in turn, R rounds: wrk (-t2), soak (soakbench built from this
# tree), bombardier when installed, and "soak2", soakbench again with
# SOAK2_ENV in its environment and SOAK2_FLAGS on its command line, when
# either is set (e.g. SOAK2_ENV=GOMAXPROCS=1, SOAK2_FLAGS=--no-labels);
# and "wrk2", wrk again with WRK2_FLAGS before its URL, when set (e.g.
# WRK2_FLAGS=labels: wrk sending the Soak-Labels header soak sends, so
# that both send the same request bytes; any other value is passed to wrk
# as it is).
#
# Usage: PEERS=/path/to/peers.sh [SOAK2_ENV=...] [SOAK2_FLAGS=...] [WRK2_FLAGS=...] engine/internal/bench/cores.sh [D=5] [C=50] [R=3]
# e.g.   PEERS=/work/shared/bench/peers.sh SOAK2_ENV=GOMAXPROCS=1 engine/internal/bench/cores.sh 5 50 3
set -euo pipefail
: "${PEERS:?set PEERS to the peers benchmark script (its target/ directory is the target)}"
[ -d "$(dirname "$PEERS")/target" ] || { echo "cores.sh: $(dirname "$PEERS")/target: no such directory" >&2; exit 2; }
D=${1:-5} C=${2:-50} R=${3:-3}
root=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d)
tpid=
trap '[ -z "$tpid" ] || kill "$tpid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
command -v wrk >/dev/null || { echo "cores.sh: wrk is not installed (peers.sh installs it)" >&2; exit 2; }
(cd "$(dirname "$PEERS")/target" && go build -o "$tmp/target" .)
(cd "$root" && go build -o "$tmp/soakbench" ./engine/internal/cmd/soakbench)
port=$((20000 + RANDOM % 20000))
host=http://127.0.0.1:$port
"$tmp/target" -addr 127.0.0.1:$port & tpid=$!
for _ in $(seq 50); do curl -fs "$host/count" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$host/count" >/dev/null || { echo "cores.sh: the target did not start" >&2; exit 1; }

soak="$tmp/soakbench run --host $host --url /ok --users $C --spawn-rate $C --duration ${D}s --wait 0"
wrk="wrk -t2 -c$C -d${D}s" # peers.sh's wrk command, less its URL
declare -A CMD=([wrk]="$wrk $host/ok" [soak]="$soak")
tools=(wrk soak)
bombardier=$(go env GOPATH)/bin/bombardier
if [ -x "$bombardier" ]; then
  CMD[bombardier]="$bombardier -c $C -d ${D}s -p r $host/ok"
  tools+=(bombardier)
fi
if [ -n "${SOAK2_ENV:-}${SOAK2_FLAGS:-}" ]; then
  CMD[soak2]="env ${SOAK2_ENV:-} $soak ${SOAK2_FLAGS:-}"
  tools+=(soak2)
  echo "soak2: ${SOAK2_ENV:-} soakbench ... ${SOAK2_FLAGS:-}"
fi
if [ -n "${WRK2_FLAGS:-}" ]; then
  w2=$WRK2_FLAGS
  # soak's header as the engine builds it for user 1 (soakbench prints
  # it, with a run ID of the engine's form: the bytes the target reads).
  [ "$w2" != labels ] || w2="-H '$("$tmp/soakbench" --label-header --url /ok)'"
  CMD[wrk2]="$wrk $w2 $host/ok"
  tools+=(wrk2)
  echo "wrk2: wrk ... $w2"
fi

hz=$(getconf CLK_TCK)
idle() { awk '/^cpu /{print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
target_ticks() { awk '{print $14 + $15}' "/proc/$tpid/stat"; }
printf "%-11s %9s %16s %14s %9s\n" tool "req/s" "target us/req" "tool us/req" "idle %"
for _ in $(seq "$R"); do
  for t in "${tools[@]}"; do
    c0=$(curl -fs "$host/count") t0=$(target_ticks)
    read -r i0 a0 < <(idle)
    /usr/bin/time -f "%U %S" -o "$tmp/time" bash -c "${CMD[$t]}" >"$tmp/out" 2>&1 || { echo "$t failed:"; tail -5 "$tmp/out"; continue; }
    c1=$(curl -fs "$host/count") t1=$(target_ticks)
    read -r i1 a1 < <(idle)
    awk -v t="$t" -v n=$((c1 - c0)) -v tc=$((t1 - t0)) -v hz="$hz" -v i=$((i1 - i0)) -v a=$((a1 - a0)) -v d="$D" \
      '{ if (n <= 0) { printf "%-11s no requests served\n", t; exit }
         printf "%-11s %9.0f %16.2f %14.2f %9.1f\n", t, n / d, tc / hz * 1e6 / n, ($1 + $2) * 1e6 / n, 100 * i / a }' "$tmp/time"
  done
done
kill -0 "$tpid" || { echo "cores.sh: the target ended during the run" >&2; exit 1; }
