package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/soaklab/soak/engine"
)

// load decodes "load:": the closed model (users, spawn_rate, ramp_down,
// stages of {duration, users}) or the open model (rate, max_workers,
// stages of {duration, rate}). The model is the one its fields name;
// mixing them is an error.
func (d *decoder) load(n ast.Node, field string) engine.Load {
	before := len(d.probs)
	var c engine.Closed
	var o engine.Open
	var closedAt, openAt []string
	var stages ast.Node
	ok := d.fieldSet(n, field, map[string]func(ast.Node, string){
		"users": func(v ast.Node, f string) {
			c.Users, _ = d.integer(v, f, 1, engine.MaxUsers)
			closedAt = append(closedAt, f)
		},
		"spawn_rate": func(v ast.Node, f string) {
			c.SpawnRate, _ = d.rate(v, f, true, "users/s")
			closedAt = append(closedAt, f)
		},
		"ramp_down": func(v ast.Node, f string) {
			if c.RampDown, _ = d.duration(v, f); c.RampDown < 0 {
				d.field(f, "negative (%v)", c.RampDown)
			}
			closedAt = append(closedAt, f)
		},
		"rate": func(v ast.Node, f string) {
			o.Rate, _ = d.rate(v, f, false, "arrivals/s")
			openAt = append(openAt, f)
		},
		"max_workers": func(v ast.Node, f string) {
			o.MaxWorkers, _ = d.integer(v, f, 1, engine.MaxUsers)
			openAt = append(openAt, f)
		},
		"stages": func(v ast.Node, f string) { stages = v },
	})
	if !ok {
		return nil
	}
	var cs []engine.Stage
	var os []engine.RateStage
	items, _ := d.list(stages, join(field, "stages"))
	if stages != nil && len(items) == 0 {
		d.field(join(field, "stages"), "empty list: give at least one {duration, users} or {duration, rate}")
	}
	for i, it := range items {
		f := index(join(field, "stages"), i)
		var st struct {
			dur         time.Duration
			users, rate *float64
		}
		d.fieldSet(it, f, map[string]func(ast.Node, string){
			"duration": func(v ast.Node, f string) {
				if st.dur, _ = d.duration(v, f); st.dur <= 0 {
					d.field(f, "must be positive")
				}
			},
			"users": func(v ast.Node, f string) {
				u, _ := d.integer(v, f, 0, engine.MaxUsers)
				uf := float64(u)
				st.users = &uf
			},
			"rate": func(v ast.Node, f string) {
				r, _ := d.rate(v, f, false, "arrivals/s")
				st.rate = &r
			},
		})
		switch {
		case st.users != nil && st.rate != nil:
			d.field(f, "both users and rate; a stage is closed (users) or open (rate)")
		case st.users != nil:
			cs = append(cs, engine.Stage{Duration: st.dur, Users: int(*st.users)})
			closedAt = append(closedAt, f)
		case st.rate != nil:
			os = append(os, engine.RateStage{Duration: st.dur, Rate: *st.rate})
			openAt = append(openAt, f)
		default:
			d.field(f, "needs users (closed model) or rate (open model)")
		}
	}
	if len(d.probs) > before {
		return nil // reported; a guessed model would only add noise
	}
	if len(closedAt) > 0 && len(openAt) > 0 {
		d.field(openAt[0], "open-model field in a closed-model load (%s); use users/spawn_rate or rate/max_workers, not both", closedAt[0])
		return nil
	}
	if len(cs) > 0 && c.Users > 0 {
		d.field(join(field, "users"), "set together with stages; use one or the other")
	}
	if len(os) > 0 && o.Rate > 0 {
		d.field(join(field, "rate"), "set together with stages; use one or the other")
	}
	switch {
	case len(openAt) > 0:
		o.Stages = os
		if o.Rate == 0 && len(os) == 0 {
			d.field(field, "open model without rate or stages")
		}
		return o
	case len(closedAt) > 0:
		c.Stages = cs
		if c.Users == 0 && len(cs) == 0 {
			d.field(field, "closed model without users or stages")
		}
		return c
	}
	if d.resolve(n, field) != nil {
		d.field(field, "empty: give users (and spawn_rate) or rate")
	}
	return nil
}

