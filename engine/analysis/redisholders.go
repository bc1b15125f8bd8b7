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
// connections over the steady state, by Little's law on its fastest call:
// go-redis times a command from before it takes a connection, so its
// latency includes the wait for one, and in an exhausted pool every
// command's median, even its 5th percentile, is mostly waiting (an unseen
// service's GETs took 3.7 s at their 5th percentile). A command's fastest
// call waited least: Floor, its latency, is about what a call holds its
// connection (a command's holds vary less than its waits), and Busy =
// calls x Floor / steady state about the connections the command kept
// busy on average (it can exceed the pool's size by the fastest call's
// own wait).
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

// redisHolders returns the commands of Redis client name that kept its
// pool's connections busiest over the steady state, busiest first (those
// keeping at least a tenth of a connection busy, and every blocking
// command that ran), from the probe's snapshots at the steady state's
// first and last samples.
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
		floor := time.Duration(h.MinMicros) * time.Microsecond
		busy := float64(h.Count) * floor.Seconds() / secs
		if busy < 0.1 && !blockingCommands[c.Name] {
			continue
		}
		out = append(out, RedisCommandHold{Command: c.Name, Calls: h.Count, Floor: floor, Busy: busy, Blocking: blockingCommands[c.Name]})
	}
	slices.SortFunc(out, func(x, y RedisCommandHold) int {
		return cmp.Or(cmp.Compare(y.Busy, x.Busy), cmp.Compare(x.Command, y.Command))
	})
	return out
}

// holdersText is "blpop (a blocking command): 601 calls, the fastest
// 1,000 ms, about 4.0 connections busy on average; ...", at most three;
// without the connections when the estimates are not credible.
func holdersText(hs []RedisCommandHold, credible bool) string {
	var parts []string
	for i, h := range hs {
		if i == 3 {
			break
		}
		what := h.Command
		if h.Blocking {
			what += " (a blocking command)"
		}
		part := fmt.Sprintf("%s: %s calls, the fastest %s", what, human.Count(h.Calls), msOr(h.Floor, "0"))
		if credible {
			part += fmt.Sprintf(", about %.1f connections busy on average", h.Busy)
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// holdersCredible reports whether the holders' estimates fit in the pool:
// when every call waited, even the fastest, the estimates add up to more
// connections than the pool has, and they measure waits, not holds.
func holdersCredible(hs []RedisCommandHold, size int) bool {
	var sum float64
	for _, h := range hs {
		sum += h.Busy
	}
	return size > 0 && sum <= 1.25*float64(size)
}

// blockingHolder returns the blocking command that ran most, if any.
func blockingHolder(hs []RedisCommandHold) (RedisCommandHold, bool) {
	var best RedisCommandHold
	for _, h := range hs {
		if h.Blocking && h.Calls > best.Calls {
			best = h
		}
	}
	return best, best.Calls > 0
}

// holdersNextStep is the pool-exhaustion next step when command h is
// what holds Redis client name's pool.
func holdersNextStep(name string, h RedisCommandHold, poolSize int) string {
	if h.Blocking {
		return fmt.Sprintf("%s is a blocking command: each call holds a connection of Redis client %s until its data comes or its timeout passes (go-redis rounds a timeout under a second up to one second). Give blocking commands a client of their own, sized for them, or shorten their timeouts; raising PoolSize%s only helps while it exceeds the blocking calls in flight.",
			h.Command, name, sizeNow(poolSize))
	}
	return fmt.Sprintf("%s holds the pool's connections: its fastest call took %s, about %.1f connections busy on average (Little's law). Find why it is slow (large values or pipelines, a slow server, a Lua script), or raise Redis client %s's PoolSize%s above what it keeps busy.",
		h.Command, msOr(h.Floor, "0"), h.Busy, name, sizeNow(poolSize))
}
