package label

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkServerReadsLabels is what soak's labels cost the service under
// test to read: net/http's server reading a request from the wire
// (http.ReadRequest, as its connection loop does) without the labels
// ("bare") and with the labels the engine sends ("labels", which also runs
// Parse on them as the middleware would: ~70 ns). Run it with
//
//	go test -run '^$' -bench ServerReadsLabels -benchtime 500000x -count 5 ./probe/label
func BenchmarkServerReadsLabels(b *testing.B) {
	const head = "GET /api/stories/dragon-tale HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
	var labelled bytes.Buffer
	labelled.WriteString(head)
	h := http.Header{}
	h.Set(Header, Set{Run: "20261206T113011Z-b781", Class: "AuthenticatedUser", User: "17", Request: "/api/stories/[slug]"}.Value())
	if err := h.Write(&labelled); err != nil {
		b.Fatal(err)
	}
	labelled.WriteString("\r\n")
	for _, c := range []struct{ name, wire string }{{"bare", head + "\r\n"}, {"labels", labelled.String()}} {
		b.Run(c.name, func(b *testing.B) {
			r := strings.NewReader(c.wire)
			br := bufio.NewReader(r)
			b.ReportAllocs()
			for b.Loop() {
				r.Reset(c.wire)
				br.Reset(r)
				req, err := http.ReadRequest(br)
				if err != nil {
					b.Fatal(err)
				}
				if c.name == "labels" && Parse(req.Header).IsZero() {
					b.Fatal("no labels read")
				}
			}
		})
	}
}
