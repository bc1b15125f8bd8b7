package web

import (
	"encoding/json"
	"html"
	"reflect"
	"regexp"
	"testing"

	"github.com/soaklab/soak/engine/report"
)

// The page carries the HTML report's chart geometry and palette, which
// app.js draws with: one definition for both views.
func TestPageCarriesReportChartStyle(t *testing.T) {
	_, ts := newTest(t, Config{})
	_, page := get(t, ts.URL+"/")
	m := regexp.MustCompile(`name="soak-chart" content="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no soak-chart meta in the page:\n%s", page)
	}
	var got report.ChartStyle
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
		t.Fatalf("soak-chart %q: %v", m[1], err)
	}
	if want := report.Style(); !reflect.DeepEqual(got, want) || got.Width == 0 || len(got.Palette) == 0 {
		t.Errorf("soak-chart %+v, want %+v", got, want)
	}
}
