package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soak/middleware/internal/mwtest"
	"github.com/soaklab/soak/probe"
)

// net/http, identity from a header, the limiter around the mux: a denial is
// counted under the route the mux would have chosen, and the HTTP
// middleware around it records the 429 there too.
func TestRateLimitHTTPHeaderIdentity(t *testing.T) {
	p := probe.New()
	clk := &mwtest.FakeClock{}
	rl, err := NewRateLimiter(RateLimitConfig{
		Probe:    p,
		Policy:   Policy{Limit: 2, Period: time.Second, Burst: 1},
		Identity: []Identifier{Header("X-Client-Id")},
		Now:      clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/discovery/trending", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) })
	srv := mwtest.Serve(t, HTTP(p)(rl.Handler(mux)))
	hdr := http.Header{"X-Client-Id": {"mobile-app"}}
	var res []mwtest.Result
	for range 3 {
		res = append(res, mwtest.Do(t, srv, "GET", "/api/discovery/trending", hdr, nil))
	}
	clk.Advance(500 * time.Millisecond)
	res = append(res, mwtest.Do(t, srv, "GET", "/api/discovery/trending", hdr, nil))
	if statuses := fmt.Sprint(res[0].Status, res[1].Status, res[2].Status, res[3].Status); statuses != "200 429 429 200" {
		t.Fatalf("statuses %v", statuses)
	}
	// Allowed: Limit, Remaining, Reset. Denied: also Policy and Retry-After.
	if h := res[3].Header; h.Get("RateLimit-Remaining") != "0" || h.Get("RateLimit-Reset") != "1" || h.Get("RateLimit-Policy") != "" || h.Get("Retry-After") != "" {
		t.Fatalf("allowed response headers %v", h)
	}
	if h := res[1].Header; h.Get("RateLimit-Policy") != "2;w=1;burst=1" || h.Get("Retry-After") != "1" || h.Get("RateLimit-Limit") != "2" {
		t.Fatalf("denied response headers %v", h)
	}
	r := mwtest.RouteSnap(t, p, "GET", "GET /api/discovery/trending")
	if r.RateLimitedHeader != 2 || r.Status429 != 2 || r.Status2xx != 2 {
		t.Fatalf("recorded %+v", r)
	}
	if got := p.Config()[probe.ConfigRateLimit]; got != "2 req/s per header (else per ip), burst 1" {
		t.Fatalf("config %q", got)
	}
	// A header such as a client id is shared by every user of the client.
	want := probe.RateLimitPolicy{Limit: 2, Period: time.Second, Burst: 1, Algorithm: probe.GCRA, Key: "header", Fallback: []string{"ip"}, Shared: true}
	if got := rl.Policy(); !reflect.DeepEqual(got, want) {
		t.Fatalf("declared policy %+v, want %+v", got, want)
	}
}

func TestRateLimitConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		cfg  RateLimitConfig
		want string
	}{
		{RateLimitConfig{}, "Limit must be > 0"},
		{RateLimitConfig{Policy: PerMinute(1), Identity: []Identifier{{Kind: "api key", HTTP: clientIP.HTTP}}}, `Identity: probe: invalid rate-limit policy: Key "api key"`},
		{RateLimitConfig{Policy: PerMinute(1), Probe: probe.New(), Name: strings.Repeat("n", 65)}, "Name: probe: invalid rate-limit policy: DeclareRateLimit"},
		{RateLimitConfig{Policy: PerMinute(1), Identity: []Identifier{{Kind: "user"}}}, "Identity[0]"},
		{RateLimitConfig{Policy: PerMinute(1), Identity: []Identifier{ClientIP(), {HTTP: clientIP.HTTP}}}, "Identity[1]"},
		{RateLimitConfig{Policy: PerMinute(1), MaxIdentities: -1}, "MaxIdentities"},
	} {
		_, err := NewRateLimiter(tt.cfg)
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewRateLimiter: %v, want an error naming %q", err, tt.want)
		}
	}
}

func TestIdentityKey(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
		ok   bool
	}{
		{"alice", "alice", true}, {"", "", false}, {nil, "", false},
		{42, "42", true}, {int64(-7), "-7", true}, {uint32(9), "9", true},
		{time.Second, "1s", true}, // a fmt.Stringer
		{3.5, "", false}, {strings.Repeat("a", MaxIdentityLen), strings.Repeat("a", MaxIdentityLen), true},
		{strings.Repeat("a", MaxIdentityLen+1), "", false},
	} {
		if got, ok := IdentityKey(tt.v); got != tt.want || ok != tt.ok {
			t.Errorf("IdentityKey(%v) = %q, %v; want %q, %v", tt.v, got, ok, tt.want, tt.ok)
		}
		if s, isString := tt.v.(string); isString {
			if got, ok := IdentityKeyString(s); got != tt.want || ok != tt.ok {
				t.Errorf("IdentityKeyString(%q) = %q, %v; want %q, %v", s, got, ok, tt.want, tt.ok)
			}
		}
	}
}

// TestHeaderModes: which responses of an identity spending its burst of
// 10 carry the RateLimit fields under each HeaderMode (every 429 does),
// and an unknown mode is a configuration error naming the field.
func TestHeaderModes(t *testing.T) {
	for _, tc := range []struct {
		mode HeaderMode
		want string // per request: f = fields, - = none; the 11th is denied
	}{
		{HeadersNearLimit, "----ffffffF"},
		{HeadersAlways, "ffffffffffF"},
		{HeadersDenied, "----------F"},
	} {
		clk := &mwtest.FakeClock{}
		l, err := NewLimiter(LimiterConfig{Policy: Policy{Limit: 10, Period: time.Minute}, Now: clk.Now, Headers: tc.mode})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for range 11 {
			h := http.Header{}
			d := l.Allow(Identity{KindIP, "192.0.2.1"})
			l.SetHeaders(h, d)
			switch {
			case len(h) == 0:
				got += "-"
			case !d.Allowed && h.Get(HeaderRetryAfter) != "" && h.Get(HeaderRateLimitRemaining) == "0":
				got += "F"
			case d.Allowed && h.Get(HeaderRateLimitRemaining) == strconv.Itoa(d.Remaining) && len(h) == 3:
				got += "f"
			default:
				got += "?"
			}
		}
		if got != tc.want {
			t.Errorf("%v: %s, want %s", tc.mode, got, tc.want)
		}
	}
	// A burst above the limit: Remaining is capped at the limit, so "half
	// its allowance" is half the limit (5 of 10), left after 35 of 40.
	clk := &mwtest.FakeClock{}
	l, err := NewLimiter(LimiterConfig{Policy: Policy{Limit: 10, Period: time.Minute, Burst: 40}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 36 {
		h := http.Header{}
		d := l.Allow(Identity{KindIP, "192.0.2.1"})
		l.SetHeaders(h, d)
		if fields := len(h) != 0; fields != (i >= 34) {
			t.Fatalf("burst 40, request %d (Remaining %d): fields %v", i+1, d.Remaining, h)
		}
	}
	_, err = NewLimiter(LimiterConfig{Policy: PerMinute(10), Headers: HeaderMode(7)})
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "Headers") {
		t.Errorf("HeaderMode(7): %v", err)
	}
	if HeadersNearLimit.String() != "near-limit" || HeaderMode(7).String() != "HeaderMode(7)" {
		t.Error("HeaderMode names")
	}
}
