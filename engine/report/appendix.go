package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// profileRefs lists the saved profiles with the command that opens each,
// and the heap-growth diff of each source.
func profileRefs(r *analysis.Result) []ProfileRef {
	if r.Capture == nil {
		return nil
	}
	var out []ProfileRef
	heap := map[string][2]string{}
	for _, p := range r.Capture.Profiles {
		if p.Path == "" {
			continue
		}
		what := fmt.Sprintf("%s profile of %s at %s", p.Kind, p.Source, p.Moment)
		cmd := "go tool pprof -top " + p.Path
		if p.Kind == probe.ProfileHeap {
			cmd = "go tool pprof -sample_index=inuse_space -top " + p.Path
			h := heap[p.Source]
			switch p.Moment {
			case capture.MomentSteadyStart:
				h[0] = p.Path
			case capture.MomentSteadyEnd:
				h[1] = p.Path
			}
			heap[p.Source] = h
		}
		out = append(out, ProfileRef{Path: p.Path, What: what, Command: cmd})
	}
	for src, h := range heap {
		if h[0] != "" && h[1] != "" {
			out = append(out, ProfileRef{Path: h[1], What: "heap growth of " + src + " over the steady state",
				Command: "go tool pprof -sample_index=inuse_space -top -diff_base " + h[0] + " " + h[1]})
		}
	}
	return out
}

// environmentRows fills the appendix: Test Environment, Hardware
// Specifications and Configuration, each value measured or saying why not.
func environmentRows(e *capture.Environment) (env, hw, cfg []KV) {
	val := func(field, v string) string {
		if v != "" {
			return v
		}
		if why, ok := e.Absent[field]; ok { // a thing the service does not have, not a gap
			return "none: the service has no " + absentThing[field] + parens(why)
		}
		if why, ok := e.Missing[field]; ok {
			return "not measured: " + why
		}
		return "not measured"
	}
	gen := "soak"
	if e.Soak != "" {
		gen += " " + strings.Replace(e.Soak, "(devel)", "devel", 1) // "(devel)": what runs saved before buildinfo
	}
	env = []KV{
		{"OS", val("OS", e.OS)},
		{"Kernel", val("Kernel", e.Kernel)},
		{"Service Go Version", val("ServiceGo", e.ServiceGo)},
		{"PostgreSQL Version", val("PostgreSQL", e.PostgreSQL)},
		{"Redis Version", val("Redis", e.Redis)},
		{"Load Generator", gen + " (" + e.GoVersion + ")"},
	}
	cpu := val("CPU", e.CPUModel)
	if e.Cores > 0 {
		cpu += fmt.Sprintf(", %d cores", e.Cores)
	}
	ram := val("RAM", "")
	if e.RAMBytes > 0 {
		ram = human.Bytes(e.RAMBytes)
	}
	hw = []KV{{"CPU", cpu}, {"RAM", ram}, {"Disk", val("Disk", e.Disk)}, {"Network", val("Network", e.Network)}}
	conf := func(label, key string) KV {
		if v, ok := e.Config[key]; ok && v != "" {
			return KV{label, v}
		}
		if field := map[string]string{probe.ConfigDBPoolMax: "PostgreSQL", probe.ConfigRedisMaxMemory: "Redis"}[key]; field != "" {
			if why, absent := e.Absent[field]; absent {
				return KV{label, "none: " + cmp.Or(why, "the service has none")}
			}
		}
		if why, ok := e.Missing["Configuration"]; ok {
			return KV{label, "not measured: " + why}
		}
		return KV{label, fmt.Sprintf("not reported by the service (probe.SetConfig(%q, ...))", key)}
	}
	cfg = []KV{
		conf("Workers", probe.ConfigWorkers),
		conf("Database Pool Size", probe.ConfigDBPoolMax),
		conf("Cache Size", probe.ConfigCacheSize),
		conf("Redis Max Memory", probe.ConfigRedisMaxMemory),
		conf("Request Timeout", probe.ConfigRequestTimeout),
		conf("Rate Limit", probe.ConfigRateLimit),
	}
	for _, k := range []struct{ label, key string }{{"Database", probe.ConfigDatabase}, {"Redis", probe.ConfigRedis}} {
		if v := e.Config[k.key]; v != "" {
			cfg = append(cfg, KV{k.label, v})
		}
	}
	known := map[string]bool{probe.ConfigWorkers: true, probe.ConfigDBPoolMax: true, probe.ConfigCacheSize: true,
		probe.ConfigRedisMaxMemory: true, probe.ConfigRequestTimeout: true, probe.ConfigRateLimit: true,
		probe.ConfigDatabase: true, probe.ConfigRedis: true}
	var extra []string
	for k := range e.Config {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		cfg = append(cfg, KV{k, e.Config[k]})
	}
	return env, hw, cfg
}

// absentThing names, in the report's words, what an Environment field
// declared absent is.
var absentThing = map[string]string{"PostgreSQL": "database", "Redis": "Redis"}

// parens is " (s)", or "" for an empty s.
func parens(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
