package suggest

import "testing"

func TestClosestAndHint(t *testing.T) {
	known := []string{"spawn_rate", "users", "duration", "ramp_down"}
	for _, tc := range []struct{ got, closest, hint string }{
		{"spwan_rate", "spawn_rate", `did you mean "spawn_rate"?`},
		{"Spawn-Rate", "spawn_rate", `did you mean "spawn_rate"?`},
		{"user", "users", `did you mean "users"?`},
		{"colour", "", "expected one of duration, ramp_down, spawn_rate, users"},
	} {
		if got := Closest(tc.got, known); got != tc.closest {
			t.Errorf("Closest(%q) = %q, want %q", tc.got, got, tc.closest)
		}
		if got := Hint(tc.got, known); got != tc.hint {
			t.Errorf("Hint(%q) = %q, want %q", tc.got, got, tc.hint)
		}
	}
	if got := DidYouMean("colour", known); got != "" {
		t.Errorf("DidYouMean(colour) = %q", got)
	}
}
