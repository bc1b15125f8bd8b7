package redact

import "strings"

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
