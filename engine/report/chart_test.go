package report

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestNiceStepAndTicks(t *testing.T) {
	for _, c := range []struct{ raw, want float64 }{{0, 1}, {0.3, 0.5}, {1, 1}, {1.2, 2}, {23.5, 50}, {99, 100}, {4000, 5000}} {
		if got := niceStep(c.raw); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("niceStep(%v) = %v, want %v", c.raw, got, c.want)
		}
	}
	spec := chartSpec{series: []series{{points: []point{{t0, 0}, {t0.Add(time.Second), 93.9}}}}}
	v := buildChart(spec, timeDomain{start: t0, end: t0.Add(2 * time.Second)})
	if top := v.YTicks[len(v.YTicks)-1].Label; top != "100" {
		t.Errorf("y axis tops at %s for a maximum of 93.9, want 100", top)
	}
	ticks := timeTicks(timeDomain{start: t0, end: t0.Add(30 * time.Minute)})
	if len(ticks) != 7 || ticks[1].Label != "5:00" || ticks[6].Label != "30:00" {
		t.Errorf("30-minute ticks = %+v", ticks)
	}
	if l := timeTicks(timeDomain{start: t0, end: t0.Add(25 * time.Hour)})[1].Label; l != "3:00:00" {
		t.Errorf("25-hour tick = %s", l)
	}
}

// A gap (NaN) breaks the line; the path stays inside the plot.
func TestPathData(t *testing.T) {
	dom := timeDomain{start: t0, end: t0.Add(4 * time.Second)}
	pts := []point{{t0, 1}, {t0.Add(time.Second), 2}, {t0.Add(2 * time.Second), math.NaN()}, {t0.Add(3 * time.Second), 1}}
	d := pathData(pts, dom, func(v float64) float64 { return 100 - v })
	if d != "M64.0 99.0L284.0 98.0M724.0 99.0" {
		t.Errorf("path = %q", d)
	}
}

// Decimation keeps the spikes.
func TestDecimateKeepsExtremes(t *testing.T) {
	var pts []point
	for i := range 10_000 {
		pts = append(pts, point{t0.Add(time.Duration(i) * time.Second), 1})
	}
	pts[4321].v, pts[7777].v = 500, -3
	out := decimate(pts, 200)
	if len(out) > 202 {
		t.Errorf("%d points after decimation to 200", len(out))
	}
	var hi, lo bool
	for _, p := range out {
		hi = hi || p.v == 500
		lo = lo || p.v == -3
	}
	if !hi || !lo {
		t.Error("decimation lost a spike")
	}
	v := buildChart(chartSpec{series: []series{{name: "x", points: pts}}}, timeDomain{start: t0, end: pts[len(pts)-1].t})
	if n := strings.Count(v.Lines[0].D, "L"); n > maxPointsPerSeries {
		t.Errorf("%d segments drawn", n)
	}
}

// Ticks count from the origin (the run's start), negative before it.
func TestTimeTicksFromOrigin(t *testing.T) {
	dom := timeDomain{start: t0.Add(-25 * time.Second), end: t0.Add(100 * time.Second), origin: t0}
	var labels []string
	for _, tk := range timeTicks(dom) {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, " "); got != "-0:15 0:00 0:15 0:30 0:45 1:00 1:15 1:30" {
		t.Errorf("ticks %s", got)
	}
}

// Phase labels that would overlap go one row up.
func TestMarkLabelsDoNotOverlap(t *testing.T) {
	dom := timeDomain{start: t0, end: t0.Add(100 * time.Second)}
	v := buildChart(chartSpec{marks: []mark{{t0, "baseline"}, {t0.Add(10 * time.Second), "warmup"},
		{t0.Add(10 * time.Second), "steady"}, {t0.Add(90 * time.Second), "drain"}}}, dom)
	ys := []float64{v.Marks[0].LabelY, v.Marks[1].LabelY, v.Marks[2].LabelY, v.Marks[3].LabelY}
	if ys[0] != ys[1] || ys[2] != ys[1]-12 || ys[3] != ys[0] {
		t.Errorf("label rows %v", ys)
	}
}
