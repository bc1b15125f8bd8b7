package stage

import "fmt"

// Split a run whose users went from 50 to 200 two minutes into its
// steady state: the settling after the change (10 s, and 3 s for 150
// users at 50/s) is in no figure.
func ExampleSplit() {
	for _, s := range Split(stepRun()) {
		fmt.Printf("%s, %s: %.0f requests/s, p95 %v, %.0f%% failed, %v settling left out\n",
			s.Name(), s.Cause, s.RPS, s.P95.Round(100_000), 100*s.ErrorRate, s.Settle)
	}
	// Output:
	// stage 1 (50 users), steady state: 100 requests/s, p95 2ms, 0% failed, 0s settling left out
	// stage 2 (200 users), users changed to 200: 400 requests/s, p95 8ms, 1% failed, 13s settling left out
}
