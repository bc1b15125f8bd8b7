package scenario

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/soaklab/soak/engine/scenario/internal/bounds"
	"github.com/soaklab/soak/engine/scenario/internal/suggest"
	"github.com/soaklab/soak/engine/scenario/internal/template"
)

// order is how a data source hands out its values.
type order uint8

const (
	// orderRandom picks a uniformly random value (row) for every request,
	// from the user's random source.
	orderRandom order = iota
	// orderRoundRobin hands the values out in turn, shared by all users.
	orderRoundRobin
	// orderPerUser gives user N the value (row) N-1, modulo the count: a
	// fixed value for the user's lifetime.
	orderPerUser
)

var orderNames = map[string]order{"random": orderRandom, "round_robin": orderRoundRobin, "per_user": orderPerUser}

func (o order) String() string {
	for k, v := range orderNames {
		if v == o {
			return k
		}
	}
	return "?"
}

// source is a named data source: an inline list ("pick:") or a CSV file
// ("csv:") with a header row. A list has one unnamed column.
type source struct {
	name    string
	csvFile string   // as written in the scenario; "" for a list
	columns []string // CSV header; nil for a list
	rows    [][]string
	order   order
	field   string
}

// column returns the index of column name, or -1.
func (s *source) column(name string) int {
	for i, c := range s.columns {
		if c == name {
			return i
		}
	}
	return -1
}

// decodeSource decodes "pick: [...]" or "csv: FILE", with "order:".
func (d *decoder) decodeSource(n ast.Node, field, name string, open dataOpener) *source {
	src := &source{name: name, field: field, order: orderRandom}
	orderSet, picked, csvSeen := false, false, false
	d.fieldSet(n, field, map[string]func(ast.Node, string){
		"pick": func(v ast.Node, f string) {
			picked = true
			items, _ := d.list(v, f)
			if len(items) > bounds.MaxPickItems {
				d.at(posOf(v), f, "%d items; at most %d (use a CSV file)", len(items), bounds.MaxPickItems)
				return
			}
			for i, it := range items {
				if s, ok := d.str(it, index(f, i)); ok {
					src.rows = append(src.rows, []string{s})
				}
			}
			if len(items) == 0 {
				d.at(posOf(v), f, "empty list: give at least one value")
			}
		},
		"csv": func(v ast.Node, f string) {
			csvSeen = true
			if s, ok := d.str(v, f); ok {
				src.csvFile = s
			}
		},
		"order": func(v ast.Node, f string) {
			s, ok := d.str(v, f)
			if !ok {
				return
			}
			o, known := orderNames[s]
			if !known {
				d.at(posOf(v), f, "unknown order %q; %s", s, suggest.Hint(s, keys(orderNames)))
				return
			}
			src.order, orderSet = o, true
		},
	})
	switch {
	case picked && csvSeen:
		d.field(field, "both pick and csv; a source is one or the other")
	case !picked && !csvSeen:
		d.field(field, "no values: give pick: [a, b, c] or csv: FILE")
	case src.csvFile != "":
		if !orderSet {
			src.order = orderPerUser
		}
		d.loadCSV(src, join(field, "csv"), open)
	}
	return src
}

// loadCSV reads src's CSV file: a header row naming the columns, then
// at least one row, every row with as many fields as the header. The
// file's size counts against bounds.MaxDataBytes before it is read.
// Problems never quote the file's content: it may be anything the path
// names.
func (d *decoder) loadCSV(src *source, field string, open dataOpener) {
	if open == nil {
		d.field(field, "data files cannot be read here (no directory to read %q from)", src.csvFile)
		return
	}
	f, err := open(src.csvFile)
	if err != nil {
		d.field(field, "%v", err)
		return
	}
	defer f.Close()
	left := bounds.MaxDataBytes - d.data
	if f.Size > left {
		d.field(field, "%q: %d bytes; the data files of a scenario may hold %d MiB in all", src.csvFile, f.Size, bounds.MaxDataBytes>>20)
		return
	}
	d.data += f.Size
	cols, rows, err := parseCSV(f.Reader(left), d.canceled)
	var re *readError
	switch {
	case errors.As(err, &re):
		d.field(field, "cannot read %q: %v", src.csvFile, re.err)
		return
	case err != nil:
		d.field(field, "%s:%v", src.csvFile, err)
		return
	}
	src.columns, src.rows = cols, rows
}

// errParseStopped ends parseCSV when its context is done.
var errParseStopped = errors.New("stopped")

// parseCSV parses a CSV file with a header row. Errors start with the
// line number ("3: wrong number of fields") and never quote the data.
// canceled, when not nil, is asked between rows whether to stop.
func parseCSV(in io.Reader, canceled func() bool) (columns []string, rows [][]string, err error) {
	br := bufio.NewReader(in)
	const bom = "\ufeff" // a byte order mark, which Excel writes
	if b, _ := br.Peek(len(bom)); string(b) == bom {
		br.Discard(len(bom))
	}
	r := csv.NewReader(br)
	r.ReuseRecord = false
	columns, err = r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("1: empty file; the first line must name the columns")
	}
	if err != nil {
		return nil, nil, csvErr(err)
	}
	seen := map[string]int{}
	for i, c := range columns {
		c = strings.TrimSpace(c)
		columns[i] = c
		if !template.IsIdent(c) {
			return nil, nil, fmt.Errorf("1: the name of column %d is not one templates can use (1-64 letters, digits, _ and -, not starting with a digit or -)", i+1)
		}
		if j, dup := seen[c]; dup {
			return nil, nil, fmt.Errorf("1: columns %d and %d have the same name", j+1, i+1)
		}
		seen[c] = i
	}
	for {
		if canceled != nil && canceled() {
			return nil, nil, errParseStopped
		}
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, csvErr(err)
		}
		if len(rows) == bounds.MaxDataRows {
			return nil, nil, fmt.Errorf("%d: more than %d rows", bounds.MaxDataRows+2, bounds.MaxDataRows)
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 {
		return nil, nil, errors.New("2: no data rows after the header")
	}
	return columns, rows, nil
}

// csvErr words a CSV error: "line:column: what" for a parse error, a
// *readError for a failed read.
func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%d:%d: %v", pe.Line, pe.Column, pe.Err)
	}
	return &readError{err}
}

// readError is a CSV file that could not be read, as opposed to parsed.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }
