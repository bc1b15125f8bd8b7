package main

import (
	"flag"

	"github.com/nats-io/nats.go"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/engine/natsfleet"
)

// NATSTokenEnv is the environment variable read for --nats-token, so
// the token need not appear in ps.
const NATSTokenEnv = "SOAK_NATS_TOKEN"

// natsFlags are the NATS connection's settings, passed through to the
// client (natsfleet.ConnectOptions): the same for the coordinator
// (soak run --workers), soak worker and soak report --nats.
type natsFlags struct {
	creds, nkey, ca, cert, key string
	token                      flagx.Secret
}

func (n *natsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&n.creds, "nats-creds", "", "")
	fs.StringVar(&n.nkey, "nats-nkey", "", "")
	fs.Var(&n.token, "nats-token", "")
	fs.StringVar(&n.ca, "nats-ca", "", "")
	fs.StringVar(&n.cert, "nats-cert", "", "")
	fs.StringVar(&n.key, "nats-key", "", "")
}

// natsFlagsUsage documents natsFlags, for the commands that take them.
const natsFlagsUsage = `NATS connection (the server needs JetStream: nats-server -js):
  --nats-creds FILE        a credentials file (user JWT and NKey seed)
  --nats-nkey FILE         a file holding an NKey seed
  --nats-token T           an authentication token; better from $SOAK_NATS_TOKEN, which keeps it
                           out of ps. A user and password go in the URL. Never printed or saved.
  --nats-ca FILE           PEM certificate authorities to trust (tls:// URLs)
  --nats-cert FILE, --nats-key FILE
                           a client certificate and its key, for servers that verify clients
`

// connect connects to rawURL as name, with the flags' settings and the
// token from the environment when --nats-token is not given. Errors
// never hold the URL's password or the token.
func (n *natsFlags) connect(rawURL, name string, getenv func(string) string) (*nats.Conn, error) {
	if !n.token.IsSet {
		if tok := getenv(NATSTokenEnv); tok != "" {
			n.token.SetValue(tok)
		}
	}
	if (n.cert == "") != (n.key == "") {
		return nil, usagef("--nats-cert and --nats-key go together: a client certificate and its key")
	}
	return natsfleet.Connect(rawURL, natsfleet.ConnectOptions{Name: name, Creds: n.creds, NKey: n.nkey,
		Token: n.token.Value(), CA: n.ca, Cert: n.cert, Key: n.key})
}
