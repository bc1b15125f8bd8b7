package redact

import (
	"regexp"
	"strings"
)

// Args returns args as one shell-quoted command line with every secret
// replaced by [Mark]: the value of a flag naming a secret (--probe-token
// T, --probe-token=T, --nats-token T, --password T), and whatever [Text]
// finds in any other argument (a DSN's password, an Authorization
// header, a URL's secret query).
func Args(args []string) string {
	out := make([]string, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		secret := strings.HasPrefix(a, "-") && IsSecretKey(name)
		switch {
		case secret && hasVal:
			out[i] = a[:len(a)-len(val)] + Mark
		case secret:
			out[i] = a
			if i+1 < len(args) {
				i++
				out[i] = Mark
			}
		default:
			out[i] = Text(a)
		}
	}
	var b strings.Builder
	for i, a := range out {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(Quote(a))
	}
	return b.String()
}

// Quote shell-quotes s when it holds anything but safe characters.
func Quote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// flagValue finds a flag naming a secret followed by its value as the
// next word of a command line (--probe-token T, -nats-token 'T').
var flagValue = regexp.MustCompile(`(?i)((?:^|\s)--?[a-z0-9_-]*(?:token|password|passwd|secret)\s+)('[^']*'?|"[^"]*"?|\S+)`)

// Command is [Text] for a command line already joined into one string
// (a library caller's Config.Command): it also replaces the value that
// follows a flag naming a secret (--probe-token T). Use it on command
// lines only: in prose, the word after "--probe-token" is no secret.
func Command(cmd string) string {
	cmd = Text(cmd)
	if !strings.Contains(cmd, "-") {
		return cmd
	}
	return replaceSubmatch(flagValue, cmd, func(m []string) string {
		if m[2] == Mark || strings.HasPrefix(m[2], "-") {
			return m[0]
		}
		return m[1] + Mark
	})
}
