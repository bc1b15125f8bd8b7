package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/soaklab/soak/engine"
)

func renderHTML(t testing.TB, run Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(run)(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLSections(t *testing.T) {
	out := renderHTML(t, Run{Result: knownRun(t)})
	for _, want := range []string{
		`<section id="summary">`, `<section id="charts">`, `<section id="endpoints">`, `<section id="errors">`,
		`<figure class="chart" id="chart-users">`, `<figure class="chart" id="chart-rps">`,
		`<figure class="chart" id="chart-latency">`, `<figure class="chart" id="chart-failures">`,
		`<td class="name">/a</td>`, `<td class="name">Aggregated</td>`, "HTTP 503 Service Unavailable",
		"Reader/browse", ">p95</title>", ">429s/s</title>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(out, "ZgotmplZ") {
		t.Error("html/template rejected a value (ZgotmplZ in the output)")
	}
	if strings.Contains(out, "partial run") {
		t.Error("a finished run is marked partial")
	}
	if !strings.Contains(renderHTML(t, Run{Result: knownRun(t), Partial: true}), "partial run") {
		t.Error("a partial run is not marked")
	}
}

// The report is self-contained: nothing in it makes a browser fetch.
func TestHTMLSelfContained(t *testing.T) {
	out := renderHTML(t, Run{Result: knownRun(t)})
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import", "http-equiv"} {
		if strings.Contains(strings.ToLower(out), bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
}

// hostile are names a scenario may hold, meant to break out of their context.
var hostile = []string{
	`</td></tr></table><script>alert("x")</script>`,
	`<img src=x onerror=alert(1) id=pwned>`,
	`" onmouseover="alert(1)`,
	`'><svg onload=alert(1)>`,
	`</title><script>alert(2)</script>`,
	`{{.Title}}`,
}

func hostileRun(t testing.TB) *engine.Result {
	var stats []engine.Stat
	for _, n := range hostile {
		stats = append(stats, statOf("GET", n, ok(5, 1), failed(9, engine.KindStatus5xx)))
	}
	iv := interval(0, 1, stats...)
	for _, n := range hostile {
		iv.Errors = append(iv.Errors, engine.ErrorStat{Method: "GET", Name: n, Kind: engine.KindStatus5xx, Error: n, Count: 1, First: t0, Last: t0})
		iv.Exceptions = append(iv.Exceptions, engine.ErrorStat{Name: n + "/task", Kind: engine.KindOther, Error: n, Count: 1, First: t0, Last: t0})
	}
	res := result(t.(*testing.T), iv)
	res.Host = `http://127.0.0.1:1/<script>alert(3)</script>`
	res.Reasons = append(res.Reasons, hostile[1])
	res.GeneratorBound = true
	return res
}

func TestHTMLEscapesHostileNames(t *testing.T) {
	out := renderHTML(t, Run{Result: hostileRun(t)})
	for _, n := range append(hostile, "<script>alert(3)</script>") {
		if strings.Contains(out, n) && n != `{{.Title}}` {
			t.Errorf("raw %q in the HTML", n)
		}
	}
	for _, bad := range []string{"<script", "<img", "<svg onload", `" onmouseover`} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	if !strings.Contains(out, "&lt;img src=x onerror=alert(1) id=pwned&gt;") {
		t.Error("the hostile name is not shown, escaped")
	}
}

func TestInlineMarkdown(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"run `soak capacity` now", "run <code>soak capacity</code> now"},
		{"<b>`<i>`</b>", "&lt;b&gt;<code>&lt;i&gt;</code>&lt;/b&gt;"},
		{"a ` lone", "a ` lone"},
		{"`a` and ` b", "<code>a</code> and ` b"},
		{"", ""},
	} {
		if got := string(inlineMarkdown(c.in)); got != c.want {
			t.Errorf("inlineMarkdown(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
