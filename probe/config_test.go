package probe

import (
	"strings"
	"testing"

	"github.com/soaklab/soak/internal/redact"
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
	if c["database_dsn"] != redact.Mark {
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
