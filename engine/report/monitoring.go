package report

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/soaklab/soak/engine/analysis"
)

// MonitoringQuery is one of the seed's Monitoring Queries: what soak
// measured in its place, with this run's figure, and the equivalent
// query or command for a team without soak's probe.
type MonitoringQuery struct {
	Group      string `json:"group"`      // the seed's: "Database", "Cache", "Application"
	Query      string `json:"query"`      // the seed's query, named: "Connection count by state"
	Measured   string `json:"measured"`   // what soak measured in its place, and this run's figure
	Language   string `json:"language"`   // Equivalent's: "sql" or "bash"
	Equivalent string `json:"equivalent"` // the query or command; "" when the service has no such part
}

// monitoring fills Monitoring Queries, the seed's three groups: the
// database (pg_stat_activity), the cache (redis-cli INFO) and the
// application (its logs), each with what the probe and the engine
// measured instead and the SQL, redis-cli or shell equivalent.
func monitoring(r *analysis.Result, rep *Report) []MonitoringQuery {
	env := &r.Environment
	dir := resultsDir(runConfig(r).Command, r.Engine.RunID)
	row := func(component, metric string) string {
		for _, ts := range [][]analysis.Target{r.System, r.Performance} {
			for _, t := range ts {
				if t.Component == component && t.Metric == metric {
					if t.Status == analysis.StatusUnknown {
						return "; this run: not measured (" + cmp.Or(t.Why, "no figure") + ")"
					}
					return "; this run: " + t.Actual
				}
			}
		}
		return ""
	}
	var out []MonitoringQuery
	db := func(query, measured, sql string) {
		q := MonitoringQuery{Group: "Database", Query: query, Measured: measured, Language: "sql", Equivalent: sql}
		if why, absent := env.Absent["PostgreSQL"]; absent {
			q.Measured, q.Equivalent = "nothing to measure: the service has no database"+parens(why), ""
		}
		out = append(out, q)
	}
	db("Connection count by state",
		"the pool's connections as pgxpool.Stat counts them (acquired, idle, constructing, total, max) and its backends in "+
			"pg_stat_activity by state, read by the probe (probe/pgxprobe) at every poll"+row("Database", "Connection Pool"),
		"SELECT state, count(*)\nFROM pg_stat_activity\nWHERE datname = current_database()\nGROUP BY state;")
	db("Slow queries",
		"every statement's latency through the pgx tracer, and the queries held open longest (with the stack that "+
			"opened them)"+row("Database", "Query Latency"),
		"SELECT pid, now() - query_start AS duration, query\nFROM pg_stat_activity\nWHERE state = 'active'\n"+
			"  AND now() - query_start > interval '1 second'\nORDER BY duration DESC;")
	db("Connection pool utilization",
		"acquired over max connections, acquires that found the pool empty and the time they waited (Connection Pool "+
			"Stability above), and connections held past the drain (leaks)",
		"SELECT count(*) AS total_connections,\n  count(*) FILTER (WHERE state = 'active') AS active,\n"+
			"  count(*) FILTER (WHERE state = 'idle') AS idle\nFROM pg_stat_activity\nWHERE datname = current_database();")
	noRedis, absent := env.Absent["Redis"]
	cache := func(query, measured, cmd string) {
		q := MonitoringQuery{Group: "Cache", Query: query, Measured: measured, Language: "bash", Equivalent: cmd}
		if absent {
			q.Equivalent = "" // no redis-cli query applies
		}
		out = append(out, q)
	}
	redisStats := "the go-redis hook's commands, errors and latency per command, and INFO's stats, read by the probe " +
		"(probe/redisprobe)"
	if absent {
		redisStats = "nothing to measure: the service has no Redis" + parens(noRedis)
	}
	cache("Redis stats", redisStats,
		`redis-cli -u "$REDIS_URL" INFO stats | grep -E "(total_commands_processed|keyspace_hits|keyspace_misses)"`)
	cache("Cache hit rate",
		"hits over lookups of every cache the service declares to the probe (probe.Cache), Redis's keyspace hits and "+
			"misses included"+row("Cache", "Hit Rate"),
		`redis-cli -u "$REDIS_URL" INFO stats | awk -F: '/keyspace_hits/{h=$2} /keyspace_misses/{m=$2} END{print "Hit rate:", h/(h+m)*100"%"}'`)
	host := cmp.Or(r.Engine.Host, "http://127.0.0.1:8000")
	path := "/"
	if len(rep.Endpoints) > 0 && rep.Endpoints[0].Requests > 0 && (rep.Endpoints[0].Method == "" || rep.Endpoints[0].Method == "GET") &&
		!strings.ContainsAny(rep.Endpoints[0].Name, "[]{} '\"") {
		path = rep.Endpoints[0].Name
	}
	out = append(out,
		MonitoringQuery{Group: "Application", Query: "Error rate",
			Measured: "every response's status, client side (the engine: failed requests over all, 429s apart), and each " +
				"route's 4xx and 5xx server side (the middleware)" + row("", "Error Rate"),
			Language: "bash", Equivalent: fmt.Sprintf("awk -F, '$2==\"Aggregated\" {printf \"%%.2f%%%%\\n\", 100*$4/$3}' %s/soak_stats.csv", dir)},
		MonitoringQuery{Group: "Application", Query: "Rate limit hits",
			Measured: "429 answers counted apart from failures, client side, and the denials of the service's rate limiter " +
				"per identity, server side, against its declared policy" + row("", "Rate Limit Hits"),
			Language: "bash", Equivalent: fmt.Sprintf("grep -F '%s' %s/soak_failures.csv", RateLimitedError, dir)},
		MonitoringQuery{Group: "Application", Query: "Average response time",
			Measured: "every request's latency in an HDR histogram, measured from its intended start, client side, and each " +
				"route's latency server side; the Top 10 table has both per endpoint" + row("", "P50 Latency"),
			Language: "bash", Equivalent: fmt.Sprintf("awk -F, '$2==\"Aggregated\" {print \"Avg:\", $6, \"ms\"}' %s/soak_stats.csv\n"+
				"curl -sS -o /dev/null -w '%%{http_code} %%{time_total}s\\n' %s%s", dir, host, path)},
	)
	return out
}

