package analysis

import (
	"maps"
	"strings"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/probe"
)

// environment completes the capture's environment with what the probes
// told: the service's Go, the PostgreSQL and Redis versions, and its
// configuration. Fields no one measured are named in Missing.
func (a *analyzer) environment() capture.Environment {
	var e capture.Environment
	if a.c.Environment != nil {
		e = *a.c.Environment
		e.Missing = maps.Clone(e.Missing)
		e.Config = maps.Clone(e.Config)
	} else {
		e.SetMissing("Machine", "the capture holds no environment record (it was not saved with the run)")
	}
	srcs := a.sources()
	if len(srcs) == 0 {
		why := a.noProbeReason()
		e.SetMissing("ServiceGo", why)
		e.SetMissing("PostgreSQL", why)
		e.SetMissing("Redis", why)
		e.SetMissing("Configuration", why)
		return e
	}
	var gos, pgs, rds []string
	var anyPool, anyRedis, pgAsked bool
	for _, s := range srcs {
		snap, _ := s.Latest()
		gos = append(gos, snap.Runtime.GoVersion+" ("+snap.Runtime.GOOS+"/"+snap.Runtime.GOARCH+")")
		for _, ps := range snap.Pools {
			anyPool = true
			if ps.ServerActivity != nil {
				pgAsked = true
				if v := ps.ServerActivity.ServerVersion; v != "" {
					pgs = append(pgs, v)
				}
			}
		}
		for _, rs := range snap.Redis {
			anyRedis = true
			if rs.Server != nil && rs.Server.Version != "" {
				rds = append(rds, rs.Server.Version)
			}
		}
		if e.Config == nil {
			e.Config = map[string]string{}
		}
		for k, v := range snap.Config {
			if _, ok := e.Config[k]; !ok {
				e.Config[k] = v
			}
		}
	}
	e.ServiceGo = strings.Join(uniq(gos), ", ")
	e.PostgreSQL = strings.Join(uniq(pgs), ", ")
	e.Redis = strings.Join(uniq(rds), ", ")
	switch {
	case e.PostgreSQL != "":
	case !anyPool && a.declaredAbsent(probe.Database):
		e.SetAbsent("PostgreSQL", a.absentWhy(probe.Database))
	case !anyPool:
		e.SetMissing("PostgreSQL", "the service reports no pgx pool to the probe")
	case !pgAsked:
		e.SetMissing("PostgreSQL", "the probe does not query the server (enable probe.WithStatActivity on the pool)")
	default:
		e.SetMissing("PostgreSQL", "the server did not answer the probe's version query")
	}
	switch {
	case e.Redis != "":
	case !anyRedis && a.declaredAbsent(probe.Redis):
		e.SetAbsent("Redis", a.absentWhy(probe.Redis))
	case !anyRedis:
		e.SetMissing("Redis", "the service reports no Redis client to the probe")
	default:
		e.SetMissing("Redis", "the probe's INFO poll did not answer")
	}
	return e
}
