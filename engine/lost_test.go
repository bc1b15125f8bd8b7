package engine

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestIntervalLost: the lost segments of a merged run survive every
// merge (Add across engines, Window and Series over time) as a sorted
// union, and the JSON-lines codec.
func TestIntervalLost(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	a := &Interval{Seq: 0, Span: 1, Start: t0, End: t0.Add(time.Second), Lost: []string{"3/3"}}
	b := &Interval{Seq: 0, Span: 1, Start: t0, End: t0.Add(time.Second), Lost: []string{"1/3", "3/3"}}
	c := &Interval{Seq: 1, Span: 1, Start: t0.Add(time.Second), End: t0.Add(2 * time.Second), Lost: []string{"2/3"}}
	m := &Interval{}
	m.Add(a, 0)
	m.Add(b, 0)
	if !slices.Equal(m.Lost, []string{"1/3", "3/3"}) || !slices.Equal(a.Lost, []string{"3/3"}) {
		t.Errorf("Add: %v (a now %v)", m.Lost, a.Lost)
	}
	if w := Window(m, c); !slices.Equal(w.Lost, []string{"1/3", "2/3", "3/3"}) {
		t.Errorf("Window: %v", w.Lost)
	}
	s := Series{Max: 2}
	for _, iv := range []*Interval{m, c, {Seq: 2, Span: 1, Start: t0.Add(2 * time.Second), End: t0.Add(3 * time.Second)}} {
		s.Add(iv)
	}
	if got := s.Intervals()[0].Lost; !slices.Equal(got, []string{"1/3", "2/3", "3/3"}) {
		t.Errorf("coarsened series: %v", got)
	}
	var buf bytes.Buffer
	if err := NewIntervalWriter(&buf).Write(m); err != nil {
		t.Fatal(err)
	}
	back, err := ReadIntervals(&buf, "x")
	if err != nil || !slices.Equal(back[0].Lost, m.Lost) {
		t.Errorf("read back: %v, %v", back, err)
	}
	for _, bad := range []string{`"lost":["3/3","1/3"]`, `"lost":[""]`} {
		line := `{"seq":0,"span":1,"start":"2027-01-15T08:00:00Z","end":"2027-01-15T08:00:01Z",` + bad + "}\n"
		if _, err := ReadIntervals(strings.NewReader(line), "x"); err == nil || !strings.Contains(err.Error(), "lost[") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
