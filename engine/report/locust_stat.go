package report

import (
	"strconv"

	"github.com/soaklab/soak/engine"
)

// locustStat is one Locust StatsEntry rebuilt from soak's figures: the
// counts Locust keeps, exact, and its response_times dict, derived from
// the HDR histogram (see locustTimes). It is a plain value.
type locustStat struct {
	method, name string
	requests     int64 // completed requests, failures and 429s included (Locust's num_requests)
	failures     int64 // failures and 429s (Locust counts a 429 as a failure)
	bytes        int64
	sumUs        int64
	minUs, maxUs int64
	times        locustTimes
}

// addStat adds st's counts and latencies.
func (s *locustStat) addStat(st *engine.Stat) {
	var t locustTimes
	t.addHistogram(st.Latency)
	s.addCounts(st.Requests, st.Failures()+st.RateLimited, st.Bytes, st.SumMicros, st.MinMicros, st.MaxMicros)
	s.times.add(&t)
}

func (s *locustStat) addCounts(requests, failures, bytes, sumUs, minUs, maxUs int64) {
	if requests > 0 {
		if s.requests == 0 || minUs < s.minUs {
			s.minUs = minUs
		}
		s.maxUs = max(s.maxUs, maxUs)
	}
	s.requests += requests
	s.failures += failures
	s.bytes += bytes
	s.sumUs += sumUs
}

// add adds o (another span or another entry) to s.
func (s *locustStat) add(o *locustStat) {
	s.addCounts(o.requests, o.failures, o.bytes, o.sumUs, o.minUs, o.maxUs)
	s.times.add(&o.times)
}

func millis(us int64) float64 { return float64(us) / 1000 }

// median is StatsEntry.median_response_time: the median key, clamped to
// the exact min and max ("so that we don't report a median > max"), 0
// without requests. Keys below 100 ms are Python ints, the others floats.
func (s *locustStat) median() pyNum {
	if s.requests == 0 {
		return pyInt(0)
	}
	k := s.times.median(s.requests)
	switch m := float64(k); {
	case m > millis(s.maxUs):
		return s.max()
	case m < millis(s.minUs):
		return s.min()
	case k < 100:
		return pyInt(k)
	default:
		return pyFloat(m)
	}
}

// avg is StatsEntry.avg_response_time, exact: 0.0 without requests.
func (s *locustStat) avg() pyNum {
	if s.requests == 0 {
		return pyFloat(0)
	}
	return pyFloat(float64(s.sumUs) / 1000 / float64(s.requests))
}

// min is `min_response_time or 0`, exact.
func (s *locustStat) min() pyNum {
	if s.requests == 0 || s.minUs == 0 {
		return pyInt(0)
	}
	return pyFloat(millis(s.minUs))
}

// max is max_response_time, exact (an int 0 until a request is longer).
func (s *locustStat) max() pyNum {
	if s.maxUs == 0 {
		return pyInt(0)
	}
	return pyFloat(millis(s.maxUs))
}

// avgContentSize is StatsEntry.avg_content_length: an int 0 without
// requests, else a float.
func (s *locustStat) avgContentSize() pyNum {
	if s.requests == 0 {
		return pyInt(0)
	}
	return pyFloat(float64(s.bytes) / float64(s.requests))
}

// perSecond is n over secs as a Python float, 0.0 for an empty span.
func perSecond(n int64, secs float64) pyNum {
	if secs <= 0 {
		return pyFloat(0)
	}
	return pyFloat(float64(n) / secs)
}

// percentiles appends the PERCENTILES_TO_REPORT columns computed from
// times over n requests, or "N/A" each when the entry has no requests at
// all (total == 0), as StatsCSV._percentile_fields does.
func appendPercentiles(row []string, total int64, times *locustTimes, n int64) []string {
	if total == 0 {
		for range locustPercentiles {
			row = append(row, "N/A")
		}
		return row
	}
	var vs [11]int64 // len(locustPercentiles)
	times.percentiles(n, locustPercentiles, vs[:])
	for _, v := range vs {
		row = append(row, strconv.FormatInt(v, 10))
	}
	return row
}
