package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/soaklab/soak/internal/testenv"
)

// TestSecretsNeverWritten: the probe token (flag or environment) and an
// Authorization header from a scenario reach the service but no output,
// log or summary.
func TestSecretsNeverWritten(t *testing.T) {
	t.Parallel() // subprocesses only: no shared state
	dir := t.TempDir()
	tg := newTarget(t)
	const bearer, token, envToken = "scenario-bearer-5e3c", "probe-token-77aa", "env-token-19bd"
	scenario := fmt.Sprintf(`name: secret
classes:
  - name: Reader
    weight: 1
    headers:
      Authorization: Bearer %s
    tasks:
      - get: /ok
`, bearer)
	os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte(scenario), 0o644)
	probe := "http://" + freePort(t)
	runs := []struct {
		out  string
		env  []string
		args []string
	}{
		{"flag", nil, []string{"--probe-token", token}},
		{"env", []string{ProbeTokenEnv + "=" + envToken}, nil},
	}
	for _, r := range runs {
		args := append([]string{"run", "--host", tg.URL, "--scenario", "secret.yaml", "-u", "2", "-r", "2", "-t", "2s",
			"--probe", probe, "--probe-optional", "--out", r.out, "--json"}, quick...)
		p := soak(t, dir, r.env, time.Minute, append(args, r.args...)...)
		if p.code == exitError || p.code == exitUsage {
			t.Fatalf("exit %d:\n%s", p.code, p.stderr)
		}
		for _, secret := range []string{bearer, token, envToken} {
			if strings.Contains(p.stdout+p.stderr, secret) {
				t.Errorf("%s run: %q printed", r.out, secret)
			}
			if hits := grepTree(t, filepath.Join(dir, r.out), secret); len(hits) > 0 {
				t.Errorf("%s run: %q written to %v", r.out, secret, hits)
			}
		}
	}
	tg.mu.Lock()
	defer tg.mu.Unlock()
	if len(tg.auth) == 0 || tg.auth[0] != "Bearer "+bearer {
		t.Errorf("the service got Authorization %q: the test would prove nothing", tg.auth)
	}
}

// TestDemoDatabaseSecret: soak demo on PostgreSQL and Redis, given as
// most services are, by $DATABASE_URL and $REDIS_URL or by the flags,
// with a password in each DSN form pgx accepts (URL userinfo, URL query
// password and sslpassword, key/value, key/value quoted), fills the
// database half of the report (pool, query latency, the PostgreSQL
// version, the cache) and writes the password nowhere: not in run.json's
// command line, probe.jsonl, the reports, the CSVs or the terminal.
func TestDemoDatabaseSecret(t *testing.T) {
	t.Parallel() // subprocesses only: no shared state
	raw := testenv.DatabaseURL(t)
	redisURL := testenv.RedisURL(t)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	const password, sslPassword = "dsn-pass-4f1e", "ssl-pass-91c2"
	withUser := *u
	withUser.User = url.UserPassword(u.User.Username(), password) // trust auth: the server never asks for it
	inQuery := *u
	q := inQuery.Query()
	q.Set("password", password)
	q.Set("sslpassword", sslPassword)
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	inQuery.RawQuery = q.Encode()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	kv := fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=%s sslmode=disable", u.Hostname(), port, u.User.Username(), password, strings.TrimPrefix(u.Path, "/"))
	kvQuoted := fmt.Sprintf("host=%s port=%s user=%s password='%s x' dbname=%s sslmode=disable", u.Hostname(), port, u.User.Username(), password, strings.TrimPrefix(u.Path, "/"))
	for _, form := range []struct {
		name, dsn string
		flag      bool // --database-url (in run.json's command line) rather than $DATABASE_URL
	}{
		{"userinfo-env", withUser.String(), false},
		{"query-flag", inQuery.String(), true},
		{"keyvalue-flag", kv, true},
		{"keyvalue-quoted-flag", kvQuoted, true},
	} {
		t.Run(form.name, func(t *testing.T) {
			t.Parallel() // a subprocess each, its own schema and directory
			schema := testenv.Name(t)
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				conn, err := pgx.Connect(ctx, raw)
				if err != nil {
					t.Errorf("dropping schema %s: %v", schema, err)
					return
				}
				defer conn.Close(ctx)
				if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
					t.Errorf("dropping schema %s: %v", schema, err)
				}
			})
			dir := t.TempDir()
			env := []string{"DATABASE_URL=", "REDIS_URL=" + redisURL}
			args := []string{"demo", "--schema", schema, "-u", "5", "-r", "5", "-t", "3s", "--out", "out"}
			if form.flag {
				args = append(args, "--database-url", form.dsn)
			} else {
				env[0] = "DATABASE_URL=" + form.dsn
			}
			p := soak(t, dir, env, 2*time.Minute, append(args, quick...)...)
			if p.code == exitError || p.code == exitUsage {
				t.Fatalf("exit %d:\n%s\n%s", p.code, p.stdout, p.stderr)
			}
			for _, secret := range []string{password, sslPassword} {
				if strings.Contains(p.stdout+p.stderr, secret) {
					t.Errorf("the DSN's %q was printed", secret)
				}
				if hits := grepTree(t, filepath.Join(dir, "out"), secret); len(hits) > 0 {
					t.Errorf("the DSN's %q was written to %v", secret, hits)
				}
			}
			run, _ := os.ReadFile(filepath.Join(dir, "out", "run.json"))
			if form.flag && !strings.Contains(string(run), "--database-url") {
				t.Errorf("run.json lacks the command line: the test would prove nothing:\n%s", run)
			}
			// The rows that show the DSN was used (the pool and the
			// server answered), whatever a 3-second run's few users
			// happened to request: a query traced in its steady state
			// is luck on a loaded machine.
			md, _ := os.ReadFile(filepath.Join(dir, "out", "report.md"))
			for _, row := range []string{"| Database | Connection Pool |", "**PostgreSQL Version**: ",
				"**Redis Version**: ", "**Database Pool Size**: "} {
				i := strings.Index(string(md), row)
				if i < 0 {
					t.Errorf("report.md lacks %q", row)
					continue
				}
				if line, _, _ := strings.Cut(string(md[i:]), "\n"); strings.Contains(line, "not measured") || strings.Contains(line, "none") {
					t.Errorf("the demo on %s: %s", form.name, line)
				}
			}
		})
	}
}
