package flagx

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/engine"
)

func TestParseDuration(t *testing.T) {
	good := map[string]time.Duration{
		"90s": 90 * time.Second, "30m": 30 * time.Minute, "1h30m": 90 * time.Minute,
		"90": 90 * time.Second, "1.5": 1500 * time.Millisecond, "250ms": 250 * time.Millisecond,
		" 2h ": 2 * time.Hour, "0": 0,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3x", "-5s", "-1", "1e3", "Inf", "NaN", "9999h", "31622400000", ".5", "1..2"} {
		if d, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) = %v, want an error", in, d)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Minute: "30m", 90 * time.Minute: "1h30m", 2 * time.Hour: "2h", 90 * time.Second: "1m30s",
		0: "0s", 1500 * time.Millisecond: "1.5s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseRate(t *testing.T) {
	good := map[string]float64{"100": 100, "100/s": 100, "6000/m": 100, "360000/h": 100, "2.5/s": 2.5, "30/min": 0.5}
	for in, want := range good {
		got, err := ParseRate(in)
		if err != nil || got != want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-3", "x/s", "10/d", "NaN", "Inf/s", "2e7"} {
		if r, err := ParseRate(in); err == nil {
			t.Errorf("ParseRate(%q) = %v, want an error", in, r)
		}
	}
}

func TestStages(t *testing.T) {
	var s Stages
	if err := s.Set("1m:50, 5m:200"); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("30s:0"); err != nil {
		t.Fatal(err)
	}
	want := []engine.Stage{{Duration: time.Minute, Users: 50}, {Duration: 5 * time.Minute, Users: 200}, {Duration: 30 * time.Second, Users: 0}}
	if len(s.Users) != 3 || s.IsRate() || s.Users[1] != want[1] || s.Users[2] != want[2] {
		t.Fatalf("stages %+v, want %+v", s.Users, want)
	}
	if s.Total() != 6*time.Minute+30*time.Second || s.String() != "1m:50,5m:200,30s:0" {
		t.Fatalf("Total %v String %q", s.Total(), s.String())
	}
	var r Stages
	if err := r.Set("2m:100/s,1m:6000/m"); err != nil {
		t.Fatal(err)
	}
	if !r.IsRate() || r.Rates[1].Rate != 100 || r.String() != "2m:100/s,1m:100/s" {
		t.Fatalf("rate stages %+v %q", r.Rates, r.String())
	}
	for _, bad := range []string{"", "1m", "0s:5", "1m:-1", "1m:x", "1m:5,1m:5/s", "1m:5/s,1m:5", "x:5", "1m:0/s", "9000h:1"} {
		var s Stages
		if err := s.Set(bad); err == nil {
			t.Errorf("Stages.Set(%q) = nil, want an error (%+v)", bad, s)
		}
	}
}

func TestWait(t *testing.T) {
	var w Wait
	if err := w.Set("1s-3s"); err != nil || w.W != (engine.Between{Min: time.Second, Max: 3 * time.Second}) || !w.IsSet || w.String() != "1s-3s" {
		t.Fatalf("Wait.Set(1s-3s): %v %+v", err, w)
	}
	if err := w.Set("later"); err == nil {
		t.Fatal("Wait.Set(later) accepted")
	}
}

func TestListAndSecret(t *testing.T) {
	l := List{Max: 2}
	if err := l.Set("/a"); err != nil {
		t.Fatal(err)
	}
	if err := l.Set("/b"); err != nil {
		t.Fatal(err)
	}
	if l.Set("/c") == nil || l.Set(" ") == nil || l.String() != "/a,/b" {
		t.Fatalf("list %+v", l)
	}
	var s Secret
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.Var(&s, "token", "a secret")
	var usage strings.Builder
	fs.SetOutput(&usage)
	if err := fs.Parse([]string{"--token", "hunter2"}); err != nil {
		t.Fatal(err)
	}
	fs.PrintDefaults()
	if s.Value() != "hunter2" || !s.IsSet || s.String() != Redacted {
		t.Fatalf("secret %q %v %q", s.Value(), s.IsSet, s.String())
	}
	if strings.Contains(usage.String(), "hunter2") || strings.Contains(fs.Lookup("token").Value.String(), "hunter2") {
		t.Fatal("secret printed")
	}
}

