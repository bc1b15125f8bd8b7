package natsfleet

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/soaklab/soak/internal/redact"
)

// ConnectOptions are the settings of a NATS connection that a command
// line passes through: credentials, token, TLS. The zero value connects
// without authentication, in plain text.
type ConnectOptions struct {
	// Name is the connection's name, shown by the server (nats-server's
	// connz). Empty means "soak".
	Name string
	// Creds is a credentials file (a user JWT and its NKey seed), as NGS
	// and operator-mode servers issue them.
	Creds string
	// NKey is a file holding an NKey seed.
	NKey string
	// Token is an authentication token. A user and password go in the
	// URL (nats://user:password@host:4222).
	Token string
	// CA is a PEM file of the certificate authorities to trust (tls://
	// URLs, or servers that require TLS).
	CA string
	// Cert and Key are a client certificate and its key, PEM files, for
	// servers that verify clients (mutual TLS).
	Cert, Key string
	// Timeout bounds connecting. Zero means 5 s.
	Timeout time.Duration
}

// Connect connects to the NATS server(s) at rawURL (comma-separated
// URLs for a cluster) with o. The connection reconnects without end
// (a worker cut off for a while carries on), buffering what it
// publishes meanwhile. Errors never hold the URL's password or token.
func Connect(rawURL string, o ConnectOptions) (*nats.Conn, error) {
	opts := []nats.Option{nats.Name(o.Name), nats.MaxReconnects(-1), nats.ReconnectWait(500 * time.Millisecond),
		nats.Timeout(o.Timeout)}
	if o.Name == "" {
		opts[0] = nats.Name("soak")
	}
	if o.Timeout == 0 {
		opts[3] = nats.Timeout(5 * time.Second)
	}
	if o.Creds != "" {
		opts = append(opts, nats.UserCredentials(o.Creds))
	}
	if o.NKey != "" {
		opt, err := nats.NkeyOptionFromSeed(o.NKey)
		if err != nil {
			return nil, fmt.Errorf("natsfleet: nkey seed file %s: %w", o.NKey, err)
		}
		opts = append(opts, opt)
	}
	if o.Token != "" {
		opts = append(opts, nats.Token(o.Token))
	}
	if o.CA != "" {
		opts = append(opts, nats.RootCAs(o.CA))
	}
	if o.Cert != "" || o.Key != "" {
		if o.Cert == "" || o.Key == "" {
			return nil, fmt.Errorf("%w: a client certificate needs both its certificate and its key", ErrConfig)
		}
		opts = append(opts, nats.ClientCert(o.Cert, o.Key))
	}
	nc, err := nats.Connect(rawURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("natsfleet: connecting to %s: %s", Redact(rawURL), redactErr(err, rawURL, o.Token))
	}
	return nc, nil
}

// Redact returns a NATS URL (or a comma-separated list) without its
// secrets: a password becomes REDACTED, and so does a user name alone,
// which NATS reads as a token (nats://TOKEN@host). It is [redact.URL].
func Redact(rawURL string) string { return redact.URL(rawURL) }

// redactErr is err's text with whatever secret of rawURL or the token
// it might quote replaced: the known values first (an error may quote a
// password alone), then whatever redact.Text recognises.
func redactErr(err error, rawURL, token string) string {
	var known []string
	for _, p := range strings.Split(rawURL, ",") {
		if u, perr := url.Parse(strings.TrimSpace(p)); perr == nil && u.User != nil {
			if pw, has := u.User.Password(); has && pw != "" {
				known = append(known, pw)
			} else if name := u.User.Username(); name != "" {
				known = append(known, name)
			}
		}
	}
	return redact.Values(err.Error(), append(known, token)...)
}
