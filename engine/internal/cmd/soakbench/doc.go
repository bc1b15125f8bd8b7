// Command soakbench drives the engine from flags, for benchmarks until
// cmd/soak exists (and beside it, to measure the engine alone). It accepts
// the flags of /work/shared/bench/peers.sh's SOAK_CMD example:
//
//	soakbench run --host http://127.0.0.1:18080 --url /ok --users 50 --spawn-rate 50 --duration 10s --wait 0
//
// and a few more: --rate (open model), --max-workers, --wait MIN-MAX,
// --client net/http, --no-labels, --cpuprofile FILE, --intervals FILE,
// --json. It prints one summary line (or JSON) with requests, failures,
// rates, percentiles, the generator's CPU and peak RSS. Its scripts are in
// engine/internal/bench; its figures in docs/performance.md.
package main
