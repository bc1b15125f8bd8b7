package engine

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"time"

	"github.com/soaklab/soak/internal/loopback"

	"github.com/soaklab/soak/probe/label"
)

// ErrPlan wraps every error of [Plan.Validate].
var ErrPlan = errors.New("engine: invalid plan")

// ErrRemoteHost is returned (wrapped) for a Host that is not loopback
// when AllowRemote is not set.
var ErrRemoteHost = errors.New("engine: host is not loopback (127.0.0.0/8, ::1, localhost); set AllowRemote to load another host")

func planErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrPlan, field, fmt.Sprintf(format, args...))
}

// Validate checks the plan and returns the first problem found, naming the
// field, e.g. "engine: invalid plan: Load.Stages[2].Users: negative (-5)".
// It never panics, whatever the plan holds.
func (p *Plan) Validate() error {
	if err := p.validateHost(); err != nil {
		return err
	}
	if p.RunID != "" && !label.Valid(p.RunID) {
		return planErr("RunID", "%q is not a valid label (1-%d letters, digits or -_.:/[]@+=~)", p.RunID, label.MaxLen)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"Duration", p.Duration}, {"StopTimeout", p.StopTimeout}, {"Interval", p.Interval},
		{"LateAfter", p.LateAfter}, {"Transport.Timeout", p.Transport.Timeout},
		{"Transport.DialTimeout", p.Transport.DialTimeout}} {
		if d.v < 0 {
			return planErr(d.name, "negative (%v)", d.v)
		}
	}
	if p.Interval > 0 && p.Interval < 10*time.Millisecond {
		return planErr("Interval", "%v is below the 10ms minimum", p.Interval)
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"MaxIntervals", p.MaxIntervals}, {"MaxErrors", p.MaxErrors}, {"Transport.MaxBodyBytes", p.Transport.MaxBodyBytes}} {
		if n.v < 0 {
			return planErr(n.name, "negative (%d)", n.v)
		}
	}
	if !finite(p.MaxRPS) || p.MaxRPS < 0 {
		return planErr("MaxRPS", "%v is not a rate >= 0", p.MaxRPS)
	}
	switch p.Transport.Client {
	case "", "net/http":
	default:
		return planErr("Transport.Client", "%q is not \"\" or \"net/http\"", p.Transport.Client)
	}
	if err := p.validateClasses(); err != nil {
		return err
	}
	return p.validateLoad()
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

