package redact

import (
	"errors"
	"strings"
	"testing"
)

func TestSecrets(t *testing.T) {
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
		got := Secrets(tc.in)
		if strings.Contains(got, tc.secret) {
			t.Errorf("Secrets(%q) = %q keeps the secret", tc.in, got)
		}
	}
	if got := Secrets("dial tcp 127.0.0.1:6379: connect: connection refused"); got != "dial tcp 127.0.0.1:6379: connect: connection refused" {
		t.Errorf("plain error changed: %q", got)
	}
	if got := Error(errors.New(" dial postgres://u:pw@h/db \n")); got != "dial postgres://u:"+Mark+"@h/db" {
		t.Errorf("Error = %q", got)
	}
	if Error(nil) != "" {
		t.Error("Error(nil) is not empty")
	}
}

func FuzzSecrets(f *testing.F) {
	f.Add("postgres://u:p@h/db")
	f.Add("password=x")
	f.Add("Bearer t")
	f.Fuzz(func(t *testing.T, s string) {
		got := Secrets(s)
		if strings.Contains(s, "password=") && strings.Contains(got, "password=") {
			i := strings.Index(got, "password=") + len("password=")
			if rest := got[i:]; rest != "" && !strings.HasPrefix(rest, Mark) && rest[0] != ' ' && rest[0] != '&' && rest[0] != ';' && rest[0] != ',' {
				t.Fatalf("password value kept: %q -> %q", s, got)
			}
		}
	})
}
