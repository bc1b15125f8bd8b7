package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A chart is drawn as inline SVG by html/template (so every string in it
// is escaped by the template engine) from a chartView computed here: plot
// geometry, ticks, one path per series, and bands for events. Charts share
// one time domain so that server-side and client-side figures line up.

// Chart geometry, in SVG user units (the SVG scales to the page width).
const (
	chartW, chartH       = 960, 240
	plotL, plotR         = 64, 16
	plotT, plotB         = 16, 32
	plotW, plotH         = chartW - plotL - plotR, chartH - plotT - plotB
	maxPointsPerSeries   = 2000 // more points are decimated by min/max pairs
	chartYTicks          = 4
	chartMaxXTicks       = 8
	chartValueFormatBits = 64
)

// palette is colour-blind safe (Okabe-Ito).
var palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"}

// ChartStyle is the report's chart geometry (SVG user units) and
// palette, for a view that draws the same charts elsewhere: soak run
// --web's live page reads it rather than keep its own copy, so the two
// look alike. [Style] returns it.
type ChartStyle struct {
	Width     int      `json:"width"`
	Height    int      `json:"height"`
	Left      int      `json:"left"` // plot margins
	Right     int      `json:"right"`
	Top       int      `json:"top"`
	Bottom    int      `json:"bottom"`
	YTicks    int      `json:"y_ticks"`     // y-axis ticks aimed at
	MaxXTicks int      `json:"max_x_ticks"` // most time ticks
	Palette   []string `json:"palette"`     // series colours, in order (Okabe-Ito)
}

// Style returns the report's chart style.
func Style() ChartStyle {
	return ChartStyle{Width: chartW, Height: chartH, Left: plotL, Right: plotR, Top: plotT, Bottom: plotB,
		YTicks: chartYTicks, MaxXTicks: chartMaxXTicks, Palette: slices.Clone(palette)}
}

// timeDomain is the x axis every chart of a report shares: from start to
// end, labelled with the time elapsed since origin (the run's start;
// zero means start), negative before it (the analysis's baseline).
type timeDomain struct{ start, end, origin time.Time }

func (d timeDomain) x(t time.Time) float64 {
	span := d.end.Sub(d.start)
	if span <= 0 {
		return plotL
	}
	return plotL + float64(t.Sub(d.start))/float64(span)*plotW
}

// include widens d to hold t.
func (d *timeDomain) include(t time.Time) {
	if t.IsZero() {
		return
	}
	if d.start.IsZero() || t.Before(d.start) {
		d.start = t
	}
	if d.end.IsZero() || t.After(d.end) {
		d.end = t
	}
}

// point is one value of a series; NaN marks a gap (no data).
type point struct {
	t time.Time
	v float64
}

type series struct {
	name   string
	points []point
	dashed bool
}

type band struct {
	start, end time.Time
	label      string // short, drawn in the band
	title      string // the tooltip
}

// mark is a labelled instant: where a phase starts.
type mark struct {
	at    time.Time
	label string
}

type chartSpec struct {
	id, title, unit string
	series          []series
	bands           []band
	marks           []mark
	// top, when above the series' largest value, is the y axis's top:
	// charts shown side by side share their scale.
	top float64
}

type tick struct {
	Pos   float64
	Label string
}

type lineView struct {
	Name, Color, D string
	Dashed         bool
}

type bandView struct {
	X, W         float64
	Label, Title string
}

type markView struct {
	X, LabelY float64
	Label     string
}

// markLabelWidth is the room a phase label takes (SVG units): a label
// closer than this to the previous one on its row goes one row up.
const markLabelWidth = 56

// chartView is what the "chart" template draws.
type chartView struct {
	ID, Title, Unit          string
	W, H                     int
	PlotX, PlotY, PlotW, PLH float64
	XTicks, YTicks           []tick
	Lines                    []lineView
	Bands                    []bandView
	Marks                    []markView
	Empty                    bool
}

func buildChart(c chartSpec, dom timeDomain) chartView {
	v := chartView{ID: c.id, Title: c.title, Unit: c.unit, W: chartW, H: chartH,
		PlotX: plotL, PlotY: plotT, PlotW: plotW, PLH: plotH}
	top := 0.0
	any := false
	for _, s := range c.series {
		for _, p := range s.points {
			if !math.IsNaN(p.v) && !math.IsInf(p.v, 0) {
				top = max(top, p.v)
				any = true
			}
		}
	}
	v.Empty = !any
	top = max(top, c.top)
	step := niceStep(top / chartYTicks)
	ticks := max(1, int(math.Ceil(top/step-1e-9)))
	top = step * float64(ticks)
	y := func(val float64) float64 { return plotT + plotH - val/top*plotH }
	for i := 0; i <= ticks; i++ {
		val := step * float64(i)
		v.YTicks = append(v.YTicks, tick{Pos: y(val), Label: formatTick(val)})
	}
	v.XTicks = timeTicks(dom)
	for i, s := range c.series {
		v.Lines = append(v.Lines, lineView{Name: s.name, Color: palette[i%len(palette)],
			D: pathData(decimate(s.points, maxPointsPerSeries), dom, y), Dashed: s.dashed})
	}
	for _, b := range c.bands {
		x0, x1 := clamp(dom.x(b.start), plotL, plotL+plotW), clamp(dom.x(b.end), plotL, plotL+plotW)
		v.Bands = append(v.Bands, bandView{X: x0, W: max(x1-x0, 2), Label: b.label, Title: b.title})
	}
	var rowEnds []float64 // per label row, where its last label ends
	for _, m := range c.marks {
		x := clamp(dom.x(m.at), plotL, plotL+plotW)
		row := 0
		for row < len(rowEnds) && rowEnds[row] > x {
			row++
		}
		if row == len(rowEnds) {
			rowEnds = append(rowEnds, 0)
		}
		rowEnds[row] = x + markLabelWidth
		v.Marks = append(v.Marks, markView{X: x, LabelY: plotT + plotH - 4 - 12*float64(row), Label: m.label})
	}
	return v
}

func clamp(v, lo, hi float64) float64 { return min(max(v, lo), hi) }

// pathData is an SVG path: a subpath per run of points without gaps.
func pathData(pts []point, dom timeDomain, y func(float64) float64) string {
	var b strings.Builder
	pen := false
	for _, p := range pts {
		if math.IsNaN(p.v) || math.IsInf(p.v, 0) {
			pen = false
			continue
		}
		if pen {
			b.WriteByte('L')
		} else {
			b.WriteByte('M')
			pen = true
		}
		b.WriteString(strconv.FormatFloat(dom.x(p.t), 'f', 1, chartValueFormatBits))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatFloat(y(p.v), 'f', 1, chartValueFormatBits))
	}
	return b.String()
}

