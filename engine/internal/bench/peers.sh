#!/usr/bin/env bash
# peers.sh: soak's engine against wrk, bombardier, hey and vegeta in
# /work/shared/bench/peers.sh (50 connections, no think time, GET /ok),
# scored by the target's own tally. soakbench is built first, so that
# compile time is not counted, and run with the flags peers.sh expects.
#
# Usage: engine/internal/bench/peers.sh [D=10] [C=50] [R=3] [extra soakbench flags...]
# e.g.   engine/internal/bench/peers.sh 10 50 3 --client net/http
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
D=${1:-10} C=${2:-50} R=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/soakbench" ./engine/internal/cmd/soakbench)
SOAK_CMD="$bin/soakbench run --host {HOST} --url /ok --users {C} --spawn-rate {C} --duration {D}s --wait 0 $*" \
  bash "${PEERS:-/work/shared/bench/peers.sh}" "$D" "$C" "$R"
