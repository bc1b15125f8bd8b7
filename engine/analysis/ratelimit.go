package analysis

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// RatePolicy is a rate-limit policy as a service states it to the probe
// (probe.ConfigRateLimit), e.g. "100 req/min per user (else per ip),
// burst 100".
type RatePolicy struct {
	Limit  int           // requests per Period
	Period time.Duration // the window Limit refers to
	Burst  int           // requests an idle identity may send at once; Limit when not stated
	Per    string        // the identity limited: "user", "ip", ... ("" when not stated)
}

// ErrPolicy is returned (wrapped) by ParseRatePolicy.
var ErrPolicy = errors.New("analysis: rate-limit policy not understood")

var (
	policyRate  = regexp.MustCompile(`(?i)(\d{1,9})\s*(?:req(?:uests)?|r)\s*(?:/|per\s+)\s*(\d*)\s*(ms|s|sec|second|m|min|minute|h|hr|hour|d|day)\b`)
	policyPer   = regexp.MustCompile(`(?i)\bper\s+([a-z][a-z0-9_-]{0,31})`)
	policyBurst = regexp.MustCompile(`(?i)\bburst\s*:?\s*(\d{1,9})`)
)

// ParseRatePolicy reads "N req/<unit>" (units ms, s, min, h, day, with
// an optional count: "5 req/10s"), "per <identity>" and "burst N" from a
// policy text. It fails, naming the text, when there is no rate.
func ParseRatePolicy(text string) (RatePolicy, error) {
	m := policyRate.FindStringSubmatch(text)
	if m == nil {
		return RatePolicy{}, fmt.Errorf("%w: %q has no \"N req/<unit>\"", ErrPolicy, text)
	}
	n, _ := strconv.Atoi(m[1])
	mult := 1
	if m[2] != "" {
		mult, _ = strconv.Atoi(m[2])
	}
	unit := map[string]time.Duration{"ms": time.Millisecond, "s": time.Second, "sec": time.Second, "second": time.Second,
		"m": time.Minute, "min": time.Minute, "minute": time.Minute, "h": time.Hour, "hr": time.Hour, "hour": time.Hour,
		"d": 24 * time.Hour, "day": 24 * time.Hour}[strings.ToLower(m[3])]
	if n <= 0 || mult <= 0 || mult > 1_000_000 {
		return RatePolicy{}, fmt.Errorf("%w: %q: the rate must be positive", ErrPolicy, text)
	}
	p := RatePolicy{Limit: n, Period: unit * time.Duration(mult), Burst: n}
	rest := text[:strings.Index(text, m[0])] + text[strings.Index(text, m[0])+len(m[0]):]
	if pm := policyPer.FindStringSubmatch(rest); pm != nil {
		p.Per = strings.ToLower(pm[1])
	}
	if bm := policyBurst.FindStringSubmatch(rest); bm != nil {
		p.Burst, _ = strconv.Atoi(bm[1])
	}
	return p, nil
}

// expectedDenials is what a GCRA (token bucket) policy denies users
// identities each sending rate requests per second for d: an identity is
// allowed Burst + d x Limit/Period, the rest is denied.
func (p RatePolicy) expectedDenials(users int, rate float64, d time.Duration) float64 {
	if users <= 0 || p.Period <= 0 {
		return 0
	}
	allowed := float64(p.Burst) + d.Seconds()*float64(p.Limit)/p.Period.Seconds()
	return float64(users) * max(0, rate*d.Seconds()-allowed)
}

// DetectorRateLimit is the rate-limit detector's name.
const DetectorRateLimit Detector = "rate-limit"

// rateLimit is the rate-limit detector.
type rateLimit struct{}

func (rateLimit) name() Detector { return DetectorRateLimit }

func (rateLimit) perSource() bool { return false }

