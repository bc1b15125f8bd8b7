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
#   FLAVOURS=plain ROUNDS=100 DUR=1 .ci/bench/wrk-middleware.sh
#   AA=1 ... # every server bare: an A/A run, the method's own noise
#   BASE_REV=main BASE_MODE=probe ... # A/B: a fourth server, "base", is
#          wrkbench built at git revision BASE_REV serving BASE_MODE
#          (default probe), interleaved with the others
#
# Besides the per-round medians it prints the pooled figures: every
# round's requests, seconds and server CPU of a mode added up, as ratios
# to bare's. On a shared machine a round's ratio moves by +-10 % or more
# (bursts of other load hit one mode of a round and not the next), so
# many short rounds, pooled, resolve a small cost better than a few long
# ones; an A/A run says how small.
#
# Needs wrk (installed from Debian's packages when missing). Load time: 2 flavours x ROUNDS x 3 modes x
# DUR seconds. The servers exit with the script, or after an hour.
set -eu
ROUNDS=${ROUNDS:-15}
DUR=${DUR:-2}
CONN=${CONN:-32}
THREADS=${THREADS:-1}
RL_HEADERS=${RL_HEADERS:-near-limit}
FLAVOURS=${FLAVOURS:-plain labels}
AA=${AA:-}
BASE_REV=${BASE_REV:-}
BASE_MODE=${BASE_MODE:-probe}
MODES="bare probe soak${BASE_REV:+ base}"

if ! command -v wrk >/dev/null; then # Debian's package, as /work/shared/bench/peers.sh installs it
	as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
	echo "wrk-middleware.sh: installing wrk from Debian's packages" >&2
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
go build -o "$tmp/wrkbench" ./middleware/internal/wrkbench
if [ -n "$BASE_REV" ]; then
	git worktree add -q --detach "$tmp/base" "$BASE_REV"
	(cd "$tmp/base" && go build -o "$tmp/wrkbench-base" ./middleware/internal/wrkbench)
	git worktree remove --force "$tmp/base"
fi
pids=
port=18081
for mode in $MODES; do
	serve=$mode bin=$tmp/wrkbench
	[ $mode != base ] || serve=$BASE_MODE bin=$tmp/wrkbench-base
	[ -z "$AA" ] || serve=bare
	"$bin" -addr 127.0.0.1:$port -mode $serve -ratelimit-headers "$RL_HEADERS" -max-run 60m &
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

# measure MODE [wrk args...]: one wrk run; prints requests/s, the
# server's CPU microseconds per request, the requests and the seconds and
# CPU ticks they took, or fails showing the statuses when a response was
# not a 200.
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
			printf "%.0f %.2f %d %.3f %d\n", r, t * 1e6 / hz / n, n, n / r, t
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

echo "wrk -t$THREADS -c$CONN -d${DUR}s, $ROUNDS rounds, RateLimit fields $RL_HEADERS, modes rotated each round${AA:+, A/A: every server bare}${BASE_REV:+, base: $BASE_MODE at $BASE_REV}; $(nproc) cores, $(go version | cut -d' ' -f3), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for flavour in $FLAVOURS; do
	set --
	if [ $flavour = labels ]; then
		set -- -H "Soak-Labels: run=20261128T051500Z-3f9a;class=AuthenticatedUser;user=17;request=/api/stories/[slug]"
	fi
	for mode in $MODES; do
		measure $mode "$@" >/dev/null # warm-up
		for f in rps rps.ratio cpu cpu.ratio pool; do : >"$tmp/$mode.$f"; done
	done
	r=1
	order=$MODES
	while [ $r -le "$ROUNDS" ]; do
		line="$flavour round $r:"
		for mode in $order; do
			v=$(measure $mode "$@")
			set -- $v "$@"
			eval "rps_$mode=$1 cpu_$mode=$2"
			echo "$3 $4 $5" >>"$tmp/$mode.pool"
			line="$line  $mode $1 req/s $2 us"
			shift 5
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
	for mode in $MODES; do
		awk -v f="$flavour" -v mode=$mode -v hz="$HZ" -v base="$(awk '{n += $1; s += $2; t += $3} END {print n / s, t / n}' "$tmp/bare.pool")" '
			{n += $1; s += $2; t += $3}
			END {
				split(base, b, " ")
				printf "%s pooled: %-5s %8.0f req/s, %6.2f us/req; to bare: throughput %.3f (%+.1f %%), server CPU %.3f (%+.1f %%)\n",
					f, mode, n / s, t * 1e6 / hz / n, (n / s) / b[1], ((n / s) / b[1] - 1) * 100, (t / n) / b[2], ((t / n) / b[2] - 1) * 100
			}' "$tmp/$mode.pool"
	done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg)"
