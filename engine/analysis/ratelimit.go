package analysis

import (
	"fmt"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// expectedDenials is what pol denies users, each sending rate requests
// per second for d. An identity is allowed its burst (Limit for the
// windows, which admit a whole window at once) plus d x Limit/Period; the
// rest of what it sends is denied. A policy with no Key, or whose Key is
// shared by many users (Shared: an API key, a client IP behind which all
// of a soak's users sit), has one identity for all of them; otherwise
// each user is one.
func expectedDenials(pol probe.RateLimitPolicy, users int, rate float64, d time.Duration) float64 {
	if users <= 0 || pol.Period <= 0 {
		return 0
	}
	burst := pol.BurstOrLimit()
	if pol.Algorithm == probe.FixedWindow || pol.Algorithm == probe.SlidingWindow {
		burst = pol.Limit
	}
	allowed := float64(burst) + d.Seconds()*float64(pol.Limit)/pol.Period.Seconds()
	if pol.Key == "" || pol.Shared {
		return max(0, float64(users)*rate*d.Seconds()-allowed)
	}
	return float64(users) * max(0, rate*d.Seconds()-allowed)
}

// DetectorRateLimit is the rate-limit detector's name.
const DetectorRateLimit Detector = "rate-limit"

// rateLimit is the rate-limit detector.
type rateLimit struct{}

func (rateLimit) name() Detector { return DetectorRateLimit }

func (rateLimit) perSource() bool { return false }

// detect compares the 429s seen with what the service's policy predicts
// for the load's per-user rate: far more than predicted (twice the
// prediction and 5 % of the requests beyond it), or more than 5 % of the
// requests without a declared policy, is a defect; a run whose responses
// were mostly 429s (half or more) measured the limiter and is at best
// inconclusive.
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
		unexplained(&f, rf, req)
		mostlyRateLimited(&f, rf)
		return f
	}
	// Several limiters: a request is denied once, by the one that
	// predicts the most.
	var pol probe.RateLimitPolicy
	for _, dcl := range rf.Policies {
		if e := expectedDenials(dcl.Policy, users, rf.UserRate, load); pol.Limit == 0 || e > rf.ExpectedHits {
			pol, rf.ExpectedHits = dcl.Policy, e
		}
	}
	rf.Limit, rf.Period, rf.Burst, rf.Per = pol.Limit, pol.Period, pol.BurstOrLimit(), pol.Key
	perPeriod := rf.UserRate * pol.Period.Seconds()
	rf.UserRate = perPeriod
	f.Evidence = append(f.Evidence, fmt.Sprintf("Policy %q: %d requests per %s, burst %d. The virtual users sent %.1f requests per %s each on average, so the policy predicts about %s denials over %s.",
		pol.String(), pol.Limit, human.Per(pol.Period), pol.BurstOrLimit(), perPeriod, human.Per(pol.Period), human.Count(int64(rf.ExpectedHits)), human.Span(load)))
	expected := rf.ExpectedHits >= 1
	excess := float64(limited) - rf.ExpectedHits
	switch {
	case limited > 0 && excess > max(rf.ExpectedHits, unexplainedShare*float64(req)):
		rf.Expected = "unexpected"
		f.Verdict, f.Severity, f.Confidence = VerdictDetected, SeverityHigh, 0.9
		f.Summary = fmt.Sprintf("%s 429s (%s of the requests), far above the %s the policy (%s) predicts for users at %.1f requests per %s: the limiter denies what its policy allows",
			human.Count(limited), human.Percent(rf.HitRate), human.Count(int64(rf.ExpectedHits)), rf.Policy, perPeriod, human.Per(pol.Period))
		f.NextStep = limiterAdvice(rf)
	case limited == 0 && !expected, limited > 0 && expected:
		rf.Expected = "expected"
		f.Verdict, f.Confidence = VerdictOK, 0.8
		f.Summary = fmt.Sprintf("%s 429s, as the policy (%s) predicts for this load (about %s)", human.Count(limited), rf.Policy,
			human.Count(int64(rf.ExpectedHits)))
	case limited > 0:
		rf.Expected = "unexpected"
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.8
		f.Summary = fmt.Sprintf("%s 429s (%s) although each virtual user stayed below the policy (%.1f of %d requests per %s)",
			human.Count(limited), human.Percent(rf.HitRate), perPeriod, pol.Limit, human.Per(pol.Period))
		f.NextStep = limiterAdvice(rf)
	default:
		rf.Expected = "missing"
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.7
		f.Summary = fmt.Sprintf("no 429s although the policy (%s) predicts about %s for users at %.1f requests per %s",
			rf.Policy, human.Count(int64(rf.ExpectedHits)), perPeriod, human.Per(pol.Period))
		f.NextStep = "Check that the limiter is on and keyed as documented."
	}
	mostlyRateLimited(&f, rf)
	return f
}

// Rate-limit decision constants (see docs/report.md).
const (
	// unexplainedShare: 429s beyond what the policy predicts (or, with
	// no declared policy, all of them) that exceed this share of the
	// requests make the run unhealthy; with a policy they must also be
	// more than the policy predicts (twice the prediction in all).
	unexplainedShare = 0.05
	// mostlyShare: a run whose 429s are at least this share of its
	// requests is "mostly rate-limited": it measured the limiter, not
	// the service, and cannot be healthy.
	mostlyShare = 0.5
)

