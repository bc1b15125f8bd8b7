package testenv

import (
	"strings"
	"testing"
)

func TestName(t *testing.T) {
	a, b := Name(t), Name(t)
	if a == b || !strings.HasPrefix(a, "soaktest_") || len(a) != len("soaktest_")+8 {
		t.Fatalf("Name() = %q, %q", a, b)
	}
}

func TestServices(t *testing.T) {
	if u := DatabaseURL(t); !strings.HasPrefix(u, "postgres") {
		t.Fatalf("DatabaseURL = %q", u)
	}
	if u := RedisURL(t); !strings.HasPrefix(u, "redis") {
		t.Fatalf("RedisURL = %q", u)
	}
	if u := NATSURL(t); !strings.HasPrefix(u, "nats") {
		t.Fatalf("NATSURL = %q", u)
	}
}

func TestRefusesRemote(t *testing.T) {
	t.Setenv("SOAK_TEST_REDIS_URL", "redis://10.0.0.1:6379/0")
	t.Setenv("SOAK_TEST_NATS_URL", "nats://10.0.0.1:4222")
	for name, get := range map[string]func(testing.TB) string{"RedisURL": RedisURL, "NATSURL": NATSURL} {
		ft := &fatalT{TB: t}
		func() {
			defer func() { recover() }()
			get(ft)
		}()
		if !ft.failed || !strings.Contains(ft.msg, "loopback") {
			t.Fatalf("%s: non-loopback URL accepted (failed=%v msg=%q)", name, ft.failed, ft.msg)
		}
	}
}

type fatalT struct {
	testing.TB
	failed bool
	msg    string
}

func (f *fatalT) Helper() {}
func (f *fatalT) Fatalf(format string, args ...any) {
	f.failed = true
	f.msg = format
	panic("fatal")
}
