package loopback

import (
	"net"
	"net/netip"
	"strings"
)

// Host reports whether host names this machine's loopback. host is a name
// or an IP address without a port, as url.URL.Hostname or
// net.SplitHostPort return it (IPv6 brackets are accepted too).
//
// Loopback is:
//   - "localhost" and every name under ".localhost" ("api.localhost"),
//     which RFC 6761 reserves for the loopback, in any case and with or
//     without the root's trailing dot ("LOCALHOST.");
//   - an IPv4 address in 127.0.0.0/8, ::1, and 127.0.0.0/8 written as an
//     IPv4-mapped IPv6 address (::ffff:127.0.0.1).
//
// Nothing else is: other names are not resolved (a name that resolves to
// 127.0.0.1 today may not tomorrow), and neither the unspecified
// addresses (0.0.0.0, ::, which listen on every interface), an address
// with an IPv6 zone, nor an empty host count. A caller that then dials or
// listens on a name should check the address it got as well
// (net.Listener.Addr, net.Conn.RemoteAddr) with Addr.
func Host(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return false
	}
	return ip.Unmap().IsLoopback()
}

// Addr reports whether a of a listener or connection is a loopback
// address: a *net.TCPAddr or *net.UDPAddr whose IP is loopback, as [Host]
// says. Any other kind of address (a Unix socket, nil) is not.
func Addr(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a != nil && a.Zone == "" && Host(a.IP.String())
	case *net.UDPAddr:
		return a != nil && a.Zone == "" && Host(a.IP.String())
	}
	return false
}
