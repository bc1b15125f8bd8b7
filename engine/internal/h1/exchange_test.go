package h1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// rawServer accepts connections on loopback and hands each to serve, on
// a goroutine of its own; the cleanup closes the listener and every
// connection, and waits for the goroutines. It returns the address and
// the count of accepted connections.
func rawServer(t *testing.T, serve func(c net.Conn, br *bufio.Reader)) (string, *atomic.Int64) {
	return rawServerF(t, serve)
}

func rawServerF(t testing.TB, serve func(c net.Conn, br *bufio.Reader)) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		open  []net.Conn
		conns atomic.Int64
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serve(c, bufio.NewReader(c))
			}()
		}
	}()
	return ln.Addr().String(), &conns
}

// readRequest reads one request's head (and a Content-Length body); it
// reports false at the end of the connection.
func readRequest(br *bufio.Reader) bool {
	n := 0
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return false
		}
		if line == "\r\n" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Content-Length") {
			n, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	_, err := io.CopyN(io.Discard, br, int64(n))
	return err == nil
}

// roundTrips sends n GETs of path on c, each expected to succeed.
func roundTrips(t *testing.T, c *Conn, n int, r *Response) {
	t.Helper()
	for i := range n {
		if err := c.RoundTrip(context.Background(), request(c.Addr, "/x"), false, true, 0, deadline(), 1<<20, r); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

// A response written a few bytes at a time, with pauses that make each
// piece its own segment, and interim 1xx responses before it, parse as
// one response whether the exchange or the plain path reads them.
func TestExchangePiecemealResponses(t *testing.T) {
	pieces := []string{
		"HTTP/1.1 100 Continue\r\n\r\n",
		"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n",
		"HTTP/1.1 2", "00 OK\r\nTransfer-", "Encoding: chunked\r\nX-A: 1\r\n\r\n",
		"5\r\nhel", "lo\r\n", "6\r\n world\r\n", "0\r\nTrailer: x\r\n", "\r\n",
	}
	addr, conns := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		for readRequest(br) {
			for _, p := range pieces {
				if _, err := c.Write([]byte(p)); err != nil {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}
	})
	c := &Conn{Addr: addr, KeepAlive: true}
	defer c.Close()
	var r Response
	for i := range 5 {
		roundTrips(t, c, 1, &r)
		if r.Status != 200 || string(r.Body) != "hello world" || r.Bytes != 11 || r.Close || string(r.Head) != "Transfer-Encoding: chunked\r\nX-A: 1\r\n" {
			t.Fatalf("request %d: %d %q %d close=%v head %q", i, r.Status, r.Body, r.Bytes, r.Close, r.Head)
		}
	}
	if conns.Load() != 1 || c.exchanges == 0 {
		t.Fatalf("%d connections, %d requests by the exchange", conns.Load(), c.exchanges)
	}
}

// Back-to-back requests (the exchange's case) on a server that closes each
// connection after a few responses, with or without saying so: every
// request succeeds, on as many connections as the limit makes.
func TestExchangeKeepAliveLimit(t *testing.T) {
	const limit, requests = 3, 20
	for _, announce := range []bool{false, true} {
		t.Run("announced="+strconv.FormatBool(announce), func(t *testing.T) {
			var served atomic.Int64
			addr, conns := rawServer(t, func(c net.Conn, br *bufio.Reader) {
				for i := 1; i <= limit && readRequest(br); i++ {
					head := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
					if announce && i == limit {
						head += "Connection: close\r\n"
					}
					served.Add(1)
					if _, err := c.Write([]byte(head + "\r\nok")); err != nil {
						return
					}
				}
			})
			c := &Conn{Addr: addr, KeepAlive: true}
			defer c.Close()
			var r Response
			roundTrips(t, c, requests, &r)
			if want := int64((requests + limit - 1) / limit); conns.Load() < want || served.Load() != requests || c.exchanges == 0 {
				t.Fatalf("%d connections (want at least %d), %d served, %d by the exchange", conns.Load(), want, served.Load(), c.exchanges)
			}
		})
	}
}

// A request larger than the socket takes without blocking is finished by
// the connection's Write, and its response read as usual.
func TestExchangeLargeRequest(t *testing.T) {
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Write([]byte(strconv.FormatInt(n, 10)))
	})
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &Conn{Addr: host, KeepAlive: true}
	defer c.Close()
	body := bytes.Repeat([]byte("x"), 16<<20)
	req := append([]byte("POST /big HTTP/1.1\r\nHost: "+host+"\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n"), body...)
	var r Response
	for i := range 3 {
		if err := c.RoundTrip(context.Background(), req, false, false, 0, deadline(), 1<<20, &r); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if r.Status != 200 || string(r.Body) != strconv.Itoa(len(body)) {
			t.Fatalf("request %d: %d %q", i, r.Status, r.Body)
		}
	}
	if c.exchanges == 0 {
		t.Fatal("no request by the exchange")
	}
}