func (p *Plan) validateHost() error {
	if p.Handler != nil {
		return nil
	}
	if p.Host == "" {
		return planErr("Host", "empty (and no Handler)")
	}
	u, err := url.Parse(p.Host)
	if err != nil {
		return planErr("Host", "not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return planErr("Host", "scheme %q is not http or https", u.Scheme)
	}
	if u.Hostname() == "" {
		return planErr("Host", "no host name")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return planErr("Host", "must not have a query or fragment")
	}
	if u.User != nil {
		return planErr("Host", "must not hold credentials; send them as a header (Class.Header or User.Header)")
	}
	if !p.AllowRemote && !loopback.Host(u.Hostname()) {
		return fmt.Errorf("%w: Host %q", ErrRemoteHost, u.Hostname())
	}
	return nil
}

func (p *Plan) validateClasses() error {
	if len(p.Classes) == 0 {
		return planErr("Classes", "empty: at least one user class is required")
	}
	_, open := p.Load.(Open)
	seen := map[string]bool{}
	weights := 0
	for i := range p.Classes {
		c := &p.Classes[i]
		f := fmt.Sprintf("Classes[%d]", i)
		if !label.Valid(c.Name) {
			return planErr(f+".Name", "%q is not a valid label (1-%d letters, digits or -_.:/[]@+=~)", c.Name, label.MaxLen)
		}
		if seen[c.Name] {
			return planErr(f+".Name", "%q is used twice", c.Name)
		}
		seen[c.Name] = true
		switch {
		case c.Weight < 0:
			return planErr(f+".Weight", "negative (%d)", c.Weight)
		case c.Weight > 1_000_000:
			return planErr(f+".Weight", "%d is above 1000000", c.Weight)
		case c.Fixed > MaxUsers:
			return planErr(f+".Fixed", "%d is above %d", c.Fixed, MaxUsers)
		case c.Fixed < 0:
			return planErr(f+".Fixed", "negative (%d)", c.Fixed)
		case c.Fixed > 0 && open:
			return planErr(f+".Fixed", "fixed user counts do not apply to the open model")
		case c.Fixed == 0:
			weights += c.Weight
			if weights < 0 {
				return planErr(f+".Weight", "weights overflow")
			}
		}
		if c.Wait != nil {
			if err := c.Wait.Validate(); err != nil {
				return planErr(f+".Wait", "%v", err)
			}
		}
		if err := checkHeader(c.Header, "class"); err != nil {
			return planErr(f+".Header", "%v", err)
		}
		if err := validateTasks(f, c.Tasks); err != nil {
			return err
		}
	}
	fixedOnly := true
	for i := range p.Classes {
		fixedOnly = fixedOnly && p.Classes[i].Fixed > 0
	}
	if weights == 0 && !fixedOnly {
		return planErr("Classes", "the weights of the non-fixed classes sum to 0")
	}
	return nil
}

func validateTasks(f string, tasks []Task) error {
	if len(tasks) == 0 {
		return planErr(f+".Tasks", "empty: at least one task is required")
	}
	sum := 0
	for j, t := range tasks {
		tf := fmt.Sprintf("%s.Tasks[%d]", f, j)
		if t.Weight < 0 {
			return planErr(tf+".Weight", "negative (%d)", t.Weight)
		}
		if t.Weight > 1_000_000 {
			return planErr(tf+".Weight", "%d is above 1000000", t.Weight)
		}
		if t.Do == nil {
			return planErr(tf+".Do", "nil")
		}
		sum += t.Weight
	}
	if sum == 0 {
		return planErr(f+".Tasks", "task weights sum to 0")
	}
	return nil
}

func (p *Plan) validateLoad() error {
	switch l := p.Load.(type) {
	case nil:
		return planErr("Load", "not set: use engine.Closed{...} or engine.Open{...}")
	case Closed:
		return p.validateClosed(l)
	case Open:
		return p.validateOpen(l)
	default:
		return planErr("Load", "unknown model %T", l)
	}
}

func (p *Plan) validateClosed(l Closed) error {
	if !finite(l.SpawnRate) || l.SpawnRate < 0 {
		return planErr("Load.SpawnRate", "%v is not a rate >= 0", l.SpawnRate)
	}
	if l.RampDown < 0 {
		return planErr("Load.RampDown", "negative (%v)", l.RampDown)
	}
	if err := checkUsers("Load.Users", l.Users); err != nil {
		return err
	}
	return p.checkStaged("Load.Users", l.Users != 0, "at least one user (or Stages) is required",
		l.Stages == nil, len(l.Stages), func(f string, i int) (time.Duration, error) {
			return l.Stages[i].Duration, checkUsers(f+".Users", l.Stages[i].Users)
		})
}

func checkUsers(field string, n int) error {
	switch {
	case n < 0:
		return planErr(field, "negative (%d)", n)
	case n > MaxUsers:
		return planErr(field, "%d is above %d", n, MaxUsers)
	}
	return nil
}

// MaxUsers bounds a closed model's users (and an open model's workers).
const MaxUsers = 1_000_000

func (p *Plan) validateOpen(l Open) error {
	if l.MaxWorkers < 0 || l.MaxWorkers > MaxUsers {
		return planErr("Load.MaxWorkers", "%d is not in [0, %d]", l.MaxWorkers, MaxUsers)
	}
	if !finite(l.Rate) || l.Rate < 0 || l.Rate > 1e7 {
		return planErr("Load.Rate", "%v is not a rate in [0, 1e7]", l.Rate)
	}
	return p.checkStaged("Load.Rate", l.Rate != 0, "the open model needs a positive arrival rate (or Stages)",
		l.Stages == nil, len(l.Stages), func(f string, i int) (time.Duration, error) {
			if r := l.Stages[i].Rate; !finite(r) || r <= 0 || r > 1e7 {
				return 0, planErr(f+".Rate", "%v is not a rate in (0, 1e7]", r)
			}
			return l.Stages[i].Duration, nil
		})
}

// checkStaged checks a model's choice between one level (Users, Rate;
// levelSet when non-zero) and a list of n stages (absent when noStages),
// and each stage with check, which returns the stage's duration.
func (p *Plan) checkStaged(levelField string, levelSet bool, noLevel string, noStages bool, n int,
	check func(field string, i int) (time.Duration, error)) error {
	switch {
	case noStages && !levelSet:
		return planErr(levelField, "0: %s", noLevel)
	case noStages:
		return p.needDuration()
	case n == 0:
		return planErr("Load.Stages", "empty stage list")
	case levelSet:
		return planErr(levelField, "set together with Stages; use one or the other")
	}
	var sum time.Duration
	for i := range n {
		f := fmt.Sprintf("Load.Stages[%d]", i)
		d, err := check(f, i)
		if err != nil {
			return err
		}
		if d <= 0 {
			return planErr(f+".Duration", "%v is not positive", d)
		}
		sum += d
	}
	return checkStageSum(sum)
}

func checkStageSum(sum time.Duration) error {
	if sum <= 0 || sum > 366*24*time.Hour {
		return planErr("Load.Stages", "total duration %v is not in (0, 366 days]", sum)
	}
	return nil
}

func (p *Plan) needDuration() error {
	if p.Duration <= 0 {
		return planErr("Duration", "0: a duration is required without stages")
	}
	return nil
}
