#!/bin/sh
# End-to-end cost of the soak middleware: wrk against the same small echo
# service (middleware/internal/wrkbench), run once per mode on loopback:
#   bare   echo + Recover
#   probe  + probe and the Echo middleware (route timing, labels)
#   soak   + the per-identity rate limiter (a policy wrk never exhausts;
#          RL_HEADERS says which allowed responses carry the RateLimit
#          fields: near-limit, the default, which under wrk is none;
#          always; denied)
# Rounds are interleaved: every round runs each mode once, back to back, in
# an order that rotates from round to round, so the modes of one round see
# much the same background load. Per round and mode it records requests/s
# and the server's CPU time per request (user + system, /proc/PID/stat);
# then prints per mode the medians and the median (and range) of the
# per-round ratios to bare. Done for plain requests and for requests
# carrying soak labels.
#
#   .ci/bench/wrk-middleware.sh               # 15 rounds of 2 s per flavour and mode
#   ROUNDS=30 DUR=5 .ci/bench/wrk-middleware.sh
#   RL_HEADERS=always .ci/bench/wrk-middleware.sh   # the fields on every response
#
# Needs wrk (Debian package wrk). Load time: 2 flavours x ROUNDS x 3 modes x
# DUR seconds. The servers exit with the script, or after 15 minutes.
set -eu
ROUNDS=${ROUNDS:-15}
DUR=${DUR:-2}
CONN=${CONN:-32}
THREADS=${THREADS:-1}
RL_HEADERS=${RL_HEADERS:-near-limit}
MODES="bare probe soak"

command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
go build -o "$tmp/wrkbench" ./middleware/internal/wrkbench
pids=
port=18081
for mode in $MODES; do
	"$tmp/wrkbench" -addr 127.0.0.1:$port -mode $mode -ratelimit-headers "$RL_HEADERS" -max-run 15m &
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

# A wrk script that prints the status and body of every non-200 response.
cat >"$tmp/status.lua" <<'LUA'
response = function(status, headers, body)
	if status ~= 200 then io.write("status ", status, " ", body or "", "\n") end
end
LUA

# measure MODE [wrk args...]: one wrk run; prints requests/s and the
# server's CPU microseconds per request, or fails showing the statuses when
# a response was not a 200.
measure() {
	mode=$1; shift
	t0=$(cputicks $mode)
	out=$(wrk -t"$THREADS" -c"$CONN" -d"${DUR}s" -s "$tmp/status.lua" "$@" "http://$(addr $mode)/api/stories/dragon-tale")
	t1=$(cputicks $mode)
	echo "$out" | awk -v t=$((t1 - t0)) -v hz="$HZ" '
		/ requests in / {n = $1}
		/^Requests\/sec:/ {r = $2}
		/^status |Socket errors/ {bad[$0]++}
		END {
			for (b in bad) {print "wrk: " bad[b] " x " b > "/dev/stderr"; failed = 1}
			if (failed || n == 0) exit 1
			printf "%.0f %.2f\n", r, t * 1e6 / hz / n
		}'
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# summary NAME UNIT FILE-SUFFIX: medians and paired ratios of one figure.
summary() {
	for mode in $MODES; do
		m=$(median <"$tmp/$mode.$3")
		q=$(median <"$tmp/$mode.$3.ratio")
		lo=$(sort -g "$tmp/$mode.$3.ratio" | head -1)
		hi=$(sort -g "$tmp/$mode.$3.ratio" | tail -1)
		awk -v f="$flavour" -v n="$1" -v u="$2" -v mode=$mode -v m="$m" -v q="$q" -v lo="$lo" -v hi="$hi" 'BEGIN {
			printf "%s %s: %-5s median %8.2f %s; ratio to bare per round: median %.3f (%+.1f %%), range %.3f-%.3f\n",
				f, n, mode, m, u, q, (q-1)*100, lo, hi}'
	done
}

echo "wrk -t$THREADS -c$CONN -d${DUR}s, $ROUNDS rounds, RateLimit fields $RL_HEADERS, modes rotated each round; $(nproc) cores, $(go version | cut -d' ' -f3), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for flavour in plain labels; do
	set --
	if [ $flavour = labels ]; then
		set -- -H "Soak-Labels: run=20261128T051500Z-3f9a;class=AuthenticatedUser;user=17;request=/api/stories/[slug]"
	fi
	for mode in $MODES; do
		measure $mode "$@" >/dev/null # warm-up
		for f in rps rps.ratio cpu cpu.ratio; do : >"$tmp/$mode.$f"; done
	done
	r=1
	order=$MODES
	while [ $r -le "$ROUNDS" ]; do
		line="$flavour round $r:"
		for mode in $order; do
			v=$(measure $mode "$@")
			eval "rps_$mode=${v% *} cpu_$mode=${v#* }"
			line="$line  $mode ${v% *} req/s ${v#* } us"
		done
		for mode in $MODES; do
			eval "echo \$rps_$mode >>$tmp/$mode.rps; echo \$cpu_$mode >>$tmp/$mode.cpu"
			eval "awk -v m=\$rps_$mode -v b=\$rps_bare 'BEGIN {print m / b}'" >>"$tmp/$mode.rps.ratio"
			eval "awk -v m=\$cpu_$mode -v b=\$cpu_bare 'BEGIN {print m / b}'" >>"$tmp/$mode.cpu.ratio"
		done
		echo "$line"
		order="$(echo $order | cut -d' ' -f2-) $(echo $order | cut -d' ' -f1)"
		r=$((r + 1))
	done
	summary throughput req/s rps
	summary "server CPU" us/req cpu
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
