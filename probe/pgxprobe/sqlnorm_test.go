package pgxprobe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeSQL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT * FROM stories WHERE slug = 'a-b''c'", "SELECT * FROM stories WHERE slug = ?"},
		{"select  id\n\tfrom t where id=42 and x = 3.5e-3", "select id from t where id=? and x = ?"},
		{"SELECT $1::int, $2", "SELECT $1::int, $2"},
		{"SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (...)"},
		{"SELECT * FROM t WHERE id IN ($1,$2, $3)", "SELECT * FROM t WHERE id IN (...)"},
		{"SELECT f(1)", "SELECT f(?)"},
		{"SELECT generate_series(1, 3)", "SELECT generate_series(?, ?)"},
		{"SELECT 1 -- comment\n, /* c */ 2", "SELECT ? , ?"},
		{`SELECT "Col1" FROM t2`, `SELECT "Col1" FROM t2`},
		{"SELECT $$ it's $$, $tag$x$tag$", "SELECT ?, ?"},
		{"SELECT E'a\\'b'", "SELECT ?"},
		{"SELECT pg_sleep(0.2)", "SELECT pg_sleep(?)"},
		{"INSERT INTO t(a,b) VALUES ('x', 1), ('y', 2)", "INSERT INTO t(a,b) VALUES (...), (...)"},
	} {
		if got := NormalizeSQL(tc.in); got != tc.want {
			t.Errorf("NormalizeSQL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := "SELECT " + strings.Repeat("col, ", 500) + "x FROM t"
	if got := NormalizeSQL(long); len(got) > maxSQLLen || !strings.HasSuffix(got, "...") {
		t.Errorf("long statement: %d bytes", len(got))
	}
}

func FuzzNormalizeSQL(f *testing.F) {
	for _, s := range []string{"SELECT 1", "select 'a''b' -- x", "$$", "$1", "E'\\", "(?, ?)", "/* x", "\"a\"\"b\"", "é'x'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NormalizeSQL(s)
		if len(got) > maxSQLLen {
			t.Fatalf("%d bytes", len(got))
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("valid UTF-8 in, invalid out: %q -> %q", s, got)
		}
		if again := NormalizeSQL(got); len(got) < maxSQLLen-3 && again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}