// TestErrorsNameTheFlag checks what a user sees: flag.FlagSet puts the
// flag's name before the parser's message.
func TestErrorsNameTheFlag(t *testing.T) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var d Duration
	fs.Var(&d, "duration", "")
	err := fs.Parse([]string{"--duration", "3x"})
	if err == nil || !strings.Contains(err.Error(), "-duration") || !strings.Contains(err.Error(), "not a duration") {
		t.Fatalf("error %v", err)
	}
}

func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90s", "1h30m", "90", "1.5", "-1", "1e9", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err == nil && (d < 0 || d > MaxDuration) {
			t.Fatalf("ParseDuration(%q) = %v out of bounds", s, d)
		}
	})
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"100", "6000/m", "1/h", "0", "1e308/h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err == nil && (r <= 0 || r > MaxRate) {
			t.Fatalf("ParseRate(%q) = %v out of bounds", s, r)
		}
	})
}

func FuzzStages(f *testing.F) {
	for _, s := range []string{"1m:50,2m:100", "1m:5/s", "1m:5,1m:5/s", "::,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var st Stages
		if err := st.Set(s); err != nil {
			return
		}
		if st.Total() <= 0 || st.Total() > MaxDuration || (len(st.Users) > 0 && len(st.Rates) > 0) {
			t.Fatalf("Stages.Set(%q) accepted %+v", s, st)
		}
		var again Stages
		if err := again.Set(st.String()); err != nil || again.String() != st.String() {
			t.Fatalf("Stages %q does not read back: %q, %v", st.String(), again.String(), err)
		}
	})
}

func TestTargets(t *testing.T) {
	good := map[string]float64{"0.5%": 0.005, "80%": 0.8, "0.005": 0.005, "off": Off, "100%": 1, "0": 0}
	for in, want := range good {
		if got, err := ParseFraction(in); err != nil || got != want {
			t.Errorf("ParseFraction(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "101%", "-1%", "1.5", "NaN"} {
		if v, err := ParseFraction(in); err == nil {
			t.Errorf("ParseFraction(%q) = %v, want an error", in, v)
		}
	}
	var l Limit
	if err := l.Set("300ms"); err != nil || l.D != 300*time.Millisecond || l.String() != "300ms" {
		t.Fatalf("Limit 300ms: %v %+v", err, l)
	}
	if err := l.Set("off"); err != nil || l.D != Off || l.String() != "off" {
		t.Fatalf("Limit off: %v %+v", err, l)
	}
	if l.Set("0") == nil || l.Set("fast") == nil {
		t.Fatal("Limit accepted 0 or fast")
	}
	var r RateLimit
	if err := r.Set("off"); err != nil || r.PerSecond != Off || r.String() != "off" {
		t.Fatalf("RateLimit off: %v %+v", err, r)
	}
	if err := r.Set("50/s"); err != nil || r.PerSecond != 50 {
		t.Fatalf("RateLimit 50/s: %v %+v", err, r)
	}
}

func FuzzParseFraction(f *testing.F) {
	for _, s := range []string{"0.5%", "80%", "0.005", "off", "1e-3%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseFraction(s)
		if err == nil && v != Off && (v < 0 || v > 1) {
			t.Fatalf("ParseFraction(%q) = %v", s, v)
		}
	})
}

func TestWeights(t *testing.T) {
	var w Weights
	if err := w.Set("AuthenticatedUser=70, WriterUser=0"); err != nil {
		t.Fatal(err)
	}
	if err := w.Set("HealthCheckUser=1"); err != nil {
		t.Fatal(err)
	}
	if w.String() != "AuthenticatedUser=70,WriterUser=0,HealthCheckUser=1" || w.Lookup("WriterUser") != 1 || w.Lookup("x") != -1 {
		t.Fatalf("weights %+v", w)
	}
	for _, bad := range []string{"", "A", "A=", "=3", "A=-1", "A=x", "A=2000000", "A=1,A=2"} {
		var w Weights
		if err := w.Set(bad); err == nil {
			t.Errorf("Weights.Set(%q) accepted: %+v", bad, w)
		}
	}
}

func FuzzWeights(f *testing.F) {
	for _, s := range []string{"A=1,B=2", "A=0", "=,=", "A=1,A=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var w Weights
		if err := w.Set(s); err != nil {
			return
		}
		var again Weights
		if err := again.Set(w.String()); err != nil || again.String() != w.String() {
			t.Fatalf("Weights %q does not read back: %q, %v", w.String(), again.String(), err)
		}
	})
}
