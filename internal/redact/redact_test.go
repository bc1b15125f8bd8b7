package redact

import (
	"errors"
	"strings"
	"testing"
)

// forms are the shapes a secret PW takes in what soak writes: each must
// lose PW and keep the rest readable.
var forms = []struct{ in, want string }{
	{"failed to connect to postgres://root:PW@127.0.0.1:5432/test", "failed to connect to postgres://root:REDACTED@127.0.0.1:5432/test"},
	{"postgres://root@127.0.0.1/test?password=PW&sslmode=disable", "postgres://root@127.0.0.1/test?password=REDACTED&sslmode=disable"},
	{"postgres://h/db?sslmode=require&sslpassword=PW", "postgres://h/db?sslmode=require&sslpassword=REDACTED"},
	{"http://127.0.0.1:6060/snapshot?token=PW#x", "http://127.0.0.1:6060/snapshot?token=REDACTED#x"},
	{"https://api/x?access_token=PW&api_key=PW&key=PW&sig=PW", "https://api/x?access_token=REDACTED&api_key=REDACTED&key=REDACTED&sig=REDACTED"},
	{"postgres://u:p/w@PW@h/db", "postgres://u:REDACTED@h/db"},
	{"redis://:PW@localhost:6379/0", "redis://:REDACTED@localhost:6379/0"},
	{"nats://PW@127.0.0.1:4222,tls://u:PW@h:4443", "nats://REDACTED@127.0.0.1:4222,tls://u:REDACTED@h:4443"},
	{"host=127.0.0.1 user=root password=PW dbname=test", "host=127.0.0.1 user=root password=REDACTED dbname=test"},
	{"host=x password='p w PW' dbname=y", "host=x password='REDACTED' dbname=y"},
	{`host=x password = 'it\'s PW' dbname=y`, "host=x password = 'REDACTED' dbname=y"},
	{`cannot parse "host=x password=PW": bad`, `cannot parse "host=x password=REDACTED": bad`},
	{`{"password": "PW", "user": "root"}`, `{"password": "REDACTED", "user": "root"}`},
	{"Authorization: Bearer PW", "Authorization: Bearer REDACTED"},
	{"authorization=Basic PW, next", "authorization=Basic REDACTED, next"},
	{"Authorization: PW", "Authorization: REDACTED"},
	{"got Bearer PW from x", "got Bearer REDACTED from x"},
	{"--probe-token=PW --db_password=PW", "--probe-token=REDACTED --db_password=REDACTED"},
	{"auth failed, password: PW (token=PW)", "auth failed, password: REDACTED (token=REDACTED)"},
	{"dbpassword:'p w PW' next", "dbpassword:'REDACTED' next"},
}

func TestText(t *testing.T) {
	for _, tc := range forms {
		in := strings.ReplaceAll(tc.in, "PW", "s3cr3t-PW")
		if got := Text(in); got != tc.want {
			t.Errorf("Text(%q)\n = %q\nwant %q", in, got, tc.want)
		}
		if got := Text(tc.want); got != tc.want {
			t.Errorf("Text is not idempotent on %q: %q", tc.want, got)
		}
	}
}

