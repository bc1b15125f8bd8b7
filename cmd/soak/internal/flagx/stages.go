package flagx

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/soaklab/soak/engine"
)

// MaxStages bounds the number of stages one flag may hold.
const MaxStages = 1000

// Stages is a step load, k6's --stage syntax: DURATION:TARGET items,
// separated by commas or given by repeating the flag. A target that is a
// number of users ("1m:50") makes closed-model stages; a target that is a
// rate ("1m:50/s", "2m:6000/m") makes open-model stages. One flag holds
// one kind.
//
//	--stages 1m:50,5m:200,1m:0     ramp to 50 users, then 200, then stop
//	--stages 2m:100/s,2m:200/s     100 arrivals/s for 2 minutes, then 200/s
type Stages struct {
	Users []engine.Stage     // closed-model stages, in order
	Rates []engine.RateStage // open-model stages, in order
}

// IsRate reports whether the stages are arrival rates (open model).
func (s *Stages) IsRate() bool { return len(s.Rates) > 0 }

// Len is the number of stages.
func (s *Stages) Len() int { return len(s.Users) + len(s.Rates) }

// Total is the sum of the stages' durations.
func (s *Stages) Total() time.Duration {
	var d time.Duration
	for _, u := range s.Users {
		d += u.Duration
	}
	for _, r := range s.Rates {
		d += r.Duration
	}
	return d
}

// Set appends the stages of s ("1m:50,2m:100").
func (s *Stages) Set(v string) error {
	items := strings.Split(v, ",")
	if s.Len()+len(items) > MaxStages {
		return fmt.Errorf("more than %d stages", MaxStages)
	}
	for i, item := range items {
		if err := s.add(strings.TrimSpace(item)); err != nil {
			return fmt.Errorf("stage %d %q: %w", s.Len()+1, items[i], err)
		}
	}
	if s.Total() > MaxDuration {
		return fmt.Errorf("stages last %v in all, above %v", s.Total(), MaxDuration)
	}
	return nil
}

func (s *Stages) add(item string) error {
	ds, target, ok := strings.Cut(item, ":")
	if !ok {
		return fmt.Errorf("want DURATION:USERS or DURATION:RATE/s, e.g. 1m:50")
	}
	d, err := ParseDuration(ds)
	if err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("duration must be positive")
	}
	target = strings.TrimSpace(target)
	if strings.Contains(target, "/") {
		if len(s.Users) > 0 {
			return fmt.Errorf("a rate among user stages: give users (1m:50) or rates (1m:50/s), not both")
		}
		r, err := ParseRate(target)
		if err != nil {
			return err
		}
		s.Rates = append(s.Rates, engine.RateStage{Duration: d, Rate: r})
		return nil
	}
	if len(s.Rates) > 0 {
		return fmt.Errorf("users among rate stages: give users (1m:50) or rates (1m:50/s), not both")
	}
	n, err := strconv.Atoi(target)
	if err != nil || n < 0 || n > engine.MaxUsers {
		return fmt.Errorf("%q: not a number of users in [0, %d] (or a rate such as 50/s)", target, engine.MaxUsers)
	}
	s.Users = append(s.Users, engine.Stage{Duration: d, Users: n})
	return nil
}

// String writes the stages back in the syntax Set reads.
func (s *Stages) String() string {
	if s == nil {
		return ""
	}
	var parts []string
	for _, u := range s.Users {
		parts = append(parts, FormatDuration(u.Duration)+":"+strconv.Itoa(u.Users))
	}
	for _, r := range s.Rates {
		parts = append(parts, FormatDuration(r.Duration)+":"+strconv.FormatFloat(r.Rate, 'g', -1, 64)+"/s")
	}
	return strings.Join(parts, ",")
}
