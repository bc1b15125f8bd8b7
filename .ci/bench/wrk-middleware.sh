#!/bin/sh
# End-to-end cost of the soak middleware: wrk against the same small echo
# service (middleware/internal/wrkbench), run once per mode on loopback:
#   bare   echo + Recover
#   probe  + probe and the Echo middleware (route timing, labels)
#   soak   + the per-identity rate limiter (a policy wrk never exhausts)
# Rounds are interleaved (the order of the modes rotates every round), for
# plain requests and for requests carrying soak labels. Prints, per round and
# mode, requests/s and the server's CPU time per request (user + system, from
# /proc/PID/stat), then the medians and each mode's ratio to bare. On a shared
# machine requests/s swings with other load; CPU per request does not, and on
# a CPU-bound server throughput is its inverse.
#
#   .ci/bench/wrk-middleware.sh               # 6 rounds of 5 s per flavour and mode
#   ROUNDS=10 DUR=10 .ci/bench/wrk-middleware.sh
#
# Needs wrk (Debian package wrk). Load time: 2 flavours x ROUNDS x 3 modes x
# DUR seconds. The servers exit with the script, or after 15 minutes.
set -eu
ROUNDS=${ROUNDS:-6}
DUR=${DUR:-5}
CONN=${CONN:-32}
THREADS=${THREADS:-1}
MODES="bare probe soak"

command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
go build -o "$tmp/wrkbench" ./middleware/internal/wrkbench
pids=
port=18081
for mode in $MODES; do
	"$tmp/wrkbench" -addr 127.0.0.1:$port -mode $mode -max-run 15m &
	pids="$pids $!"
	eval "addr_$mode=127.0.0.1:$port pid_$mode=$!"
	port=$((port + 1))
done
trap 'kill $pids 2>/dev/null; wait $pids 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

addr() { eval "echo \$addr_$1"; }
# cputicks MODE: the server's user + system CPU time, in clock ticks.
cputicks() { eval "awk '{print \$14 + \$15}' /proc/\$pid_$1/stat"; }
HZ=$(getconf CLK_TCK)
for mode in $MODES; do
	i=0
	until curl -fsS "http://$(addr $mode)/health" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 50 ] || { echo "server $mode did not start" >&2; exit 1; }
		sleep 0.1
	done
done

# measure MODE [wrk args...]: one wrk run; prints requests/s and the
# server's CPU microseconds per request.
measure() {
	mode=$1; shift
	t0=$(cputicks $mode)
	out=$(wrk -t"$THREADS" -c"$CONN" -d"${DUR}s" "$@" "http://$(addr $mode)/api/stories/dragon-tale")
	t1=$(cputicks $mode)
	echo "$out" | awk -v t=$((t1 - t0)) -v hz=$HZ '
		/ requests in / {n = $1}
		/^Requests\/sec:/ {r = $2}
		/Non-2xx/ {bad = 1}
		END {if (bad || n == 0) {print "wrk saw errors" > "/dev/stderr"; exit 1}; printf "%.0f %.2f\n", r, t * 1e6 / hz / n}'
}

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

echo "wrk -t$THREADS -c$CONN -d${DUR}s, $ROUNDS rounds per mode, order rotated each round; $(nproc) cores, $(go version | cut -d' ' -f3)"
for flavour in plain labels; do
	set --
	if [ $flavour = labels ]; then
		set -- -H "Soak-Run: 20261128T051500Z-3f9a" -H "Soak-Class: AuthenticatedUser" \
			-H "Soak-User: 17" -H "Soak-Request: /api/stories/[slug]"
	fi
	for mode in $MODES; do
		measure $mode "$@" >/dev/null # warm-up
		: >"$tmp/$mode.rps" && : >"$tmp/$mode.cpu"
	done
	r=1
	order=$MODES
	while [ $r -le "$ROUNDS" ]; do
		line="$flavour round $r:"
		for mode in $order; do
			v=$(measure $mode "$@")
			echo "${v% *}" >>"$tmp/$mode.rps"
			echo "${v#* }" >>"$tmp/$mode.cpu"
			line="$line  $mode ${v% *} req/s ${v#* } us"
		done
		echo "$line"
		order="$(echo $order | cut -d' ' -f2-) $(echo $order | cut -d' ' -f1)"
		r=$((r + 1))
	done
	br=$(median <"$tmp/bare.rps")
	bc=$(median <"$tmp/bare.cpu")
	for mode in $MODES; do
		mr=$(median <"$tmp/$mode.rps")
		mc=$(median <"$tmp/$mode.cpu")
		awk -v f=$flavour -v mode=$mode -v br="$br" -v mr="$mr" -v bc="$bc" -v mc="$mc" 'BEGIN {
			printf "%s: %-5s median %6.0f req/s (%+5.1f %% vs bare), %5.2f us CPU/request (%+5.1f %%; throughput at equal CPU %+5.1f %%)\n",
				f, mode, mr, (mr/br-1)*100, mc, (mc/bc-1)*100, (bc/mc-1)*100}'
	done
done
