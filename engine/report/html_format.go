package report

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
)

// Number formats of the HTML report.

// fixed formats f with prec decimals, "–" when not finite.
func fixed(f float64, prec int) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "–"
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

// latency formats milliseconds with three significant digits or more:
// "0.412", "12.3", "153", "2,048".
func latency(ms float64) string {
	switch {
	case ms < 1:
		return fixed(ms, 3)
	case ms < 10:
		return fixed(ms, 2)
	case ms < 100:
		return fixed(ms, 1)
	}
	return human.Count(int64(math.Round(ms)))
}

// percent formats part/whole as "0.52%", "–" for an empty whole.
func percent(part, whole int64) string {
	if whole == 0 {
		return "–"
	}
	return fixed(100*float64(part)/float64(whole), 2) + "%"
}

// durationText formats seconds as a duration: 1800 -> "30m0s", 0.25 ->
// "250ms" (to the millisecond below 10 s, to the second above).
func durationText(secs float64) string {
	d := time.Duration(secs * float64(time.Second))
	if d < 10*time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

func timeText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// groupAny is human.Count for any integer type (templates pass int and int64).
func groupAny(v any) string {
	switch n := v.(type) {
	case int:
		return human.Count(int64(n))
	case int32:
		return human.Count(int64(n))
	case int64:
		return human.Count(n)
	case uint64:
		return human.Count(int64(min(n, math.MaxInt64)))
	}
	return "–"
}

// inlineMarkdown renders the only Markdown the analysis's report texts
// use inline, `code` spans, as <code> elements; everything else is
// escaped text. An unpaired backtick stays a backtick.
func inlineMarkdown(s string) template.HTML {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 { // odd number of backticks: the last one is text
		parts[len(parts)-2] += "`" + parts[len(parts)-1]
		parts = parts[:len(parts)-1]
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + template.HTMLEscapeString(p) + "</code>")
		} else {
			b.WriteString(template.HTMLEscapeString(p))
		}
	}
	return template.HTML(b.String())
}

var htmlFuncs = template.FuncMap{
	"clock":       capture.ClockText,
	"md":          inlineMarkdown,
	"int":         groupAny,
	"ms":          latency,
	"fixed":       fixed,
	"percent":     percent,
	"dur":         durationText,
	"time":        timeText,
	"pct":         func(f float64) string { return fixed(100*f, 1) + "%" },
	"badge":       func(v any) string { return statusClass(fmt.Sprint(v)) },
	"tile":        tile,
	"status":      statusText,
	"add":         func(a, b float64) float64 { return a + b },
	"sub":         func(a, b float64) float64 { return a - b },
	"div":         func(a, b float64) float64 { return a / b },
	"script":      instructionScript,
	"mgroups":     monitoringGroups,
	"stagesIntro": stagesIntro,
	"orNone":      orNone,
}