// A server that reads a request and closes without an answer gives EOF; one
// that resets gives ECONNRESET; a request that may not be retried is not.
func TestExchangeServerCloses(t *testing.T) {
	for _, reset := range []bool{false, true} {
		t.Run("reset="+strconv.FormatBool(reset), func(t *testing.T) {
			var n atomic.Int64
			addr, _ := rawServer(t, func(c net.Conn, br *bufio.Reader) {
				for readRequest(br) {
					if n.Add(1) == 3 {
						if reset {
							_ = c.(*net.TCPConn).SetLinger(0)
						}
						return
					}
					if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")); err != nil {
						return
					}
				}
			})
			c := &Conn{Addr: addr, KeepAlive: true}
			defer c.Close()
			var r Response
			roundTrips(t, c, 2, &r)
			err := c.RoundTrip(context.Background(), request(addr, "/x"), false, false, 0, deadline(), 1<<20, &r)
			want := error(io.EOF)
			if reset {
				want = syscall.ECONNRESET
			}
			if !errors.Is(err, want) && !(reset && errors.Is(err, io.EOF)) {
				t.Fatalf("got %v, want %v", err, want)
			}
		})
	}
}

// A refused connection is reported as such.
func TestRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := &Conn{Addr: addr, KeepAlive: true}
	defer c.Close()
	var r Response
	if err := c.RoundTrip(context.Background(), request(addr, "/x"), false, true, 0, deadline(), 1<<20, &r); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("got %v", err)
	}
}

// The exchange and the plain path send the same bytes and read the same
// responses: the same requests on two connections, one with the exchange
// turned off, give the same statuses, bodies, byte counts, truncation and
// headers, and the server sees the same requests.
func TestExchangeMatchesPlainPath(t *testing.T) {
	var seen sync.Map
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.Path+" "+r.Header.Get("X-Mode"), r.Header.Get("X-N"))
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		w.Header().Set("Set-Cookie", "a=b")
		w.WriteHeader(200 + n%3)
		if n%4 == 1 {
			w.(http.Flusher).Flush() // a chunked body
		}
		w.Write(bytes.Repeat([]byte("y"), n*100))
	})
	host := strings.TrimPrefix(srv.URL, "http://")
	type result struct {
		status          int
		body, head      string
		bytes           int64
		truncated, sets bool
	}
	var results [2][]result
	for mode, plain := range []bool{false, true} {
		c := &Conn{Addr: host, KeepAlive: true, plain: plain}
		var r Response
		for i := range 50 {
			path := "/p" + strconv.Itoa(i) + "?n=" + strconv.Itoa(i)
			req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-N: " + strconv.Itoa(i) + "\r\nX-Mode: " + strconv.FormatBool(plain) + "\r\n\r\n")
			if err := c.RoundTrip(context.Background(), req, false, true, 0, deadline(), 2000, &r); err != nil {
				t.Fatal(err)
			}
			head := regexpDate.ReplaceAllString(string(r.Head), "Date: -")
			results[mode] = append(results[mode], result{r.Status, string(r.Body), head, r.Bytes, r.Truncated, r.SetCookie})
			if v, _ := seen.Load("/p" + strconv.Itoa(i) + " " + strconv.FormatBool(plain)); v != strconv.Itoa(i) {
				t.Fatalf("request %d: the server saw X-N %v", i, v)
			}
		}
		if (c.exchanges > 0) == plain {
			t.Fatalf("plain=%v: %d requests by the exchange", plain, c.exchanges)
		}
		c.Close()
	}
	for i := range results[0] {
		if results[0][i] != results[1][i] {
			a, b := results[0][i], results[1][i]
			t.Fatalf("request %d: exchange %d %d %v %q, plain %d %d %v %q", i, a.status, a.bytes, a.truncated, a.head, b.status, b.bytes, b.truncated, b.head)
		}
	}
	if r := results[0][49]; r.status != 201 || r.bytes != 4900 || len(r.body) != 2000 || !r.truncated || !r.sets {
		t.Fatalf("last response: %d, %d bytes kept of %d, truncated %v, Set-Cookie %v", r.status, len(r.body), r.bytes, r.truncated, r.sets)
	}
}

