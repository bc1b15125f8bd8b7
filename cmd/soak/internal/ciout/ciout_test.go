package ciout

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

var cases = []Case{
	{Suite: "soak targets", Name: "P95 Latency", Outcome: Pass, Message: "312 ms < 500ms"},
	{Suite: "soak targets", Name: "Error Rate", Outcome: Fail, Message: "2.1% > 1%", Evidence: []string{"21 of 1000 failed", "<script>&\x01"}},
	{Suite: "soak detectors", Name: "memory-leak [svc]", Outcome: Skip, Message: "no probe"},
	{Suite: "soak detectors", Name: "rate-limit", Outcome: Warn, Message: "429s the policy does not explain"},
}

// TestJUnitParses: the report parses with encoding/xml and has the
// elements the JUnit schema requires: testsuites > testsuite (name, tests,
// failures) > testcase (name, classname) > failure (message) | skipped.
func TestJUnitParses(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, "soak run", cases); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    *int     `xml:"tests,attr"`
		Failures *int     `xml:"failures,attr"`
		Suites   []struct {
			Name     *string `xml:"name,attr"`
			Tests    *int    `xml:"tests,attr"`
			Failures *int    `xml:"failures,attr"`
			Skipped  *int    `xml:"skipped,attr"`
			Cases    []struct {
				Name      *string `xml:"name,attr"`
				Classname *string `xml:"classname,attr"`
				Failure   *struct {
					Message *string `xml:"message,attr"`
					Text    string  `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if doc.Tests == nil || *doc.Tests != 4 || doc.Failures == nil || *doc.Failures != 1 || len(doc.Suites) != 2 {
		t.Fatalf("totals: %s", b.String())
	}
	s := doc.Suites[0]
	if s.Name == nil || *s.Name != "soak targets" || *s.Tests != 2 || *s.Failures != 1 || len(s.Cases) != 2 {
		t.Fatalf("suite 0: %s", b.String())
	}
	f := s.Cases[1].Failure
	if s.Cases[1].Name == nil || s.Cases[1].Classname == nil || f == nil || f.Message == nil || *f.Message != "2.1% > 1%" ||
		!strings.Contains(f.Text, "21 of 1000 failed") || !strings.Contains(f.Text, "<script>&\uFFFD") {
		t.Errorf("failure: %+v", f)
	}
	if sk := doc.Suites[1].Cases[0].Skipped; sk == nil || sk.Message != "no probe" || *doc.Suites[1].Skipped != 1 {
		t.Errorf("skipped: %s", b.String())
	}
	if doc.Suites[1].Cases[1].Failure != nil {
		t.Error("a warning is not a JUnit failure")
	}
}

func TestAnnotate(t *testing.T) {
	var b bytes.Buffer
	in := []Case{
		{Name: "GET /a, p95: 100%", Outcome: Fail, Message: "p95 +100%\r\nsecond line", Evidence: []string{"a: b, c"}},
		{Name: "ok", Outcome: Pass, Message: "fine"},
		{Name: "rate-limit", Outcome: Warn, Message: "429s"},
		{Name: "skipped", Outcome: Skip, Message: "no probe"},
	}
	if err := Annotate(&b, in); err != nil {
		t.Fatal(err)
	}
	want := "::error title=soak%3A GET /a%2C p95%3A 100%25::p95 +100%25%0D%0Asecond line%0Aa: b, c\n" +
		"::warning title=soak%3A rate-limit::429s\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, data, prop string }{
		{"100%", "100%25", "100%25"},
		{"a\nb\rc", "a%0Ab%0Dc", "a%0Ab%0Dc"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"%0A", "%250A", "%250A"}, // an escape in the input stays literal
	} {
		if got := EscapeData(c.in); got != c.data {
			t.Errorf("EscapeData(%q) = %q, want %q", c.in, got, c.data)
		}
		if got := EscapeProperty(c.in); got != c.prop {
			t.Errorf("EscapeProperty(%q) = %q, want %q", c.in, got, c.prop)
		}
	}
}
