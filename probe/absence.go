package probe

import (
	"fmt"
	"strings"
)

// A Component is a kind of backing service a report looks for in a
// snapshot, and asks to have wired when it finds none.
type Component string

// Components a report knows.
const (
	// Database is the service's database, read through a pool section
	// (probe/pgxprobe).
	Database Component = "database"
	// Redis is the service's shared cache server, read through a Redis
	// section (probe/redisprobe).
	Redis Component = "redis"
)

// Absence says that the service has no component of a kind, and why.
type Absence struct {
	Component Component `json:"component"`
	// Why is the service's reason, e.g. "data in memory"; may be empty.
	Why string `json:"why,omitempty"`
}

// maxAbsences bounds the components a probe keeps declared absent.
const maxAbsences = 16

// Without declares that the service has no c, and why ("data in memory",
// "pages cached in process"): snapshots carry it in Snapshot.Without, and
// a report then says so ("the service has no database (data in memory)")
// instead of asking for an integration to be wired. A second declaration
// of c replaces the first. c is 1 to 64 bytes; why is kept to 256 bytes,
// without secrets, as configuration values are; at most 16 components.
//
// For [Database] and [Redis] it also sets [ConfigDatabase] or
// [ConfigRedis] to "none: WHY" ("none" without a why), for the report's
// Configuration section; readers decide from Snapshot.Without
// ([Snapshot.Absent]), never from that text.
func (p *Probe) Without(c Component, why string) error {
	p.init()
	if c == "" || len(c) > maxConfigKey {
		return fmt.Errorf("probe: Without(%q): the component must be 1 to %d bytes", c, maxConfigKey)
	}
	why = cleanValue(strings.TrimSpace(why))
	if !p.absent.set(c, why, maxAbsences) {
		return fmt.Errorf("probe: Without(%q): at most %d components", c, maxAbsences)
	}
	if key := configKeyOf(c); key != "" {
		text := "none"
		if why != "" {
			text += ": " + why
		}
		p.SetConfig(key, text)
	}
	return nil
}

// configKeyOf returns the configuration key that states c as text, or "".
func configKeyOf(c Component) string {
	switch c {
	case Database:
		return ConfigDatabase
	case Redis:
		return ConfigRedis
	}
	return ""
}

// absences returns the declared absences by component.
func (p *Probe) absences() []Absence {
	components, whys := p.absent.sorted()
	var out []Absence
	for i, c := range components {
		out = append(out, Absence{Component: c, Why: whys[i]})
	}
	return out
}

// Absent reports whether the service declared, with [Probe.Without], that
// it has no c, and why. It reads Snapshot.Without only: the configuration
// text that Without also writes is for people, never parsed back.
func (s *Snapshot) Absent(c Component) (why string, absent bool) {
	if a, ok := find(s.Without, func(a Absence) bool { return a.Component == c }); ok {
		return a.Why, true
	}
	return "", false
}
