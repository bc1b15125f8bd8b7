package probe_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/soaklab/soak/probe"
)

func TestWithout(t *testing.T) {
	p := probe.New()
	if err := p.Without(probe.Redis, "  "); err != nil {
		t.Fatal(err)
	}
	if err := p.Without(probe.Database, "data in memory, see postgres://u:hunter2@db/x"); err != nil {
		t.Fatal(err)
	}
	if err := p.Without("search-index", "no search"); err != nil {
		t.Fatal(err)
	}
	snap := overHTTP(t, p)
	want := []probe.Absence{
		{Component: probe.Database, Why: "data in memory, see postgres://u:REDACTED@db/x"},
		{Component: probe.Redis},
		{Component: "search-index", Why: "no search"},
	}
	if !reflect.DeepEqual(snap.Without, want) {
		t.Errorf("without over HTTP: %+v, want %+v", snap.Without, want)
	}
	if got := snap.Config[probe.ConfigRedis]; got != "none" {
		t.Errorf("redis config text %q, want none", got)
	}
	if why, ok := snap.Absent(probe.Redis); !ok || why != "" {
		t.Errorf("Absent(Redis) = %q, %v", why, ok)
	}
	if _, ok := snap.Absent("cdn"); ok {
		t.Error("an undeclared component is absent")
	}
	// The text is for people: a service that writes "none" itself has
	// declared nothing.
	text := probe.Snapshot{Config: map[string]string{probe.ConfigDatabase: "none: data in memory"}}
	if _, ok := text.Absent(probe.Database); ok {
		t.Error("Absent(Database) read the configuration text")
	}

	if err := p.Without("", "x"); err == nil || !strings.Contains(err.Error(), `probe: Without(""): the component must be 1 to 64 bytes`) {
		t.Errorf("empty component: %v", err)
	}
	for i := range 13 {
		if err := p.Without(probe.Component(fmt.Sprint("c", i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Without("one-too-many", ""); err == nil || !strings.Contains(err.Error(), "at most 16 components") {
		t.Errorf("the 17th component: %v", err)
	}
}

// overHTTP reads p's snapshot through its admin handler and the client,
// as soak does: what survives the JSON wire format.
func overHTTP(t *testing.T, p *probe.Probe) *probe.Snapshot {
	t.Helper()
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()
	c, err := probe.NewClient(srv.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}
