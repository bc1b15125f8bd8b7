package demo

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// whisperQueueLen bounds the jobs waiting for a whisper worker.
const whisperQueueLen = 256

// whisperPool delivers whispers in the background: a worker raises the
// trending score of the story a whisper is about. Its workers start on the
// first whisper, not at startup, and then stay: the goroutine count steps
// up once and stays flat, which a leak detector must not call a leak.
// Safe for concurrent use.
type whisperPool struct {
	store   store
	workers int
	log     *slog.Logger

	mu      sync.Mutex
	started bool
	closed  bool
	jobs    chan string // slugs of the stories whispered about, or ""
	stop    chan struct{}
	wg      sync.WaitGroup
}

func newWhisperPool(s store, workers int, log *slog.Logger) *whisperPool {
	return &whisperPool{store: s, workers: workers, log: log, stop: make(chan struct{})}
}

// enqueue hands a delivery to the workers, starting them on first use. It
// waits while the queue is full, until ctx ends; after close it returns
// ErrClosed.
func (p *whisperPool) enqueue(ctx context.Context, slug string) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return ErrClosed
	}
	if !p.started {
		p.started = true
		p.jobs = make(chan string, whisperQueueLen)
		p.wg.Add(p.workers)
		for range p.workers {
			go p.deliverWhispers()
		}
	}
	jobs := p.jobs
	p.mu.Unlock()
	select {
	case jobs <- slug:
		return nil
	case <-p.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// running returns how many workers are running (0 before the first
// whisper).
func (p *whisperPool) running() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started && !p.closed {
		return p.workers
	}
	return 0
}

// deliverWhispers is a worker's loop.
func (p *whisperPool) deliverWhispers() {
	defer p.wg.Done()
	for {
		select {
		case <-p.stop:
			return
		case slug := <-p.jobs:
			if slug == "" {
				continue // a whisper about no story changes no score
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := p.store.bumpScore(ctx, slug, 1); err != nil {
				p.log.Warn("demo: whisper delivery failed", "story", slug, "err", err)
			}
			cancel()
		}
	}
}

// close stops the workers and waits for them; queued deliveries are
// dropped.
func (p *whisperPool) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	close(p.stop)
	p.wg.Wait()
}
