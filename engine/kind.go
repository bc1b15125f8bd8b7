package engine

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Kind classifies a failed request. HTTP 429 is not a failure kind: it is
// counted apart, in [Stat.RateLimited].
type Kind uint8

// Failure kinds. The names (String) are stable: they appear in saved
// intervals and reports.
const (
	KindStatus4xx   Kind = iota // an unexpected 4xx status other than 429
	KindStatus5xx               // an unexpected 5xx status
	KindStatusOther             // any other unexpected status (1xx, 2xx or 3xx not in Request.Expect)
	KindTimeout                 // the request or the dial ran out of time
	KindRefused                 // the connection was refused
	KindReset                   // the connection was reset (or the pipe broke)
	KindEOF                     // the server closed the connection before a full response
	KindTLS                     // TLS handshake or certificate error
	KindProtocol                // a malformed HTTP response
	KindCheck                   // the response failed the request's Check
	KindCanceled                // the task's own context was cancelled (not the run's end)
	KindOther                   // anything else (DNS, local resources, ...)
	NumKinds                    // the number of kinds, not a kind
)

var kindNames = [NumKinds]string{
	"status_4xx", "status_5xx", "status_other", "timeout", "refused", "reset",
	"eof", "tls", "protocol", "check", "canceled", "other",
}

// String returns the kind's stable name, e.g. "status_5xx".
func (k Kind) String() string {
	if k < NumKinds {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind returns the kind named s (as String writes it).
func ParseKind(s string) (Kind, error) {
	for k, n := range kindNames {
		if n == s {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("engine: unknown failure kind %q", s)
}

// MarshalText writes k's name.
func (k Kind) MarshalText() ([]byte, error) {
	if k >= NumKinds {
		return nil, fmt.Errorf("engine: unknown failure kind %d", uint8(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText reads a name written by MarshalText.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err == nil {
		*k = v
	}
	return err
}

// ByKind counts failures per [Kind]. In JSON it is an object of the
// non-zero counts, e.g. {"status_5xx": 3, "timeout": 1}.
type ByKind [NumKinds]int64

// Total is the sum over all kinds.
func (b *ByKind) Total() int64 {
	var n int64
	for _, c := range b {
		n += c
	}
	return n
}

func (b *ByKind) add(o *ByKind) {
	for i := range b {
		b[i] += o[i]
	}
}

// MarshalJSON writes the non-zero counts as an object, keys sorted.
func (b ByKind) MarshalJSON() ([]byte, error) {
	m := make(map[string]int64)
	for k, c := range b {
		if c != 0 {
			m[kindNames[k]] = c
		}
	}
	return json.Marshal(m) // encoding/json sorts map keys
}

// UnmarshalJSON reads what MarshalJSON wrote; an unknown kind or a negative
// count is an error.
func (b *ByKind) UnmarshalJSON(data []byte) error {
	var m map[string]int64
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	*b = ByKind{}
	for _, name := range keys {
		k, err := ParseKind(name)
		if err != nil {
			return err
		}
		if m[name] < 0 {
			return fmt.Errorf("engine: negative count for failure kind %q", name)
		}
		b[k] = m[name]
	}
	return nil
}
