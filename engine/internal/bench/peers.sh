#!/usr/bin/env bash
# peers.sh: soak's engine against wrk, bombardier, hey and vegeta in the
# peers benchmark script PEERS (50 connections, no think time, GET /ok),
# scored by the target's own tally. That script and the peers it runs are
# not part of this repository: name it with PEERS. soakbench is built
# first, so that compile time is not counted, and run with the flags the
# script expects.
#
# Usage: PEERS=/path/to/peers.sh engine/internal/bench/peers.sh [D=10] [C=50] [R=3] [extra soakbench flags...]
# e.g.   PEERS=/work/shared/bench/peers.sh engine/internal/bench/peers.sh 10 50 3 --client net/http
set -euo pipefail
: "${PEERS:?set PEERS to the peers benchmark script (it runs wrk, bombardier, hey and vegeta beside SOAK_CMD)}"
[ -f "$PEERS" ] || { echo "peers.sh: PEERS=$PEERS: no such file" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../../.." && pwd)
D=${1:-10} C=${2:-50} R=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/soakbench" ./engine/internal/cmd/soakbench)
SOAK_CMD="$bin/soakbench run --host {HOST} --url /ok --users {C} --spawn-rate {C} --duration {D}s --wait 0 $*" \
  bash "$PEERS" "$D" "$C" "$R"
