package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const accountsCSV = "username,password\nu1,p1\nu2,p2\nu3,p3\n"

func TestCSVPerUser(t *testing.T) {
	s := mustLoad(t, `
data:
  acc: {csv: data/acc.csv}
classes:
  - name: A
    tasks:
      - post: /login
        json: {u: '{{acc.username}}', p: '{{acc.password}}'}
`, map[string]string{"data/acc.csv": accountsCSV})
	for id, want := range map[int]string{1: `{"u":"u1","p":"p1"}`, 2: `{"u":"u2","p":"p2"}`, 4: `{"u":"u1","p":"p1"}`} {
		f := newRenderFixture(t, s, 0, testUser(id, "A"))
		for range 3 { // per_user (the CSV default): the same row every time
			if got := string(f.render(t, 0, 0).Body); got != want {
				t.Errorf("user %d: %s, want %s", id, got, want)
			}
		}
	}
}

func TestCSVRandomRowsStayTogether(t *testing.T) {
	s := mustLoad(t, `
data:
  acc: {csv: acc.csv, order: random}
classes:
  - name: A
    tasks:
      - get: '/{{acc.username}}/{{acc.password}}'
`, map[string]string{"acc.csv": accountsCSV})
	f := newRenderFixture(t, s, 0, testUser(1, "A"))
	seen := map[string]bool{}
	for range 200 {
		p := f.render(t, 0, 0).Path
		u, pw, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		if "p"+strings.TrimPrefix(u, "u") != pw {
			t.Fatalf("columns from different rows: %s", p)
		}
		seen[p] = true
	}
	if len(seen) != 3 {
		t.Errorf("random order used rows %v, want all 3", seen)
	}
}

func TestPickRoundRobinSharedByUsers(t *testing.T) {
	s := mustLoad(t, `
data:
  w: {pick: [a, b, c], order: round_robin}
classes:
  - name: A
    tasks:
      - get: '/{{w}}'
        query: {inline: {pick: [x, y], order: round_robin}}
`, nil)
	c := mustCompile(t, s)
	u1, u2 := testUser(1, "A"), testUser(2, "A")
	st1, st2 := c.state(c.classes[0], u1), c.state(c.classes[0], u2)
	var got []string
	for i := range 5 {
		st := st1
		if i%2 == 1 {
			st = st2
		}
		if err := st.render(st.cls.tasks[0][0]); err != nil {
			t.Fatal(err)
		}
		got = append(got, st.req.Path)
	}
	want := "/a?inline=x /b?inline=y /c?inline=x /a?inline=y /b?inline=x"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestCSVProblems(t *testing.T) {
	for _, tc := range []struct{ name, csv, want string }{
		{"ragged", "a,b\n1,2\n3\n", "data.d.csv: d.csv:3:1: wrong number of fields"},
		{"empty", "", "data.d.csv: d.csv:1: empty file; the first line must name the columns"},
		{"header only", "a,b\n", "data.d.csv: d.csv:2: no data rows after the header"},
		{"bad column name", "a,first name\n1,2\n", `data.d.csv: d.csv:1: the name of column 2 is not one templates can use (1-64 letters, digits, _ and -, not starting with a digit or -)`},
		{"duplicate column", "a,a\n1,2\n", `data.d.csv: d.csv:1: columns 1 and 2 have the same name`},
		{"bare quote", "a\n\"x\"y\n", `data.d.csv: d.csv:2:3: extraneous or missing " in quoted-field`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "data:\n  d: {csv: d.csv}\nclasses:\n  - {name: A, tasks: [{get: '/{{d.a}}'}]}\n"
			fsys := map[string]string{"d.csv": tc.csv}
			_, err := loadFS(src, fsys)
			if err == nil || !strings.Contains(err.Error(), "s.yaml:2:12: "+tc.want) {
				t.Errorf("err = %v\nwant %s", err, tc.want)
			}
		})
	}
	_, err := loadFS("data:\n  d: {csv: ../d.csv}\nclasses:\n  - {name: A, tasks: [{get: '/{{d.a}}'}]}\n", nil)
	if err == nil || !strings.Contains(err.Error(), `data.d.csv: "../d.csv" is outside the scenario's directory`) {
		t.Errorf("escape: %v", err)
	}
	_, err = loadFS("data:\n  d: {csv: nope.csv}\nclasses:\n  - {name: A, tasks: [{get: '/{{d.x}}'}]}\n", nil)
	if err == nil || err.Error() != `s.yaml:2:12: data.d.csv: cannot read "nope.csv": no such file or directory` {
		t.Errorf("missing: %v", err)
	}
	_, err = loadFS("data:\n  d: {csv: d.csv}\nclasses:\n  - {name: A, tasks: [{get: '/{{d.usrname}}'}]}\n", map[string]string{"d.csv": accountsCSV})
	if err == nil || !strings.Contains(err.Error(), `{{d.usrname}}: no column "usrname" in d.csv; did you mean "username"?`) {
		t.Errorf("column: %v", err)
	}
	_, err = loadFS("data:\n  d: {csv: d.csv}\nclasses:\n  - {name: A, tasks: [{get: '/{{d}}'}]}\n", map[string]string{"d.csv": accountsCSV})
	if err == nil || !strings.Contains(err.Error(), `{{d}}: d is a CSV source; name a column of d.csv: {{d.COLUMN}}`) {
		t.Errorf("no column: %v", err)
	}
}

// loadFS is mustLoad returning the error.
func loadFS(src string, files map[string]string) (*Scenario, error) {
	dir, err := os.MkdirTemp("", "scenario")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	fsys := os.DirFS(dir)
	if err := os.WriteFile(filepath.Join(dir, "s.yaml"), []byte(src), 0o600); err != nil {
		return nil, err
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			return nil, err
		}
	}
	return LoadFS(fsys, "s.yaml")
}

func TestLoadReadsCSVBesideTheFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub", "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	src := "data:\n  d: {csv: data/d.csv}\nclasses:\n  - {name: A, tasks: [{get: '/{{d.username}}'}]}\n"
	for name, data := range map[string]string{"sub/s.yaml": src, "sub/data/d.csv": accountsCSV} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Load(filepath.Join(dir, "sub", "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.data[0].rows); got != 3 {
		t.Errorf("%d rows", got)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.HasSuffix(err.Error(), "missing.yaml: cannot read the scenario: no such file or directory") {
		t.Errorf("missing scenario: %v", err)
	}
}
