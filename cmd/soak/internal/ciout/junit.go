package ciout

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Outcome is how a test case ended.
type Outcome int

// Outcomes. Warn passes in JUnit (a warning is not a failure) and is a
// ::warning annotation.
const (
	Pass Outcome = iota
	Fail
	Warn
	Skip // the check could not run or was turned off
)

// Case is one check: a target row, a detector's finding, a comparison
// check.
type Case struct {
	Suite   string  // the JUnit test suite: "soak targets", "soak detectors", "soak compare"
	Name    string  // "GET /api/items p95", "memory-leak [svc]"
	Outcome Outcome //
	// Message is one line: why it failed, warned or was skipped.
	Message string
	// Evidence is the figures behind the verdict, one per line (a failure's
	// text in JUnit).
	Evidence []string
}

// The JUnit XML elements (the schema Jenkins, GitLab and GitHub test
// reporters read: testsuites > testsuite > testcase > failure|skipped).
type (
	xmlSuites struct {
		XMLName  xml.Name   `xml:"testsuites"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Errors   int        `xml:"errors,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Suites   []xmlSuite `xml:"testsuite"`
	}
	xmlSuite struct {
		Name     string    `xml:"name,attr"`
		Tests    int       `xml:"tests,attr"`
		Failures int       `xml:"failures,attr"`
		Errors   int       `xml:"errors,attr"`
		Skipped  int       `xml:"skipped,attr"`
		Time     string    `xml:"time,attr"`
		Cases    []xmlCase `xml:"testcase"`
	}
	xmlCase struct {
		Name      string      `xml:"name,attr"`
		Classname string      `xml:"classname,attr"`
		Time      string      `xml:"time,attr"`
		Failure   *xmlFailure `xml:"failure,omitempty"`
		Skipped   *xmlSkipped `xml:"skipped,omitempty"`
		SystemOut string      `xml:"system-out,omitempty"`
	}
	xmlFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	xmlSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// WriteJUnit writes cases as a JUnit XML report named name, one test
// suite per Case.Suite in the order they first appear. Text that XML
// cannot hold (control characters) is replaced by U+FFFD.
func WriteJUnit(w io.Writer, name string, cases []Case) error {
	doc := xmlSuites{Name: clean(name)}
	index := map[string]int{}
	for _, c := range cases {
		i, ok := index[c.Suite]
		if !ok {
			i = len(doc.Suites)
			index[c.Suite] = i
			doc.Suites = append(doc.Suites, xmlSuite{Name: clean(c.Suite), Time: "0"})
		}
		s := &doc.Suites[i]
		xc := xmlCase{Name: clean(c.Name), Classname: clean(c.Suite), Time: "0"}
		switch c.Outcome {
		case Fail:
			xc.Failure = &xmlFailure{Message: clean(c.Message), Type: "soak", Text: clean(strings.Join(c.Evidence, "\n"))}
			s.Failures++
		case Skip:
			xc.Skipped = &xmlSkipped{Message: clean(c.Message)}
			s.Skipped++
		default:
			out := c.Message
			if len(c.Evidence) > 0 {
				out += "\n" + strings.Join(c.Evidence, "\n")
			}
			xc.SystemOut = clean(strings.TrimSpace(out))
		}
		s.Tests++
		s.Cases = append(s.Cases, xc)
	}
	for _, s := range doc.Suites {
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("ciout: junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// clean replaces the characters XML 1.0 cannot hold (controls other than
// tab, newline and carriage return; U+FFFE, U+FFFF) with U+FFFD.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return '\uFFFD'
		}
		return r
	}, s)
}
