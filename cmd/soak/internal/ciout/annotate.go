package ciout

import (
	"fmt"
	"io"
	"strings"
)

// GitHubEnv is the variable GitHub Actions sets to "true" in every step:
// annotations are written only then.
const GitHubEnv = "GITHUB_ACTIONS"

// Annotate writes a GitHub Actions workflow command for every failed
// case (::error) and every warning (::warning), titled "soak: " and the
// case's name, with its message and evidence. Passing and skipped cases
// write nothing.
func Annotate(w io.Writer, cases []Case) error {
	for _, c := range cases {
		var cmd string
		switch c.Outcome {
		case Fail:
			cmd = "error"
		case Warn:
			cmd = "warning"
		default:
			continue
		}
		msg := c.Message
		if len(c.Evidence) > 0 {
			msg += "\n" + strings.Join(c.Evidence, "\n")
		}
		if _, err := fmt.Fprintf(w, "::%s title=%s::%s\n", cmd, EscapeProperty("soak: "+c.Name), EscapeData(msg)); err != nil {
			return err
		}
	}
	return nil
}

// EscapeData escapes a workflow command's message as GitHub's toolkit
// does (escapeData): % as %25, \r as %0D, \n as %0A.
func EscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// EscapeProperty escapes a workflow command's property value (title=...)
// as GitHub's toolkit does (escapeProperty): EscapeData's, and : as %3A,
// , as %2C.
func EscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
