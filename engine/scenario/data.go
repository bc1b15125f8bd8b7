package scenario

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goccy/go-yaml/ast"
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

// Limits on data files, so that a mistaken path (a log file, a dump)
// fails clearly instead of exhausting memory.
const (
	maxDataBytes = 64 << 20
	maxDataRows  = 1_000_000
	maxPickItems = 100_000
)

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
func (d *decoder) decodeSource(n ast.Node, field, name string, read func(string) ([]byte, error)) *source {
	src := &source{name: name, field: field, order: orderRandom}
	orderSet, picked, csvSeen := false, false, false
	d.fieldSet(n, field, map[string]func(ast.Node, string){
		"pick": func(v ast.Node, f string) {
			picked = true
			items, _ := d.list(v, f)
			if len(items) > maxPickItems {
				d.at(posOf(v), f, "%d items; at most %d (use a CSV file)", len(items), maxPickItems)
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
				d.at(posOf(v), f, "unknown order %q; %s", s, didYouMean(s, keys(orderNames)))
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
		d.loadCSV(src, join(field, "csv"), read)
	}
	return src
}

// loadCSV reads src's CSV file: a header row naming the columns, then
// at least one row, every row with as many fields as the header.
func (d *decoder) loadCSV(src *source, field string, read func(string) ([]byte, error)) {
	if read == nil {
		d.field(field, "data files cannot be read here (no directory to read %q from)", src.csvFile)
		return
	}
	data, err := read(src.csvFile)
	if err != nil {
		d.field(field, "%v", err)
		return
	}
	if len(data) > maxDataBytes {
		d.field(field, "%s: larger than %d MiB", src.csvFile, maxDataBytes>>20)
		return
	}
	cols, rows, err := parseCSV(data)
	if err != nil {
		d.field(field, "%s:%v", src.csvFile, err)
		return
	}
	src.columns, src.rows = cols, rows
}

// parseCSV parses a CSV file with a header row. Errors start with the
// line number: "3: wrong number of fields".
func parseCSV(data []byte) (columns []string, rows [][]string, err error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	r.ReuseRecord = false
	columns, err = r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, errors.New("1: empty file; the first line must name the columns")
	}
	if err != nil {
		return nil, nil, csvErr(err)
	}
	seen := map[string]bool{}
	for i, c := range columns {
		c = strings.TrimSpace(c)
		columns[i] = c
		if !isIdent(c) {
			return nil, nil, fmt.Errorf("1: column %d name %q is not a name templates can use (letters, digits, _ and -)", i+1, c)
		}
		if seen[c] {
			return nil, nil, fmt.Errorf("1: column %q appears twice", c)
		}
		seen[c] = true
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, csvErr(err)
		}
		if len(rows) == maxDataRows {
			return nil, nil, fmt.Errorf("%d: more than %d rows", maxDataRows+2, maxDataRows)
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 {
		return nil, nil, errors.New("2: no data rows after the header")
	}
	return columns, rows, nil
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%d:%d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// isIdent reports whether s is a name templates can use: 1-64 of
// letters, digits, '_' and '-', not starting with a digit or '-'.
func isIdent(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}
