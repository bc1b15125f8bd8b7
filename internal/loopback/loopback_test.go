package loopback

import (
	"net"
	"strings"
	"testing"
)

func TestHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "localhost.": true, "api.localhost": true, "a.b.LOCALHOST.": true,
		"127.0.0.1": true, "127.1.2.3": true, "127.255.255.255": true, "::1": true, "[::1]": true,
		"::ffff:127.0.0.1": true, "[::ffff:127.0.0.2]": true, "0:0:0:0:0:0:0:1": true,
		"": false, ".": false, "localhost.example.com": false, "notlocalhost": false, "mylocalhost": false,
		"example.com": false, "10.0.0.1": false, "128.0.0.1": false, "0.0.0.0": false, "::": false,
		"::ffff:10.0.0.1": false, "fe80::1": false, "::1%lo": false, "[::1%25lo]": false, "127.0.0.1:80": false,
		"[127.0.0.1]x": false, "127.0.0.01": false, "2130706433": false, "0x7f.1": false,
	} {
		if got := Host(host); got != want {
			t.Errorf("Host(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestAddr(t *testing.T) {
	for _, c := range []struct {
		a    net.Addr
		want bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, true},
		{&net.TCPAddr{IP: net.IPv6loopback}, true},
		{&net.UDPAddr{IP: net.IPv4(127, 0, 0, 53)}, true},
		{&net.TCPAddr{IP: net.IPv4(10, 0, 0, 1)}, false},
		{&net.TCPAddr{IP: net.IPv4zero}, false},
		{&net.TCPAddr{IP: net.IPv6loopback, Zone: "lo"}, false},
		{&net.UnixAddr{Name: "/tmp/s", Net: "unix"}, false},
		{(*net.TCPAddr)(nil), false},
		{nil, false},
	} {
		if got := Addr(c.a); got != c.want {
			t.Errorf("Addr(%v) = %v, want %v", c.a, got, c.want)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if !Addr(ln.Addr()) {
		t.Errorf("a listener on 127.0.0.1 is not loopback: %v", ln.Addr())
	}
}

func FuzzHost(f *testing.F) {
	for _, s := range []string{"localhost", "127.0.0.1", "[::1]", "::ffff:127.0.0.1", "example.com", "x.localhost."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		if !Host(host) {
			return
		}
		// Whatever Host accepts is a loopback IP or a .localhost name.
		h := strings.TrimSuffix(strings.ToLower(host), ".")
		if h == "localhost" || strings.HasSuffix(h, ".localhost") {
			return
		}
		ip := net.ParseIP(strings.Trim(h, "[]"))
		if ip == nil || !ip.IsLoopback() {
			t.Fatalf("Host(%q) accepted a non-loopback host", host)
		}
	})
}
