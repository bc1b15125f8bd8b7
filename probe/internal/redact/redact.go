// Package redact removes secrets from the text the probe serves: errors
// and configuration values that may quote a connection string or a
// token. The probe core and its integrations share it, so that a message
// is cleaned the same way wherever it comes from.
package redact

import (
	"regexp"
	"strings"
)

// Mark replaces what is removed.
const Mark = "[redacted]"

var (
	urlPassword = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@`)
	kvPassword  = regexp.MustCompile(`(?i)(password|passwd|pwd|token|secret|sslpassword)(\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s&;,]*)`)
	bearer      = regexp.MustCompile(`(?i)\b(bearer\s+)[^\s"',;]+`)
)

// Secrets removes passwords from URLs ("postgres://u:pw@h"), key=value
// fragments ("password=pw") and bearer tokens in s.
func Secrets(s string) string {
	if !strings.ContainsAny(s, "=:") && !strings.Contains(strings.ToLower(s), "bearer") {
		return s
	}
	s = urlPassword.ReplaceAllString(s, "${1}"+Mark+"@")
	s = kvPassword.ReplaceAllString(s, "${1}${2}"+Mark)
	return bearer.ReplaceAllString(s, "${1}"+Mark)
}

// Error returns err's message without surrounding space and without
// secrets; "" for nil.
func Error(err error) string {
	if err == nil {
		return ""
	}
	return Secrets(strings.TrimSpace(err.Error()))
}
