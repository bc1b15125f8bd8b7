package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/engine/internal/human"
	"github.com/soaklab/soak/probe"
)

// RedisCommandHold is one command's share of a go-redis pool's
// connections over the steady state, by Little's law on its fastest
// calls: go-redis times a command from before it takes a connection, so
// its latency includes the wait for one, and in an exhausted pool every
// command's median is mostly waiting. The fastest calls (Floor, the 5th
// percentile) waited least: Floor is a lower bound of how long a call
// holds its connection, and Busy = calls x Floor / steady state a lower
// bound of the connections the command kept busy on average.
type RedisCommandHold struct {
	Command string        `json:"command"`
	Calls   int64         `json:"calls"`
	Floor   time.Duration `json:"floor_ns"`
	Busy    float64       `json:"busy"`
	// Blocking is set for the commands that wait server-side for data or
	// for replicas (BLPOP, BZPOPMIN, WAIT, ...): each holds its
	// connection until then or until its timeout.
	Blocking bool `json:"blocking,omitempty"`
}

// blockingCommands are Redis's commands that block their connection on
// the server (XREAD and XREADGROUP only with BLOCK, which the name does
// not tell).
var blockingCommands = map[string]bool{
	"blpop": true, "brpop": true, "brpoplpush": true, "blmove": true, "blmpop": true,
	"bzpopmin": true, "bzpopmax": true, "bzmpop": true, "wait": true, "waitaof": true,
}

// holdFloorQuantile is the quantile of a command's latency taken as the
// least it holds a connection (see RedisCommandHold).
const holdFloorQuantile = 0.05

// redisHolders returns the commands of Redis client name that kept its
// pool's connections busiest over the steady state, busiest first (those
// keeping at least a tenth of a connection busy), from the probe's
// snapshots at the steady state's first and last samples.
func redisHolders(s *capture.SourceTimeline, name string) []RedisCommandHold {
	first, last := s.First[capture.PhaseSteady], s.Last[capture.PhaseSteady]
	secs := s.LastTime[capture.PhaseSteady].Sub(s.FirstTime[capture.PhaseSteady]).Seconds()
	if first == nil || last == nil || first == last || secs <= 0 {
		return nil
	}
	a, okA := first.RedisClient(name)
	b, okB := last.RedisClient(name)
	if !okA || !okB {
		return nil
	}
	before := map[string]probe.CommandSnapshot{}
	for _, c := range a.Commands {
		before[c.Name] = c
	}
	var out []RedisCommandHold
	for _, c := range b.Commands {
		prev := before[c.Name]
		if c.Latency.Count < prev.Latency.Count {
			continue // the client's counters restarted
		}
		h := c.Latency.Sub(prev.Latency)
		if h.Count == 0 {
			continue
		}
		floor := h.Quantile(holdFloorQuantile)
		busy := float64(h.Count) * floor.Seconds() / secs
		if busy < 0.1 {
			continue
		}
		out = append(out, RedisCommandHold{Command: c.Name, Calls: h.Count, Floor: floor, Busy: busy, Blocking: blockingCommands[c.Name]})
	}
	slices.SortFunc(out, func(x, y RedisCommandHold) int {
		return cmp.Or(cmp.Compare(y.Busy, x.Busy), cmp.Compare(x.Command, y.Command))
	})
	return out
}

// holdersText is "blpop (a blocking command): 601 calls of at least 1.0 s
// each, 4.0 connections busy on average; ...", at most three.
func holdersText(hs []RedisCommandHold) string {
	var parts []string
	for i, h := range hs {
		if i == 3 {
			break
		}
		what := h.Command
		if h.Blocking {
			what += " (a blocking command)"
		}
		parts = append(parts, fmt.Sprintf("%s: %s calls of at least %s each, %.1f connections busy on average",
			what, human.Count(h.Calls), msOr(h.Floor, "0"), h.Busy))
	}
	return strings.Join(parts, "; ")
}

// holdersNextStep is the pool-exhaustion next step when command h kept
// most of Redis client name's pool busy.
func holdersNextStep(name string, h RedisCommandHold, poolSize int) string {
	if h.Blocking {
		return fmt.Sprintf("%s is a blocking command: each call holds a connection of Redis client %s until its data comes or its timeout passes (go-redis rounds a timeout under a second up to one second), %.1f connections on average here. Give blocking commands a client of their own, sized for them, or shorten their timeouts; raising PoolSize%s only helps while it exceeds the blocking calls in flight.",
			h.Command, name, h.Busy, sizeNow(poolSize))
	}
	return fmt.Sprintf("%s holds the pool's connections: its calls take at least %s each, %.1f connections busy on average (Little's law). Find why it is slow (large values or pipelines, a slow server, a Lua script), or raise Redis client %s's PoolSize%s above what it keeps busy.",
		h.Command, msOr(h.Floor, "0"), h.Busy, name, sizeNow(poolSize))
}