// decimate keeps at most about n points: the first, the minimum and the
// maximum of each bucket (in time order), so spikes survive.
func decimate(pts []point, n int) []point {
	if len(pts) <= n {
		return pts
	}
	per := (len(pts) + n/2 - 1) / (n / 2)
	out := make([]point, 0, n+2)
	for i := 0; i < len(pts); i += per {
		b := pts[i:min(i+per, len(pts))]
		lo, hi := 0, 0
		for j, p := range b {
			if math.IsNaN(p.v) {
				continue
			}
			if math.IsNaN(b[lo].v) || p.v < b[lo].v {
				lo = j
			}
			if math.IsNaN(b[hi].v) || p.v > b[hi].v {
				hi = j
			}
		}
		out = append(out, b[min(lo, hi)])
		if lo != hi {
			out = append(out, b[max(lo, hi)])
		}
	}
	return out
}

// niceStep rounds raw up to 1, 2 or 5 times a power of ten (1 for 0).
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

func formatTick(v float64) string {
	switch {
	case v >= 1e9:
		return strconv.FormatFloat(v/1e9, 'g', 4, 64) + "G"
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'g', 4, 64) + "M"
	case v >= 1e4:
		return strconv.FormatFloat(v/1e3, 'g', 4, 64) + "k"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

var tickSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// timeTicks labels the x axis with the time elapsed since the domain's
// origin, at multiples of a round step.
func timeTicks(dom timeDomain) []tick {
	span := dom.end.Sub(dom.start)
	if span <= 0 {
		return []tick{{Pos: plotL, Label: "0:00"}}
	}
	origin := dom.origin
	if origin.IsZero() {
		origin = dom.start
	}
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s <= chartMaxXTicks {
			step = s
			break
		}
	}
	first := dom.start.Sub(origin).Truncate(step) // toward zero: may lie before start
	var ts []tick
	for d := first; d <= dom.end.Sub(origin); d += step {
		if at := origin.Add(d); !at.Before(dom.start) {
			ts = append(ts, tick{Pos: dom.x(at), Label: elapsed(d)})
		}
	}
	return ts
}

// elapsed is "m:ss" or "h:mm:ss", with a minus sign before the origin.
func elapsed(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%s%d:%02d:%02d", sign, s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%s%d:%02d", sign, s/60, s%60)
}
