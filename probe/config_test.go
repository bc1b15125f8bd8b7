package probe

import (
	"strings"
	"testing"
)

func TestSetConfig(t *testing.T) {
	p := New()
	p.SetConfig(ConfigRateLimit, "100 req/min per user")
	p.SetConfig("database_dsn", "postgres://u:hunter2@db/x")
	p.SetConfig("db", "postgres://u:hunter2@db/x?sslmode=disable")
	p.SetConfig("note", strings.Repeat("x", 1000))
	if p.SetConfig("", "v") {
		t.Error("empty key accepted")
	}
	c := p.Config()
	if c[ConfigRateLimit] != "100 req/min per user" {
		t.Errorf("rate limit = %q", c[ConfigRateLimit])
	}
	if c["database_dsn"] != redacted {
		t.Errorf("dsn key = %q", c["database_dsn"])
	}
	if strings.Contains(c["db"], "hunter2") || !strings.Contains(c["db"], "db/x") {
		t.Errorf("url password kept: %q", c["db"])
	}
	if len(c["note"]) != maxConfigValue {
		t.Errorf("long value kept %d bytes", len(c["note"]))
	}
	p.SetConfig(ConfigRateLimit, "")
	if _, ok := p.Config()[ConfigRateLimit]; ok {
		t.Error("empty value did not delete")
	}
	for i := 0; i < 100; i++ {
		p.SetConfig(strings.Repeat("k", i%60+1)+string(rune('a'+i%26)), "v")
	}
	if n := len(p.Config()); n > maxConfigKeys {
		t.Errorf("%d keys stored", n)
	}
}

func TestRedactSecrets(t *testing.T) {
	for _, tc := range []struct{ in, secret string }{
		{"failed to connect to postgres://root:s3cret@127.0.0.1:5432/test", "s3cret"},
		{"host=x user=root password=s3cret dbname=y", "s3cret"},
		{"host=x password='s3 cret' dbname=y", "s3 cret"},
		{"Authorization: Bearer abc.def", "abc.def"},
		{"redis://:s3cret@localhost:6379/0", "s3cret"},
		{"token=s3cret&x=1", "s3cret"},
		{"access_token=s3cret", "s3cret"},
		{"dbpassword: s3cret", "s3cret"},
	} {
		got := redactSecrets(tc.in)
		if strings.Contains(got, tc.secret) {
			t.Errorf("redactSecrets(%q) = %q keeps the secret", tc.in, got)
		}
	}
	if got := redactSecrets("dial tcp 127.0.0.1:6379: connect: connection refused"); got != "dial tcp 127.0.0.1:6379: connect: connection refused" {
		t.Errorf("plain error changed: %q", got)
	}
}

func FuzzRedactSecrets(f *testing.F) {
	f.Add("postgres://u:p@h/db")
	f.Add("password=x")
	f.Add("Bearer t")
	f.Fuzz(func(t *testing.T, s string) {
		got := redactSecrets(s)
		if strings.Contains(s, "password=") && strings.Contains(got, "password=") {
			i := strings.Index(got, "password=") + len("password=")
			if rest := got[i:]; rest != "" && !strings.HasPrefix(rest, redacted) && rest[0] != ' ' && rest[0] != '&' && rest[0] != ';' && rest[0] != ',' {
				t.Fatalf("password value kept: %q -> %q", s, got)
			}
		}
	})
}

func TestConfigNone(t *testing.T) {
	cases := []struct {
		v, why string
		none   bool
	}{
		{"none", "", true},
		{" none ", "", true},
		{"none: data in memory", "data in memory", true},
		{"none:", "", true},
		{"postgres (pgxpool)", "", false},
		{"nonexistent", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		if why, none := ConfigNone(c.v); why != c.why || none != c.none {
			t.Errorf("ConfigNone(%q) = %q, %v; want %q, %v", c.v, why, none, c.why, c.none)
		}
	}
}

func FuzzConfigNone(f *testing.F) {
	for _, s := range []string{"none", "none: x", "postgres", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		why, none := ConfigNone(v)
		if !none && why != "" {
			t.Errorf("ConfigNone(%q): a reason %q without none", v, why)
		}
		if none && !strings.HasPrefix(strings.TrimSpace(v), "none") {
			t.Errorf("ConfigNone(%q): none without the word", v)
		}
	})
}
