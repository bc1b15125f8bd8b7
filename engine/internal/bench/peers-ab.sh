#!/usr/bin/env bash
# peers-ab.sh: soakbench built from a git revision (A) and from the working
# tree (B), beside wrk and bombardier, in one peers session: each round runs
# every tool in turn against the same target, so A and B are interleaved and
# see the same machine. Scored like peers.sh (the target's own tally, the
# tool's user+sys CPU per 10,000 requests), with every round's figures
# printed after the medians.
#
# The peers script (PEERS, not part of this repository) runs one SOAK_CMD;
# this script runs a copy of it with its tool list replaced by
# wrk, bombardier, A and B (hey, vegeta and Locust are left out to keep
# the rounds short). It stops with an error if PEERS no longer has the
# lines it replaces.
#
# With PKG=./cmd/soak the CLI (soak run: live view, results directory,
# report) is compared instead of soakbench; its exit status (5 without a
# probe) is ignored and its output discarded.
#
# B_FLAGS adds flags to B's command line only: with REV the working tree's
# commit, it compares one build with and without a flag (B_FLAGS=--no-labels:
# the labels' cost to the target).
#
# Usage: PEERS=/path/to/peers.sh [PKG=./cmd/soak] [B_FLAGS=...] engine/internal/bench/peers-ab.sh REV [D=5] [C=50] [R=5] [extra flags...]
# e.g.   PEERS=/work/shared/bench/peers.sh engine/internal/bench/peers-ab.sh 1ff8446 5 50 7
set -euo pipefail
: "${PEERS:?set PEERS to the peers benchmark script (it runs wrk and bombardier beside the soak commands)}"
[ -f "$PEERS" ] || { echo "peers-ab.sh: PEERS=$PEERS: no such file" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: PEERS=... $0 REV [D] [C] [R] [soakbench flags...]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../../.." && pwd)
rev=$1; shift
D=${1:-5} C=${2:-50} R=${3:-5}
shift $(( $# < 3 ? $# : 3 ))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/a"
(cd "$root" && git archive "$rev" | tar -x -C "$tmp/a")
pkg=${PKG:-./engine/internal/cmd/soakbench}
(cd "$tmp/a" && go build -o "$tmp/soak-a" "$pkg")
(cd "$root" && go build -o "$tmp/soak-b" "$pkg")

peers_dir=$(cd "$(dirname "$PEERS")" && pwd)
for line in '^here=' '^order=(' '^if \[ -n "\${SOAK_CMD:-}" \]; then' '^for t in "\${order\[@\]}"; do'; do
  grep -q "$line" "$PEERS" || { echo "peers-ab.sh: $PEERS has no line matching $line: update this script" >&2; exit 2; }
done
# The copy: its target is PEERS's, its tools wrk, bombardier, A and B
# (SOAK_A and SOAK_B, filled in like SOAK_CMD), and it prints each round.
sed -e "s|^here=.*|here=$peers_dir|" \
    -e 's|^order=(.*|order=(wrk bombardier)|' \
    -e 's|^if command -v locust >/dev/null; then|if false; then|' \
    -e 's|^if \[ -n "\${SOAK_CMD:-}" \]; then|for v in SOAK_A SOAK_B; do s=${!v}; s=${s//\\{HOST\\}/$HOST}; s=${s//\\{C\\}/$C}; s=${s//\\{D\\}/$D}; CMD[$v]=$s; order+=($v); done\nif [ -n "${SOAK_CMD:-}" ]; then|' \
    "$PEERS" >"$tmp/peers.sh"
cat >>"$tmp/peers.sh" <<'EOF'
echo "each round (req/s ; CPU-s per 10k requests):"
for t in "${order[@]}"; do printf "%-11s %s ;%s\n" "$t" "${RPS[$t]}" "${CPU[$t]}"; done
EOF
# cmdline EXTRA...: the tool's command line, with the extra flags given.
cmdline() {
  if [ "$pkg" = ./cmd/soak ]; then
    echo "run --host {HOST} --url /ok --users {C} --spawn-rate {C} --duration {D}s --wait none $* >/dev/null 2>&1 || true"
  else
    echo "run --host {HOST} --url /ok --users {C} --spawn-rate {C} --duration {D}s --wait 0 $*"
  fi
}
flags=$(cmdline "$@")
flags_b=$(cmdline "$@" ${B_FLAGS:-})
echo "A = $pkg at $rev, B = $pkg${B_FLAGS:+ with $B_FLAGS} from the working tree ($(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet || echo '+changes'))"
(cd "$tmp" && SOAK_A="$tmp/soak-a $flags" SOAK_B="$tmp/soak-b $flags_b" bash "$tmp/peers.sh" "$D" "$C" "$R")
