package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// hub fans the events out to the viewers. Guarded by Server.mu.
type hub struct {
	history [][]byte          // interval, sample, phase and note events, oldest first, at most maxHistory
	latest  map[string][]byte // the last "start", "endpoints" and "done" events: a late viewer needs only those
	viewers map[*viewer]struct{}
}

// viewer is one event stream; q is closed when it must end (too slow,
// or the server closing).
type viewer struct {
	q chan []byte
}

func (h *hub) init() {
	h.latest = map[string][]byte{}
	h.viewers = map[*viewer]struct{}{}
}

// kept are the event kinds a late viewer is sent as their last value only.
var kept = []string{"start", "endpoints", "done"}

// event encodes one SSE event.
func event(kind string, v any) []byte {
	var b bytes.Buffer
	b.WriteString("event: ")
	b.WriteString(kind)
	b.WriteString("\ndata: ")
	json.NewEncoder(&b).Encode(v) // ends the line; the values are plain data
	b.WriteString("\n")
	return b.Bytes()
}

// publish sends an event to every viewer, never waiting: a viewer whose
// queue is full is disconnected.
func (s *Server) publish(kind string, v any) {
	b := event(kind, v)
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &s.hub
	if isKept(kind) {
		h.latest[kind] = b
	} else {
		if len(h.history) == maxHistory {
			copy(h.history, h.history[1:])
			h.history = h.history[:maxHistory-1]
		}
		h.history = append(h.history, b)
	}
	for v := range h.viewers {
		select {
		case v.q <- b:
		default:
			delete(h.viewers, v)
			close(v.q)
		}
	}
}

func isKept(kind string) bool {
	for _, k := range kept {
		if k == kind {
			return true
		}
	}
	return false
}

// note publishes a line for the page's log.
func (s *Server) note(msg string) {
	s.publish("note", struct {
		Time time.Time `json:"time"`
		Text string    `json:"text"`
	}{time.Now(), msg})
}

// serveEvents streams the events: the history so far, then each as it
// comes.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	s.mu.Lock()
	if len(s.hub.viewers) >= s.cfg.MaxViewers {
		s.mu.Unlock()
		http.Error(w, "web: too many viewers", http.StatusServiceUnavailable)
		return
	}
	v := &viewer{q: make(chan []byte, viewerQueue)}
	var first [][]byte
	if b, ok := s.hub.latest["start"]; ok {
		first = append(first, b)
	}
	first = append(first, s.hub.history...) // the slices are never modified: sharing them is safe
	for _, k := range kept[1:] {
		if b, ok := s.hub.latest[k]; ok {
			first = append(first, b)
		}
	}
	s.hub.viewers[v] = struct{}{}
	s.viewers++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if _, ok := s.hub.viewers[v]; ok {
			delete(s.hub.viewers, v)
			close(v.q)
		}
		s.viewers--
		s.mu.Unlock()
	}()

	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	write := func(b []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		_, err := w.Write(b)
		return err == nil
	}
	w.WriteHeader(http.StatusOK)
	if !write([]byte("retry: 2000\n\n")) {
		return
	}
	for _, b := range first {
		if !write(b) {
			return
		}
	}
	if rc.Flush() != nil {
		return
	}
	ka := time.NewTicker(keepAlive)
	defer ka.Stop()
	for {
		select {
		case b, ok := <-v.q:
			if !ok {
				return // too slow, or closing: the browser reconnects
			}
			if !write(b) {
				return
			}
		case <-ka.C:
			if !write([]byte(": keep-alive\n\n")) {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
		if rc.Flush() != nil {
			return
		}
	}
}
