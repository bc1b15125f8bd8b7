#!/bin/sh
# End-to-end cost of the soak middleware: wrk against the same small echo
# service (middleware/internal/wrkbench), run once per mode on loopback:
#   bare   echo + Recover
#   probe  + probe and the Echo middleware (route timing, labels)
#   soak   + the per-identity rate limiter (a policy wrk never exhausts)
# Rounds are interleaved: every round runs each mode once, back to back, in
# an order that rotates from round to round, so the modes of one round see
# the same background load. Each round gives a paired ratio mode/bare; the
# script prints every round, then per mode the median requests/s and the
# median (and range) of the paired ratios. Done for plain requests and for
# requests carrying soak labels.
#
#   .ci/bench/wrk-middleware.sh               # 15 rounds of 2 s per flavour and mode
#   ROUNDS=30 DUR=5 .ci/bench/wrk-middleware.sh
#
# Needs wrk (Debian package wrk). Load time: 2 flavours x ROUNDS x 3 modes x
# DUR seconds. The servers exit with the script, or after 15 minutes.
set -eu
ROUNDS=${ROUNDS:-15}
DUR=${DUR:-2}
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
	eval "addr_$mode=127.0.0.1:$port"
	port=$((port + 1))
done
trap 'kill $pids 2>/dev/null; wait $pids 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

addr() { eval "echo \$addr_$1"; }
for mode in $MODES; do
	i=0
	until curl -fsS "http://$(addr $mode)/health" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 50 ] || { echo "server $mode did not start" >&2; exit 1; }
		sleep 0.1
	done
done

# rps MODE [wrk args...]: one wrk run; prints requests/s (fails on non-2xx).
rps() {
	a=$(addr "$1"); shift
	wrk -t"$THREADS" -c"$CONN" -d"${DUR}s" "$@" "http://$a/api/stories/dragon-tale" | awk '
		/^Requests\/sec:/ {r = $2}
		/Non-2xx|Socket errors/ {bad = $0}
		END {if (bad != "" || r == "") {print "wrk: " bad > "/dev/stderr"; exit 1}; print r}'
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

echo "wrk -t$THREADS -c$CONN -d${DUR}s, $ROUNDS rounds, modes rotated each round; $(nproc) cores, $(go version | cut -d' ' -f3), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for flavour in plain labels; do
	set --
	if [ $flavour = labels ]; then
		set -- -H "Soak-Run: 20261128T051500Z-3f9a" -H "Soak-Class: AuthenticatedUser" \
			-H "Soak-User: 17" -H "Soak-Request: /api/stories/[slug]"
	fi
	for mode in $MODES; do
		rps $mode "$@" >/dev/null # warm-up
		: >"$tmp/$mode.rps" && : >"$tmp/$mode.ratio"
	done
	r=1
	order=$MODES
	while [ $r -le "$ROUNDS" ]; do
		line="$flavour round $r:"
		for mode in $order; do
			v=$(rps $mode "$@")
			eval "v_$mode=$v"
			echo "$v" >>"$tmp/$mode.rps"
			line="$line  $mode $v"
		done
		for mode in $MODES; do
			eval "awk -v m=\$v_$mode -v b=\$v_bare 'BEGIN {print m / b}'" >>"$tmp/$mode.ratio"
		done
		echo "$line"
		order="$(echo $order | cut -d' ' -f2-) $(echo $order | cut -d' ' -f1)"
		r=$((r + 1))
	done
	for mode in $MODES; do
		m=$(median <"$tmp/$mode.rps")
		q=$(median <"$tmp/$mode.ratio")
		lo=$(sort -g "$tmp/$mode.ratio" | head -1)
		hi=$(sort -g "$tmp/$mode.ratio" | tail -1)
		awk -v f=$flavour -v mode=$mode -v m="$m" -v q="$q" -v lo="$lo" -v hi="$hi" 'BEGIN {
			printf "%s: %-5s median %6.0f req/s; paired ratio to bare: median %.3f (%+.1f %%), range %.3f-%.3f\n",
				f, mode, m, q, (q-1)*100, lo, hi}'
	done
done
