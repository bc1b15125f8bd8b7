package report

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/soaklab/soak/engine"
)

// Locust's CSV columns, as locust/stats.py (locustio/locust, StatsCSV and
// StatsCSVFileWriter) writes them; PERCENTILES_TO_REPORT and their labels
// (get_readable_percentiles) likewise.
var (
	locustPercentiles      = []float64{0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0}
	locustPercentileLabels = []string{"50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%", "99.99%", "100%"}

	locustStatsColumns = append([]string{"Type", "Name", "Request Count", "Failure Count",
		"Median Response Time", "Average Response Time", "Min Response Time", "Max Response Time",
		"Average Content Size", "Requests/s", "Failures/s"}, locustPercentileLabels...)
	locustHistoryColumns = slices.Concat([]string{"Timestamp", "User Count", "Type", "Name",
		"Requests/s", "Failures/s"}, locustPercentileLabels, []string{"Total Request Count",
		"Total Failure Count", "Total Median Response Time", "Total Average Response Time",
		"Total Min Response Time", "Total Max Response Time", "Total Average Content Size"})
	locustFailuresColumns   = []string{"Method", "Name", "Error", "Occurrences"}
	locustExceptionsColumns = []string{"Count", "Message", "Traceback", "Nodes"}
)

// Locust's CSV file suffixes: PREFIX_stats.csv and so on.
const (
	SuffixStats        = "_stats.csv"
	SuffixStatsHistory = "_stats_history.csv"
	SuffixFailures     = "_failures.csv"
	SuffixExceptions   = "_exceptions.csv"
)

// RateLimitedError is the Error of the PREFIX_failures.csv row that counts
// an endpoint's HTTP 429 answers. soak counts 429s apart from failures;
// Locust counts them as failures, so the Locust CSVs do too (in Failure
// Count, Failures/s and this row), and scripts written for Locust's CSVs
// see the totals they expect.
const RateLimitedError = "HTTP 429 Too Many Requests (rate limit)"

// OverflowError is the Error of the PREFIX_failures.csv row that counts
// the failures (and task errors) past the engine's bound on distinct
// errors (engine.Plan.MaxErrors), which soak counts but does not name.
const OverflowError = "other errors not kept (the run reached its bound on distinct errors)"

// LocalNode is the Nodes column of PREFIX_exceptions.csv: Locust names the
// node of a single-process run "local".
const LocalNode = "local"

// CSVOptions configures the Locust CSV outputs. The zero value writes what
// `locust --csv PREFIX` writes.
type CSVOptions struct {
	// FullHistory writes, at every interval of PREFIX_stats_history.csv, a
	// row per (method, name) before the Aggregated row, with percentiles of
	// the last 10 s, as `locust --csv-full-history` does. Without it only
	// the Aggregated row is written, with whole-run percentiles so far
	// (Locust's semantics).
	FullHistory bool
}

// WriteLocustCSV writes the four Locust CSV files of run: PREFIX_stats.csv,
// PREFIX_stats_history.csv, PREFIX_failures.csv and PREFIX_exceptions.csv,
// with Locust's header lines byte for byte, Python's number formatting and
// CRLF line ends. Each file is written through a temporary file and
// renamed into place. prefix may contain a directory, which must exist.
func WriteLocustCSV(prefix string, run Run, opt CSVOptions) error {
	if _, err := run.engine(); err != nil {
		return err
	}
	for _, f := range []struct {
		suffix string
		rep    Reporter
	}{
		{SuffixStats, LocustStats(run)},
		{SuffixStatsHistory, LocustHistory(run, opt)},
		{SuffixFailures, LocustFailures(run)},
		{SuffixExceptions, LocustExceptions(run)},
	} {
		if err := writeFile(prefix+f.suffix, f.rep); err != nil {
			return err
		}
	}
	return nil
}

// csvWriter writes rows as Python's csv.writer does with Locust's
// defaults (the "excel" dialect): fields quoted only when they hold a
// comma, a double quote, CR or LF, quotes doubled, rows ended by CRLF.
// encoding/csv differs (it also quotes a leading space and turns LF into
// CRLF inside quoted fields), hence this writer. Errors are sticky.
type csvWriter struct {
	w   *bufio.Writer
	err error
}

func newCSVWriter(w io.Writer) *csvWriter { return &csvWriter{w: bufio.NewWriterSize(w, 64<<10)} }

func (c *csvWriter) row(fields ...string) {
	if c.err != nil {
		return
	}
	for i, f := range fields {
		if i > 0 {
			c.w.WriteByte(',')
		}
		if strings.ContainsAny(f, ",\"\r\n") {
			c.w.WriteByte('"')
			c.w.WriteString(strings.ReplaceAll(f, `"`, `""`))
			c.w.WriteByte('"')
		} else {
			c.w.WriteString(f)
		}
	}
	_, c.err = c.w.WriteString("\r\n")
}