// rate decodes a rate in (0, 1e9] of unit, or [0, 1e9] when zero is
// allowed.
func (d *decoder) rate(n ast.Node, field string, zeroOK bool, unit string) (float64, bool) {
	r, ok := d.number(n, field)
	if !ok {
		return 0, false
	}
	if !positiveRate(r, zeroOK) {
		lo := "(0"
		if zeroOK {
			lo = "[0"
		}
		d.at(posOf(n), field, "%v is not a rate in %s, 1e9] %s", r, lo, unit)
		return 0, false
	}
	return r, true
}

// wait decodes a wait: "none", "constant 2s" (or "2s"), "between 1s 3s"
// (or "1s-3s"), "pacing 5s" (constant_pacing), "throughput 0.5"
// (constant_throughput, tasks per second per user).
func (d *decoder) wait(n ast.Node, field string) (engine.Wait, bool) {
	s, ok := d.str(n, field)
	if !ok {
		return nil, false
	}
	w, err := ParseWait(s)
	if err != nil {
		d.at(posOf(n), field, "%v", err)
		return nil, false
	}
	return w, true
}

// ParseWait parses a wait as scenario files and the CLI's --wait write it:
//
//	none | 0                 no pause (nil)
//	2s | constant 2s         engine.Constant
//	1s-3s | between 1s 3s    engine.Between
//	pacing 5s                engine.ConstantPacing (constant_pacing)
//	throughput 0.5           engine.ConstantThroughput, tasks/s per user
//
// Locust's names (constant, between, constant_pacing,
// constant_throughput) are accepted too, with or without parentheses and
// commas: "between(1, 3)" reads 1 and 3 as seconds.
func ParseWait(s string) (engine.Wait, error) {
	orig := s
	s = strings.NewReplacer("(", " ", ")", " ", ",", " ").Replace(strings.TrimSpace(s))
	f := strings.Fields(s)
	bad := func(format string, args ...any) (engine.Wait, error) {
		return nil, fmt.Errorf("wait %q: %s", orig, fmt.Sprintf(format, args...))
	}
	if len(f) == 0 {
		return bad("empty; write none, 2s, 1s-3s, between 1s 3s, pacing 5s or throughput 0.5")
	}
	dur := func(s string) (time.Duration, error) {
		if v, err := strconv.ParseFloat(s, 64); err == nil && len(f) > 1 && v >= 0 && v < 1e6 {
			return time.Duration(v * float64(time.Second)), nil // Locust's seconds
		}
		v, err := parseDuration(s)
		if err == nil && v < 0 {
			err = fmt.Errorf("negative duration %v", v)
		}
		return v, err
	}
	switch strings.ToLower(f[0]) {
	case "none":
		if len(f) == 1 {
			return nil, nil
		}
	case "constant":
		if len(f) == 2 {
			v, err := dur(f[1])
			if err != nil {
				return bad("%v", err)
			}
			return engine.Constant{D: v}, nil
		}
	case "between":
		if len(f) == 3 {
			return between(f[1], f[2], dur, bad)
		}
	case "pacing", "constant_pacing":
		if len(f) == 2 {
			v, err := dur(f[1])
			if err != nil {
				return bad("%v", err)
			}
			return engine.ConstantPacing{Every: v}, nil
		}
	case "throughput", "constant_throughput":
		if len(f) == 2 {
			v, err := strconv.ParseFloat(f[1], 64)
			if err != nil || !positiveRate(v, false) {
				return bad("%q is not a rate in (0, 1e9] tasks/s per user", f[1])
			}
			return engine.ConstantThroughput{PerSecond: v}, nil
		}
	default:
		if len(f) == 1 {
			if lo, hi, isRange := strings.Cut(f[0], "-"); isRange && lo != "" {
				return between(lo, hi, dur, bad)
			}
			v, err := dur(f[0])
			if err != nil {
				return bad("%v", err)
			}
			if v == 0 {
				return nil, nil
			}
			return engine.Constant{D: v}, nil
		}
	}
	return bad("write none, 2s, 1s-3s, between 1s 3s, pacing 5s or throughput 0.5")
}

func between(a, b string, dur func(string) (time.Duration, error), bad func(string, ...any) (engine.Wait, error)) (engine.Wait, error) {
	lo, err := dur(a)
	if err != nil {
		return bad("%v", err)
	}
	hi, err := dur(b)
	if err != nil {
		return bad("%v", err)
	}
	if hi < lo {
		return bad("maximum %v is below minimum %v", hi, lo)
	}
	return engine.Between{Min: lo, Max: hi}, nil
}