// detect compares the 429s seen with what the service's policy predicts
// for the load's per-user rate.
func (rateLimit) detect(a *analyzer, s *capture.SourceTimeline) Finding {
	d := DetectorRateLimit
	tot := a.res.Total
	var req, limited int64
	for i := range tot.Stats {
		req += tot.Stats[i].Requests
		limited += tot.Stats[i].RateLimited
	}
	rf := &RateLimitFigures{Hits: limited}
	if req > 0 {
		rf.HitRate = float64(limited) / float64(req)
	}
	f := Finding{Detector: d, RateLimit: rf}
	a.serverDenials(rf)
	userSeconds := 0.0
	for _, iv := range a.res.Intervals {
		userSeconds += float64(iv.Users) * iv.Duration().Seconds()
	}
	load := a.res.End.Sub(a.res.Start)
	users := a.res.PeakUsers
	if userSeconds > 0 {
		rf.UserRate = float64(req) / userSeconds // per second for now
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("429s received: %s of %s requests (%s).", human.Count(limited), human.Count(req), human.Percent(rf.HitRate)))
	var parts []string
	for _, k := range []string{"user", "ip", "header", "other"} {
		if n := rf.ServerDenials[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s by %s", human.Count(int64(n)), k))
		}
	}
	if len(parts) > 0 {
		f.Evidence = append(f.Evidence, "The service's limiter denied "+strings.Join(parts, ", ")+".")
	}
	if rf.Policy == "" {
		rf.Expected = "unknown"
		if limited == 0 {
			rf.Expected = "expected"
			f.Verdict, f.Confidence = VerdictOK, 0.6
			f.Summary = "no 429s, and the service reported no rate-limit policy that would cause any"
			return f
		}
		f.Verdict = VerdictUnknown
		f.Unmeasured = "the service did not report its rate-limit policy (probe.ConfigRateLimit), so the 429s cannot be judged"
		f.Summary = fmt.Sprintf("%s 429s (%s); %s", human.Count(limited), human.Percent(rf.HitRate), f.Unmeasured)
		return f
	}
	pol, err := ParseRatePolicy(rf.Policy)
	if err != nil {
		rf.Expected = "unknown"
		f.Verdict, f.Unmeasured = VerdictUnknown, err.Error()
		f.Summary = fmt.Sprintf("%s 429s; the policy %q is not understood", human.Count(limited), rf.Policy)
		return f
	}
	rf.Limit, rf.Period, rf.Burst, rf.Per = pol.Limit, pol.Period, pol.Burst, pol.Per
	rf.ExpectedHits = pol.expectedDenials(users, rf.UserRate, load)
	perPeriod := rf.UserRate * pol.Period.Seconds()
	rf.UserRate = perPeriod
	f.Evidence = append(f.Evidence, fmt.Sprintf("Policy %q: %d requests per %s, burst %d. The virtual users sent %.1f requests per %s each on average, so the policy predicts about %s denials over %s.",
		rf.Policy, pol.Limit, human.Per(pol.Period), pol.Burst, perPeriod, human.Per(pol.Period), human.Count(int64(rf.ExpectedHits)), human.Span(load)))
	expected := rf.ExpectedHits >= 1
	switch {
	case limited == 0 && !expected, limited > 0 && expected:
		rf.Expected = "expected"
		f.Verdict, f.Confidence = VerdictOK, 0.8
		f.Summary = fmt.Sprintf("%s 429s, as the policy (%s) predicts for this load", human.Count(limited), rf.Policy)
	case limited > 0:
		rf.Expected = "unexpected"
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.8
		f.Summary = fmt.Sprintf("%s 429s (%s) although each virtual user stayed below the policy (%.1f of %d requests per %s)",
			human.Count(limited), human.Percent(rf.HitRate), perPeriod, pol.Limit, human.Per(pol.Period))
		f.NextStep = "Check what the limiter keys on: identities shared by many users (one IP for every anonymous user behind a proxy, one API key) hit the limit together."
		if rf.ServerDenials["ip"] > rf.ServerDenials["user"] {
			f.NextStep = fmt.Sprintf("Most denials are keyed by IP (%s): the anonymous users share one address. Give each virtual user its own (an X-Forwarded-For the service trusts) or set a per-IP limit sized for a shared address.",
				human.Count(int64(rf.ServerDenials["ip"])))
		}
	default:
		rf.Expected = "missing"
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.7
		f.Summary = fmt.Sprintf("no 429s although the policy (%s) predicts about %s for users at %.1f requests per %s",
			rf.Policy, human.Count(int64(rf.ExpectedHits)), perPeriod, human.Per(pol.Period))
		f.NextStep = "Check that the limiter is on and keyed as documented."
	}
	return f
}

// serverDenials fills the policy and the limiter's denials (last sample
// minus the baseline) from the probes.
func (a *analyzer) serverDenials(rf *RateLimitFigures) {
	for _, s := range a.sources() {
		last, _ := s.Latest()
		if last == nil {
			continue
		}
		if rf.Policy == "" {
			rf.Policy = last.Config[probe.ConfigRateLimit]
		}
		var first *probe.Snapshot
		for _, p := range capture.Phases {
			if first = s.First[p]; first != nil {
				break
			}
		}
		if rf.ServerDenials == nil {
			rf.ServerDenials = map[string]uint64{}
		}
		for _, r := range last.HTTP.Routes {
			b, _ := first.HTTP.Route(r.Method, r.Route)
			rf.ServerDenials["user"] += r.RateLimitedUser - min(b.RateLimitedUser, r.RateLimitedUser)
			rf.ServerDenials["ip"] += r.RateLimitedIP - min(b.RateLimitedIP, r.RateLimitedIP)
			rf.ServerDenials["header"] += r.RateLimitedHeader - min(b.RateLimitedHeader, r.RateLimitedHeader)
			rf.ServerDenials["other"] += r.RateLimitedOther - min(b.RateLimitedOther, r.RateLimitedOther)
		}
	}
}

// RateLimitFigures are the rate-limit detector's measurements: 429s seen
// against what the service's policy predicts for the load.
type RateLimitFigures struct {
	// Policy is the policy as the probe reports it ("100 req/min per
	// user (else per ip), burst 100"); "" when no probe told it.
	Policy string `json:"policy,omitempty"`
	// Limit per Period, Burst, and Per (the identity: "user", "ip"), as
	// parsed from Policy.
	Limit  int           `json:"limit,omitempty"`
	Period time.Duration `json:"period_ns,omitempty"`
	Burst  int           `json:"burst,omitempty"`
	Per    string        `json:"per,omitempty"`
	// Hits counts 429s the client received; HitRate is their share of
	// the requests.
	Hits    int64   `json:"hits"`
	HitRate float64 `json:"hit_rate"`
	// ServerDenials counts the middleware limiter's denials by identity
	// kind ("user", "ip", "header", "other"), over the run.
	ServerDenials map[string]uint64 `json:"server_denials,omitempty"`
	// UserRate is the mean request rate per virtual user, per Period;
	// ExpectedHits is what the policy predicts for users at that rate.
	UserRate     float64 `json:"user_rate"`
	ExpectedHits float64 `json:"expected_hits"`
	// Expected says whether the 429s seen match the policy: "expected"
	// (hits predicted and seen, or neither), "unexpected" (hits the
	// policy does not explain), "missing" (hits predicted, none seen).
	Expected string `json:"expected"`
}
