// Command soakbench drives the engine alone from flags, to measure it
// beside the load generators it is compared with (cmd/soak adds the
// probe polling, the results directory and the report). It accepts the
// flags the peers benchmark's SOAK_CMD passes (engine/internal/bench/peers.sh):
//
//	soakbench run --host http://127.0.0.1:18080 --url /ok --users 50 --spawn-rate 50 --duration 10s --wait 0
//
// and a few more: --rate (open model), --max-workers, --wait MIN-MAX,
// --client net/http, --no-labels, --cpuprofile FILE, --intervals FILE,
// --json. It prints one summary line (or JSON) with requests, failures,
// rates, percentiles, the generator's CPU and peak RSS. Its scripts are in
// engine/internal/bench; its figures in docs/performance.md.
package main
