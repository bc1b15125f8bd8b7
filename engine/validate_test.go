package engine

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func noop(context.Context, *User) error { return nil }

// validPlan is a minimal valid closed plan; tests break one field at a time.
func validPlan() Plan {
	return Plan{
		Host:     "http://127.0.0.1:8000",
		Duration: time.Second,
		Load:     Closed{Users: 1},
		Classes:  []Class{{Name: "A", Weight: 1, Tasks: []Task{{Weight: 1, Do: noop}}}},
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cases := []struct {
		field string
		edit  func(p *Plan)
	}{
		{"Load.Users: negative", func(p *Plan) { p.Load = Closed{Users: -5} }},
		{"Load.Users: 0", func(p *Plan) { p.Load = Closed{} }},
		{"Load: not set", func(p *Plan) { p.Load = nil }},
		{"Classes: the weights of the non-fixed classes sum to 0", func(p *Plan) { p.Classes[0].Weight = 0 }},
		{"Classes: empty", func(p *Plan) { p.Classes = nil }},
		{"Classes[0].Weight: negative", func(p *Plan) { p.Classes[0].Weight = -1 }},
		{"Classes[0].Name", func(p *Plan) { p.Classes[0].Name = "has space" }},
		{"Classes[1].Name: \"A\" is used twice", func(p *Plan) { p.Classes = append(p.Classes, p.Classes[0]) }},
		{"Classes[0].Tasks: empty", func(p *Plan) { p.Classes[0].Tasks = nil }},
		{"Classes[0].Tasks: task weights sum to 0", func(p *Plan) { p.Classes[0].Tasks[0].Weight = 0 }},
		{"Classes[0].Tasks[0].Do: nil", func(p *Plan) { p.Classes[0].Tasks[0].Do = nil }},
		{"Classes[0].Tasks[0].Weight: negative", func(p *Plan) { p.Classes[0].Tasks[0].Weight = -2 }},
		{"Classes[0].Wait: Max", func(p *Plan) { p.Classes[0].Wait = Between{Min: 2 * time.Second, Max: time.Second} }},
		{"Classes[0].Wait: PerSecond", func(p *Plan) { p.Classes[0].Wait = ConstantThroughput{PerSecond: math.NaN()} }},
		{"Classes[0].Fixed: fixed user counts do not apply to the open model", func(p *Plan) {
			p.Load = Open{Rate: 1}
			p.Classes[0].Fixed = 2
		}},
		{"Load.Rate: 0", func(p *Plan) { p.Load = Open{} }},
		{"Load.Rate", func(p *Plan) { p.Load = Open{Rate: math.Inf(1)} }},
		{"Load.Stages: empty stage list", func(p *Plan) { p.Load = Closed{Stages: []Stage{}} }},
		{"Load.Stages: empty stage list", func(p *Plan) { p.Load = Open{Stages: []RateStage{}} }},
		{"Load.Stages[1].Users: negative", func(p *Plan) {
			p.Load = Closed{Stages: []Stage{{Duration: time.Second, Users: 1}, {Duration: time.Second, Users: -1}}}
		}},
		{"Load.Stages[0].Duration", func(p *Plan) { p.Load = Closed{Stages: []Stage{{Users: 1}}} }},
		{"Load.Stages[0].Rate", func(p *Plan) { p.Load = Open{Stages: []RateStage{{Duration: time.Second}}} }},
		{"Load.Users: set together with Stages", func(p *Plan) {
			p.Load = Closed{Users: 3, Stages: []Stage{{Duration: time.Second, Users: 1}}}
		}},
		{"Load.SpawnRate", func(p *Plan) { p.Load = Closed{Users: 1, SpawnRate: -1} }},
		{"Load.MaxWorkers", func(p *Plan) { p.Load = Open{Rate: 1, MaxWorkers: -1} }},
		{"Duration: 0", func(p *Plan) { p.Duration = 0 }},
		{"Duration: negative", func(p *Plan) { p.Duration = -time.Second }},
		{"Interval: 1ms is below", func(p *Plan) { p.Interval = time.Millisecond }},
		{"MaxRPS", func(p *Plan) { p.MaxRPS = -3 }},
		{"MaxErrors: negative", func(p *Plan) { p.MaxErrors = -1 }},
		{"Transport.Timeout: negative", func(p *Plan) { p.Transport.Timeout = -1 }},
		{"Transport.Client", func(p *Plan) { p.Transport.Client = "curl" }},
		{"Host: empty", func(p *Plan) { p.Host = "" }},
		{"Host: scheme \"ftp\"", func(p *Plan) { p.Host = "ftp://127.0.0.1" }},
		{"Host: must not hold credentials", func(p *Plan) { p.Host = "http://bob:secret@127.0.0.1" }},
		{"RunID", func(p *Plan) { p.RunID = "bad id" }},
		{"Classes[0].Header", func(p *Plan) { p.Classes[0].Header = map[string][]string{"X": {"a\r\nb"}} }},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			p := validPlan()
			c.edit(&p)
			err := p.Validate()
			if err == nil {
				t.Fatal("Validate accepted the plan")
			}
			if !errors.Is(err, ErrPlan) || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("error %q does not name %q", err, c.field)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error %q leaks the password", err)
			}
			if _, err := Run(context.Background(), p); !errors.Is(err, ErrPlan) {
				t.Fatalf("Run ran an invalid plan: %v", err)
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	for name, edit := range map[string]func(p *Plan){
		"closed":     func(*Plan) {},
		"stages":     func(p *Plan) { p.Duration = 0; p.Load = Closed{Stages: []Stage{{time.Second, 2}, {time.Second, 0}}} },
		"open":       func(p *Plan) { p.Load = Open{Rate: 0.5} },
		"openStages": func(p *Plan) { p.Duration = 0; p.Load = Open{Stages: []RateStage{{time.Second, 10}}} },
		"fixedOnly":  func(p *Plan) { p.Classes[0].Weight, p.Classes[0].Fixed = 0, 3 },
		"localhost":  func(p *Plan) { p.Host = "http://localhost:9" },
		"ipv6":       func(p *Plan) { p.Host = "http://[::1]:9" },
		"127/8":      func(p *Plan) { p.Host = "https://127.9.8.7" },
		"handler":    func(p *Plan) { p.Host = ""; p.Handler = nil },
		"remoteOK":   func(p *Plan) { p.Host, p.AllowRemote = "http://example.com", true },
	} {
		t.Run(name, func(t *testing.T) {
			p := validPlan()
			edit(&p)
			if name == "handler" {
				p.Handler = okHandler()
			}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The engine refuses to load a host that is not loopback, and sends it
// nothing, unless AllowRemote is set.
func TestRefusesRemoteHost(t *testing.T) {
	for _, host := range []string{"http://10.0.0.1", "http://example.com:8080", "https://192.168.1.2", "http://[2001:db8::1]", "http://localhost.example.com"} {
		p := validPlan()
		p.Host = host
		res, err := Run(context.Background(), p)
		if !errors.Is(err, ErrRemoteHost) || res != nil {
			t.Errorf("Run(%s) = %v, %v; want ErrRemoteHost", host, res, err)
		}
	}
}

// Validate never panics, whatever the plan holds.
func FuzzValidate(f *testing.F) {
	f.Add("http://127.0.0.1:1", "A", 1, 1, 1.0, int64(time.Second), 0, int64(0))
	f.Add("http://[::1]", "B", -1, 0, -1.0, int64(-1), 3, int64(-5))
	f.Fuzz(func(t *testing.T, host, name string, weight, users int, rate float64, dur int64, fixed int, wait int64) {
		p := Plan{Host: host, Duration: time.Duration(dur), Load: Closed{Users: users, SpawnRate: rate},
			Classes: []Class{{Name: name, Weight: weight, Fixed: fixed, Wait: Constant{time.Duration(wait)},
				Tasks: []Task{{Weight: weight, Do: noop}}}}}
		_ = p.Validate()
		p.Load = Open{Rate: rate, MaxWorkers: users}
		_ = p.Validate()
		p.Load = Closed{Stages: []Stage{{time.Duration(dur), users}}}
		_ = p.Validate()
	})
}
