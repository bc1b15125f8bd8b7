// Package loopback decides whether a host is this machine's loopback, the
// one rule behind soak's safety promises: load goes only to loopback
// unless the user allows a remote host, the probe's admin endpoint
// listens on loopback unless a token guards it, and tests and the demo
// listen and dial nowhere else.
//
//	u, err := url.Parse(target)
//	if err != nil {
//		return err
//	}
//	if !loopback.Host(u.Hostname()) {
//		return fmt.Errorf("%s is not loopback", u.Hostname())
//	}
//
// Host is a pure function of its argument: it resolves no name and is
// safe for concurrent use.
package loopback
