package analysis

import "strings"

// NotPresent words a thing the service declares it does not have (a
// database, Redis) where a figure would otherwise be "not measured": "none: "
// and why, as in capture.Environment.Missing ("none: the service has no
// database (data in memory)") and the configuration rows built from it.
func NotPresent(why string) string { return noneText + why }

// IsNotPresent reports whether a reason (an Environment.Missing value) is
// a declared absence written by [NotPresent], not a gap in the
// measurement.
func IsNotPresent(why string) bool { return strings.HasPrefix(why, noneText) }
