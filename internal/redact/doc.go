// Package redact is soak's one definition of removing secrets from text:
// every output soak writes (run.json, probe.jsonl, the reports, CSVs,
// logs, the live view, error messages) and the text the probe serves go
// through it, so a secret is recognised the same way wherever it
// appears.
//
// It recognises
//   - URL userinfo: postgres://u:PW@h (the password), nats://TOKEN@h (a
//     NATS URL's user name alone is a token);
//   - secrets in a URL's query: ?password=PW, sslpassword, token,
//     access_token, api_key, secret, ...;
//   - key/value DSNs (libpq and go-redis forms): password=PW,
//     password = 'p w', "password": "PW";
//   - Authorization header values and bearer tokens: Authorization:
//     Bearer T, Bearer T;
//   - command-line flags carrying secrets: --probe-token T, --token=T,
//     --nats-token T.
//
// It replaces values, never the words around them: prose that merely
// names a secret ("send the probe's token in the Authorization header")
// is left as it is. Functions are pure and safe for concurrent use.
package redact
