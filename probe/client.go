package probe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/soaklab/soak/internal/clock"
	"github.com/soaklab/soak/internal/redact"
)

// ErrProbe wraps every error answer of a remote probe (its status and
// message are in the error text).
var ErrProbe = errors.New("probe: remote error")

// maxBody bounds what the client reads from a probe: 64 MiB (a long trace
// is the largest answer).
const maxBody = 64 << 20

// Client reads a remote probe's admin endpoint into the same types the
// probe produces in process. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
}

// NewClient returns a client for the probe at baseURL (where its
// [Probe.Handler] is mounted, e.g. "http://127.0.0.1:6061" or
// "http://127.0.0.1:8080/admin"), sending token as a bearer token when not
// empty. Requests are bounded by their context only (profile captures take
// their seconds); pass a context with a deadline.
func NewClient(baseURL, token string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("probe: client base URL %q: want http(s)://host[:port][/path]", baseURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("probe: client base URL must not carry credentials; pass the token instead")
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/"
	u.RawQuery, u.Fragment = "", ""
	return &Client{base: u, token: token, hc: &http.Client{}}, nil
}

// URL returns the base URL the client reads.
func (c *Client) URL() string { return c.base.String() }

// Snapshot reads the remote probe's snapshot.
func (c *Client) Snapshot(ctx context.Context) (*Snapshot, error) {
	var s Snapshot
	if err := c.getJSON(ctx, "snapshot", &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Leaks reads the holds older than the remote probe's leak threshold.
func (c *Client) Leaks(ctx context.Context) (*LeakReport, error) {
	var r LeakReport
	if err := c.getJSON(ctx, "leaks", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// LeaksMinAge reads the holds at least minAge old (0: every hold).
func (c *Client) LeaksMinAge(ctx context.Context, minAge time.Duration) (*LeakReport, error) {
	var r LeakReport
	if err := c.getJSON(ctx, "leaks?min_age="+url.QueryEscape(minAge.String()), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Profile captures the named profile (the Profile* constants; "cpu" is an
// alias of [ProfileCPU]) in pprof's protobuf format, or the execution
// trace for [ProfileTrace]. seconds is the capture length for CPU, trace
// and fgprof (0: the probe's default) and ignored for the others. It is
// ProfileWithOptions(ctx, name, ProfileOptions{Seconds: seconds}).
func (c *Client) Profile(ctx context.Context, name string, seconds int) ([]byte, error) {
	if name != ProfileCPU && name != "cpu" && name != ProfileTrace && name != ProfileFGProf {
		seconds = 0
	}
	return c.ProfileWithOptions(ctx, name, ProfileOptions{Seconds: seconds})
}

// ProfileOptions are the parameters of [Client.ProfileWithOptions]. The
// zero value asks for the profile as it stands.
type ProfileOptions struct {
	// Seconds is the capture length of CPU, trace and fgprof captures
	// (0: the probe's default, [DefaultCPUSeconds] or
	// [DefaultTraceSeconds]); it must be 0 for the other profiles.
	Seconds int
	// GC asks the probe to run a garbage collection before it writes a
	// heap profile (gc=1, as net/http/pprof has it), so that its in-use
	// figures count live objects only, as of now; without it they are as
	// of the service's last GC. Only for [ProfileHeap].
	GC bool
}

// ProfileWithOptions captures the named profile, as [Client.Profile] does,
// with the parameters of o. A parameter that does not apply to the
// profile (GC for anything but the heap, Seconds for an instant profile)
// is refused with an error naming it, not ignored.
func (c *Client) ProfileWithOptions(ctx context.Context, name string, o ProfileOptions) ([]byte, error) {
	if name == "cpu" {
		name = ProfileCPU
	}
	q := url.Values{}
	switch name {
	case ProfileCPU, ProfileTrace, ProfileFGProf:
		if o.Seconds < 0 {
			return nil, fmt.Errorf("probe: profile %s: ProfileOptions.Seconds %d is negative", name, o.Seconds)
		}
		if o.Seconds > 0 {
			q.Set("seconds", strconv.Itoa(o.Seconds))
		}
	case ProfileHeap, ProfileAllocs, ProfileGoroutine, ProfileBlock, ProfileMutex, ProfileThreadCreate, ProfileGoroutineLeak:
		if o.Seconds != 0 {
			return nil, fmt.Errorf("probe: profile %s: ProfileOptions.Seconds applies only to %s, %s and %s", name, ProfileCPU, ProfileTrace, ProfileFGProf)
		}
	default:
		return nil, fmt.Errorf("probe: unknown profile %q", name)
	}
	if o.GC {
		if name != ProfileHeap {
			return nil, fmt.Errorf("probe: profile %s: ProfileOptions.GC applies only to %s", name, ProfileHeap)
		}
		q.Set("gc", "1")
	}
	path := "debug/pprof/" + name
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	b, err := c.get(ctx, path)
	// The probe takes one forced-GC heap profile at a time (MaxForcedGC):
	// another client's makes this one 429. Retry a few times, a second
	// apart, within ctx.
	var se *StatusError
	for retry := 0; o.GC && retry < forcedGCRetries && errors.As(err, &se) && se.Code == http.StatusTooManyRequests; retry++ {
		if !clock.SleepUntil(ctx, time.Now().Add(time.Second)) {
			return nil, err
		}
		b, err = c.get(ctx, path)
	}
	return b, err
}

// forcedGCRetries is how many times ProfileWithOptions retries a heap
// profile with GC the probe answered 429 (another one under way).
const forcedGCRetries = 3

func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	b, err := c.get(ctx, path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("probe: %s: decoding the answer: %w", c.redacted(path), err)
	}
	return nil
}

func (c *Client) get(ctx context.Context, path string) ([]byte, error) {
	ref, err := url.Parse(path)
	if err != nil {
		return nil, err
	}
	u := c.base.ResolveReference(ref)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("probe: GET %s: %w", c.redacted(path), unwrapURLError(err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("probe: GET %s: reading the answer: %w", c.redacted(path), err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("probe: GET %s: answer larger than %d bytes", c.redacted(path), maxBody)
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(b))
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		return nil, &StatusError{URL: c.redacted(path), Code: resp.StatusCode, Status: resp.Status, Message: redact.Text(msg)}
	}
	return b, nil
}

// StatusError is a remote probe's answer other than 200 OK: a 401 or 403
// (the token is missing or wrong), a 404 (not a probe at that path), a
// 500. It wraps [ErrProbe]; errors.As finds it under the client's errors.
type StatusError struct {
	// URL is what was asked for (without credentials); Code and Status
	// the answer's status ("401 Unauthorized"); Message its body,
	// trimmed to 300 bytes, secrets removed.
	URL     string
	Code    int
	Status  string
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%v: GET %s: %s: %s", ErrProbe, e.URL, e.Status, e.Message)
}

func (e *StatusError) Unwrap() error { return ErrProbe }

// Unauthorized reports whether the probe refused the request for its
// credentials: 401 (no token, or the wrong one) or 403.
func (e *StatusError) Unauthorized() bool {
	return e.Code == http.StatusUnauthorized || e.Code == http.StatusForbidden
}

func (c *Client) redacted(path string) string { return c.base.String() + path }

// unwrapURLError drops url.Error's repetition of the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
