package flagx

import (
	"fmt"
	"strings"

	"github.com/soaklab/soak/internal/redact"
)

// List is a repeatable string flag: every occurrence appends its value
// (--url /a --url /b). Max, when positive, bounds the number of values.
type List struct {
	Values []string
	Max    int
}

// String joins the values with commas.
func (l *List) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.Values, ",")
}

// Set appends v; an empty value is an error.
func (l *List) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("empty value")
	}
	if l.Max > 0 && len(l.Values) >= l.Max {
		return fmt.Errorf("more than %d values", l.Max)
	}
	l.Values = append(l.Values, v)
	return nil
}

// Secret is a string flag that never shows its value: String returns
// "" when empty and Redacted otherwise, so neither flag's usage text nor
// an echo of the command line can leak it.
type Secret struct {
	value string
	IsSet bool
}

// Redacted stands for a secret in anything printed.
const Redacted = redact.Mark

// Value returns the secret itself, for the one place that sends it.
func (s *Secret) Value() string { return s.value }

// SetValue stores v (from the environment, say) as if the flag were given.
func (s *Secret) SetValue(v string) { s.value, s.IsSet = v, v != "" }

// String returns Redacted for a non-empty secret.
func (s *Secret) String() string {
	if s == nil || s.value == "" {
		return ""
	}
	return Redacted
}

// Set stores v.
func (s *Secret) Set(v string) error {
	s.SetValue(v)
	return nil
}

// set parses s into *dst and marks it set; on error it changes nothing.
func set[T any](dst *T, isSet *bool, s string, parse func(string) (T, error)) error {
	v, err := parse(s)
	if err != nil {
		return err
	}
	*dst, *isSet = v, true
	return nil
}