// Prose naming a secret keeps its words: only values are replaced.
func TestTextLeavesProse(t *testing.T) {
	for _, s := range []string{
		"unauthorized: send the probe's token in the Authorization header",
		"refused soak: 401 Unauthorized; give --probe-token or $SOAK_PROBE_TOKEN",
		"invalid token: the probe answered 401",
		"password authentication failed for user \"root\"",
		"use a Bearer token in the Authorization header",
		"dial tcp 127.0.0.1:6379: connect: connection refused",
		"probe: GET http://127.0.0.1:6060/snapshot: context deadline exceeded",
		"postgres://root@127.0.0.1:5432/test?sslmode=disable",
		"the secret of a good soak is patience; key=value pairs",
	} {
		if got := Text(s); got != s {
			t.Errorf("Text(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestError(t *testing.T) {
	if got := Error(errors.New(" dial postgres://u:pw@h/db \n")); got != "dial postgres://u:"+Mark+"@h/db" {
		t.Errorf("Error = %q", got)
	}
	if Error(nil) != "" {
		t.Error("Error(nil) is not empty")
	}
}

func TestArgs(t *testing.T) {
	for want, args := range map[string][]string{
		"soak run --probe-token REDACTED --host http://127.0.0.1:8000":                {"soak", "run", "--probe-token", "tok", "--host", "http://127.0.0.1:8000"},
		"soak run -probe-token=REDACTED":                                              {"soak", "run", "-probe-token=tok"},
		"soak demo --database-url postgres://root:REDACTED@127.0.0.1:5432/test":       {"soak", "demo", "--database-url", "postgres://root:pw@127.0.0.1:5432/test"},
		"soak demo --database-url 'host=h user=u password=REDACTED dbname=d'":         {"soak", "demo", "--database-url", "host=h user=u password=pw dbname=d"},
		"soak demo --database-url 'postgres://h/d?password=REDACTED&sslmode=disable'": {"soak", "demo", "--database-url", "postgres://h/d?password=pw&sslmode=disable"},
		"soak worker --nats-token REDACTED --nats nats://REDACTED@127.0.0.1:4222":     {"soak", "worker", "--nats-token", "s3cr3t", "--nats", "nats://t0k3n@127.0.0.1:4222"},
		"soak run --url '/a b' -H 'Authorization: Bearer REDACTED'":                   {"soak", "run", "--url", "/a b", "-H", "Authorization: Bearer t0k"},
		"soak run --workers nats://u:REDACTED@127.0.0.1:4222,tls://REDACTED@h:4443":   {"soak", "run", "--workers", "nats://u:pw@127.0.0.1:4222,tls://t0k@h:4443"},
		"soak run --probe-token": {"soak", "run", "--probe-token"},
		"soak run --probe-token-file /run/secrets/t --host http://127.0.0.1:1 --tags a,b": {"soak", "run", "--probe-token-file", "/run/secrets/t", "--host", "http://127.0.0.1:1", "--tags", "a,b"},
	} {
		if got := Args(args); got != want {
			t.Errorf("Args(%q)\n = %q\nwant %q", args, got, want)
		}
	}
}

// FuzzText: whatever the text around it, a secret in any form is gone
// after Text, and Text is idempotent and never panics.
func FuzzText(f *testing.F) {
	for i, tc := range forms {
		f.Add(tc.in, "s3cr3tPW", uint8(i))
	}
	f.Add("send the probe's token in the Authorization header", "x9y8z7w6", uint8(0))
	f.Add("password=", "abcd1234", uint8(9))
	f.Fuzz(func(t *testing.T, text, pw string, form uint8) {
		once := Text(text)
		if twice := Text(once); twice != once {
			t.Fatalf("not idempotent: %q -> %q -> %q", text, once, twice)
		}
		// A password of safe characters, embedded in one of the forms
		// after arbitrary text, must not survive.
		if len(pw) < 6 || strings.Trim(pw, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$*+.~^_-") != "" {
			return
		}
		tmpl := forms[int(form)%len(forms)].in
		if strings.Contains(strings.ReplaceAll(tmpl, "PW", ""), pw) || strings.Contains(Mark, pw) {
			return // the password is a word of the template itself
		}
		in := text + " " + strings.ReplaceAll(tmpl, "PW", pw)
		if strings.Contains(text, pw) {
			return
		}
		if got := Text(in); strings.Contains(got, pw) {
			t.Fatalf("Text(%q) = %q keeps %q", in, got, pw)
		}
	})
}

func TestCommand(t *testing.T) {
	for in, want := range map[string]string{
		"soak run --probe-token t0k --host http://u:pw@127.0.0.1:1":                  "soak run --probe-token REDACTED --host http://u:REDACTED@127.0.0.1:1",
		"soak demo --database-url 'host=h password=p w' -H 'Authorization: Basic x'": "soak demo --database-url 'host=h password=REDACTED w' -H 'Authorization: Basic REDACTED'",
		"soak run --probe-token REDACTED --nats-token -x":                            "soak run --probe-token REDACTED --nats-token -x",
	} {
		if got := Command(in); got != want {
			t.Errorf("Command(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}

func TestNamesSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"db_password_file": true, "REDIS_DSN": true, "auth_header": true, "ApiKey": true,
		"api-key-id": true, "client_secret": true, "credentials": true, "pool.max_conns": false,
		"redis.addr": false, "region": false, "": false,
	} {
		if got := NamesSecret(name); got != want {
			t.Errorf("NamesSecret(%q) = %v, want %v", name, got, want)
		}
	}
}