func (c *csvWriter) flush() error {
	if c.err != nil {
		return c.err
	}
	return c.w.Flush()
}

// runSeconds is the span Locust divides whole-run counts by
// (total_rps: last request time minus start time): here, the run's
// recorded span, from its first interval's start to its last's end.
func runSeconds(res *engine.Result) float64 {
	return res.Total.End.Sub(res.Total.Start).Seconds()
}

// LocustStats returns the Reporter of PREFIX_stats.csv: one row per
// (method, name), sorted by name then method as Locust sorts its entries,
// then the "Aggregated" row with an empty Type. Counts, average, min, max
// and content size are exact; the median and percentiles come from
// Locust's rounded response times rebuilt from the HDR histograms (see
// the package documentation for the precision). Requests/s and Failures/s
// divide by the run's recorded span.
func LocustStats(run Run) Reporter {
	return func(w io.Writer) error {
		res, err := run.engine()
		if err != nil {
			return err
		}
		secs := runSeconds(res)
		cw := newCSVWriter(w)
		cw.row(locustStatsColumns...)
		total := locustStat{name: engine.AggregatedName}
		row := make([]string, 0, len(locustStatsColumns))
		write := func(s *locustStat) {
			row = append(row[:0], s.method, s.name, strconv.FormatInt(s.requests, 10),
				strconv.FormatInt(s.failures, 10), s.median().String(), s.avg().String(),
				s.min().String(), s.max().String(), s.avgContentSize().String(),
				perSecond(s.requests, secs).String(), perSecond(s.failures, secs).String())
			cw.row(appendPercentiles(row, s.requests, &s.times, s.requests)...)
		}
		for i := range res.Total.Stats {
			st := &res.Total.Stats[i]
			if st.Requests == 0 { // only aborted requests: Locust would not know the entry
				continue
			}
			s := locustStat{method: st.Method, name: st.Name}
			s.addStat(st)
			write(&s)
			total.add(&s)
		}
		write(&total)
		return cw.flush()
	}
}

// LocustFailures returns the Reporter of PREFIX_failures.csv: Method,
// Name, Error, Occurrences for every distinct failure of the run, plus a
// RateLimitedError row per (method, name) that got 429s and an
// OverflowError row when distinct errors overflowed; most frequent first
// (Locust's order is a hash order, so any order is compatible). The Error
// is soak's text ("HTTP 503 Service Unavailable", "connection refused"),
// not a Python repr.
func LocustFailures(run Run) Reporter {
	return func(w io.Writer) error {
		res, err := run.engine()
		if err != nil {
			return err
		}
		t := res.Total
		rows := make([]engine.ErrorStat, 0, len(t.Errors)+1)
		rows = append(rows, t.Errors...)
		for _, st := range t.Stats {
			if st.RateLimited > 0 {
				rows = append(rows, engine.ErrorStat{Method: st.Method, Name: st.Name, Error: RateLimitedError, Count: st.RateLimited})
			}
		}
		slices.SortStableFunc(rows, func(a, b engine.ErrorStat) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Name, b.Name),
				cmp.Compare(a.Method, b.Method), cmp.Compare(a.Error, b.Error))
		})
		if t.ErrorsOverflow > 0 {
			rows = append(rows, engine.ErrorStat{Error: OverflowError, Count: t.ErrorsOverflow})
		}
		cw := newCSVWriter(w)
		cw.row(locustFailuresColumns...)
		for _, e := range rows {
			cw.row(e.Method, e.Name, e.Error, strconv.FormatInt(e.Count, 10))
		}
		return cw.flush()
	}
}

// LocustExceptions returns the Reporter of PREFIX_exceptions.csv: Count,
// Message, Traceback, Nodes for every distinct error returned by a task
// (not by a request), then for every reason users quit before the load
// ended (engine.Interval.Quits: a failed on_start, a task that stopped
// its user), as Locust lists the errors that end a user. soak keeps no
// stack traces: Traceback names the task ("task Class/task") or the
// user's hook ("user quit in Class/on_start"), and Nodes is LocalNode.
func LocustExceptions(run Run) Reporter {
	return func(w io.Writer) error {
		res, err := run.engine()
		if err != nil {
			return err
		}
		cw := newCSVWriter(w)
		cw.row(locustExceptionsColumns...)
		for _, e := range res.Total.Exceptions {
			cw.row(strconv.FormatInt(e.Count, 10), e.Error, "task "+e.Name, LocalNode)
		}
		for _, e := range res.Total.Quits {
			cw.row(strconv.FormatInt(e.Count, 10), QuitMessage+e.Error, "user quit in "+e.Name, LocalNode)
		}
		return cw.flush()
	}
}

// QuitMessage begins the Message of a PREFIX_exceptions.csv row that
// counts users that quit: "user quit: POST /api/auth/login: HTTP 503
// Service Unavailable".
const QuitMessage = "user quit: "