// monitoringGroup is one of the seed's groups of Monitoring Queries,
// with its equivalents as a script per language.
type monitoringGroup struct {
	Name      string
	Queries   []MonitoringQuery
	SQL, Bash string // the equivalents, each after a comment naming its query
}

// monitoringGroups groups qs by Group, in order.
func monitoringGroups(qs []MonitoringQuery) []monitoringGroup {
	var out []monitoringGroup
	for _, q := range qs {
		if len(out) == 0 || out[len(out)-1].Name != q.Group {
			out = append(out, monitoringGroup{Name: q.Group})
		}
		g := &out[len(out)-1]
		g.Queries = append(g.Queries, q)
		if q.Equivalent == "" {
			continue
		}
		dst, comment := &g.Bash, "# "
		if q.Language == "sql" {
			dst, comment = &g.SQL, "-- "
		}
		if *dst != "" {
			*dst += "\n"
		}
		*dst += comment + oneLine(q.Query) + "\n" + q.Equivalent + "\n"
	}
	return out
}

// writeMonitoring writes Monitoring Queries in the seed's groups: a table
// of what soak measured in place of each query, then the equivalents in
// one block per language.
func writeMonitoring(m *mdWriter, qs []MonitoringQuery) {
	if len(qs) == 0 {
		return
	}
	m.f("\n## Monitoring Queries\n\nWhat soak measured in place of each of the seed's queries (its probe in the service, " +
		"its engine in the load), and the equivalent for a team without the probe.\n")
	for _, g := range monitoringGroups(qs) {
		m.f("\n### %s Monitoring\n\n| Query | What soak measured in its place |\n|-------|-------------------------------|\n", g.Name)
		for _, q := range g.Queries {
			m.f("| %s | %s |\n", cell(q.Query), cell(q.Measured))
		}
		if g.SQL != "" {
			m.f("\n```sql\n%s```\n", fence(g.SQL))
		}
		if g.Bash != "" {
			m.f("\n```bash\n%s```\n", fence(g.Bash))
		}
	}
}