// unexplained judges 429s without a declared policy: none is fine, a few
// (at most unexplainedShare of the requests) are worth a look, more make
// the run unhealthy.
func unexplained(f *Finding, rf *RateLimitFigures, req int64) {
	rf.Expected = "unknown"
	why := "the service declares no rate-limit policy (soak's middleware declares its own; a limiter of the service's own needs probe.DeclareRateLimit)"
	switch {
	case rf.Hits == 0:
		rf.Expected = "expected"
		f.Verdict, f.Confidence = VerdictOK, 0.6
		f.Summary = "no 429s, and the service reported no rate-limit policy that would cause any"
	case float64(rf.Hits) <= unexplainedShare*float64(req):
		f.Verdict, f.Severity, f.Confidence = VerdictWarning, SeverityMedium, 0.6
		f.Summary = fmt.Sprintf("%s 429s (%s of the requests), and %s to judge them by", human.Count(rf.Hits), human.Percent(rf.HitRate), why)
		f.NextStep = "Declare the limiter's policy (probe.DeclareRateLimit) so that soak can tell expected 429s from a limiter that denies too much."
	default:
		rf.Expected = "unexpected"
		f.Verdict, f.Severity, f.Confidence = VerdictDetected, SeverityHigh, 0.8
		f.Summary = fmt.Sprintf("%s 429s: %s of the requests were denied, above the %s soak accepts without a declared policy (%s)",
			human.Count(rf.Hits), human.Percent(rf.HitRate), human.LimitPercent(unexplainedShare), why)
		f.NextStep = "Lower the load per identity below the service's limit, give each virtual user its own identity (a token, an X-Forwarded-For the service trusts), or declare the policy (probe.DeclareRateLimit) so the prediction can be checked."
	}
}

// mostlyRateLimited makes a finding that is not already a defect
// inconclusive when most responses were 429s: the policy may predict
// them, but the run then measured the limiter, not the service.
func mostlyRateLimited(f *Finding, rf *RateLimitFigures) {
	if rf.HitRate < mostlyShare || f.Verdict == VerdictDetected {
		return
	}
	f.Verdict, f.Severity, f.Confidence = VerdictInconclusive, SeverityMedium, 0.9
	f.Summary = fmt.Sprintf("mostly rate-limited: %s of the responses were 429s (%s): the run measured the limiter, not the service",
		human.Percent(rf.HitRate), f.Summary)
	f.NextStep = "Send less per identity than the limit allows (longer waits, fewer users per token or address), or raise the limit for the test, then soak again."
}

// MostlyRateLimited reports whether at least half the run's responses
// were 429s: the run measured the rate limiter, not the service, and
// [Result.Headline] says so first.
func (r *Result) MostlyRateLimited() bool {
	f := r.Find(DetectorRateLimit, "")
	return f != nil && f.RateLimit != nil && f.RateLimit.HitRate >= mostlyShare
}

// limiterAdvice says where to look when the limiter denies more than its
// policy explains.
func limiterAdvice(rf *RateLimitFigures) string {
	if rf.ServerDenials["ip"] > rf.ServerDenials["user"] {
		return fmt.Sprintf("Most denials are keyed by IP (%s): the anonymous users share one address. Give each virtual user its own (an X-Forwarded-For the service trusts) or set a per-IP limit sized for a shared address.",
			human.Count(int64(rf.ServerDenials["ip"])))
	}
	return "Check what the limiter keys on: identities shared by many users (one IP for every anonymous user behind a proxy, one API key) hit the limit together."
}

// serverDenials fills the policy and the limiter's denials (last sample
// minus the baseline) from the probes.
func (a *analyzer) serverDenials(rf *RateLimitFigures) {
	for _, s := range a.sources() {
		last, _ := s.Latest()
		if last == nil {
			continue
		}
		if len(rf.Policies) == 0 && len(last.RateLimits) > 0 {
			rf.Policies = last.RateLimits
			var words []string
			for _, dcl := range last.RateLimits {
				w := dcl.Policy.String()
				if len(last.RateLimits) > 1 {
					w = dcl.Name + ": " + w
				}
				words = append(words, w)
			}
			rf.Policy = strings.Join(words, "; ")
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
	// Policies are the rate limits the probe reports as in force
	// (probe.Snapshot.RateLimits), by limiter; none when no probe told.
	Policies []probe.RateLimitDeclaration `json:"policies,omitempty"`
	// Policy is Policies in words ("100 req/min per user (else per ip),
	// burst 100"; "name: ...; name: ..." for several); "" when none.
	Policy string `json:"policy,omitempty"`
	// Limit per Period, Burst, and Per (the Key: "user", "ip") are those
	// of the policy the prediction rests on: of several, the one that
	// predicts the most denials.
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
	// policy does not explain, or more than 5 % of the requests without
	// a declared policy), "missing" (hits predicted, none seen),
	// "unknown" (a few 429s and no declared policy to judge them by).
	Expected string `json:"expected"`
}