var regexpDate = regexp.MustCompile(`Date: [^\r]*`)

// A server that shuts its side of an idle connection and goes on reading
// (a lingering close) announces it with a FIN that nobody is waiting for:
// the request after the pause takes the plain path, whose read finds the
// EOF, and is retried on a fresh connection rather than waiting out its
// deadline.
func TestIdleConnectionHalfClosed(t *testing.T) {
	addr, conns := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		if !readRequest(br) {
			return
		}
		if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")); err != nil {
			return
		}
		_ = c.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, br) // until the client closes
	})
	c := &Conn{Addr: addr, KeepAlive: true}
	defer c.Close()
	var r Response
	for i := range 3 {
		last := time.Now()
		time.Sleep(2 * ExchangeIdle) // the FIN arrives while the connection is idle
		err := c.RoundTrip(context.Background(), request(addr, "/x"), false, true, time.Since(last), time.Now().Add(time.Minute), 1<<20, &r)
		if err != nil || r.Status != 200 {
			t.Fatalf("request %d: %d %v", i, r.Status, err)
		}
	}
	if conns.Load() != 3 {
		t.Fatalf("%d connections for 3 requests, each after the server's close", conns.Load())
	}
}

// Whatever a server answers, and however its bytes are split into
// writes, the exchange gives the parser the same bytes as a plain reader:
// the same status, body, byte count and framing, or an error for both.
// Each input is the second response on a connection (so the exchange
// sends its request), written in pieces of split bytes.
func FuzzExchange(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", uint8(3))
	f.Add("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", uint8(7))
	f.Add("HTTP/1.0 404 Not Found\r\nConnection: keep-alive\r\n\r\nbody", uint8(0))
	f.Add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", uint8(1))
	f.Add("", uint8(1))
	var current atomic.Value // the input being served: a *fuzzInput
	addr, _ := rawServerF(f, func(c net.Conn, br *bufio.Reader) {
		if !readRequest(br) {
			return
		}
		if _, err := c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")); err != nil || !readRequest(br) {
			return
		}
		in := current.Load().(*fuzzInput)
		for rest := in.raw; len(rest) > 0; {
			n := min(len(rest), int(in.split)+1)
			if _, err := c.Write(rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
		}
		_ = c.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, br)
	})
	f.Fuzz(func(t *testing.T, raw string, split uint8) {
		if len(raw) > 4096 {
			return
		}
		current.Store(&fuzzInput{raw: []byte(raw), split: split})
		var want Response
		wantErr := ReadResponse(bufio.NewReader(strings.NewReader(raw)), false, 32, &want)
		c := &Conn{Addr: addr, KeepAlive: true}
		defer c.Close()
		var got Response
		roundTrips(t, c, 1, &got)
		err := c.RoundTrip(context.Background(), request(addr, "/x"), false, false, 0, deadline(), 32, &got)
		if c.exchanges != 1 {
			t.Fatalf("%d requests by the exchange", c.exchanges)
		}
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("exchange error %v, plain reader error %v", err, wantErr)
		}
		if err == nil && (got.Status != want.Status || string(got.Body) != string(want.Body) || got.Bytes != want.Bytes ||
			got.Truncated != want.Truncated || string(got.Head) != string(want.Head)) {
			t.Fatalf("exchange %d %q %d, plain reader %d %q %d", got.Status, got.Body, got.Bytes, want.Status, want.Body, want.Bytes)
		}
	})
}

type fuzzInput struct {
	raw   []byte
	split uint8
}
