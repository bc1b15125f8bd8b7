// Package h1 is soak's lean HTTP/1.1 keep-alive client: one connection,
// one request at a time, requests written as prepared bytes, responses
// parsed in place with no allocation once the buffers have grown. It is
// the engine's hot path (see docs/performance.md); net/http serves TLS and
// HTTP/2.
//
// A request that follows the previous one at once on a kept-alive
// connection (idle under ExchangeIdle, 1 ms) goes by the exchange
// (exchange.go): written from inside syscall.RawConn.Read's callback, so
// that the goroutine parks in Go's netpoller once and reads its response
// with one read, instead of a write, a read that finds nothing (EAGAIN),
// the park, and a second read. Other requests take the plain Write and
// Read.
//
//	c := &h1.Conn{Addr: "127.0.0.1:8000", DialTimeout: 10 * time.Second, KeepAlive: true}
//	defer c.Close()
//	var r h1.Response
//	req := []byte("GET /ok HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n")
//	// idle: time since this caller's previous RoundTrip returned (0: at once)
//	err := c.RoundTrip(ctx, req, false, true, 0, time.Now().Add(30*time.Second), 8<<20, &r)
//	// r.Status, r.Body (reused by the next RoundTrip), r.Bytes, r.Head
//
// Concurrency: a Conn serves one goroutine; Interrupt (abort one request,
// by its generation from Gen) and Shutdown (abort and refuse all) may be
// called from any goroutine. ReadResponse is the parser alone (fuzzed,
// and fuzzed again behind the exchange: FuzzExchange).
// Limits: 64 KB of headers, chunk-size lines of 4 KB, bodies kept up to
// the caller's maxBody and counted beyond; 101 and Transfer-Encoding other
// than chunked are refused as ErrProtocol.
package h1
