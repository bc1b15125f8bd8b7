package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/soaklab/soak/engine/capture"
	"github.com/soaklab/soak/internal/redact"
)

// poller polls every source and captures profiles and leak reports into a
// Capture, writing each to the RecordWriter as it comes. While the load
// runs, pollAll is called from the poll loop and captureAt from the
// capture goroutine beside it (see orchestrator.captureOnTime); each of
// them from one goroutine at a time.
type poller struct {
	cfg *Config
	mu  sync.Mutex // guards cap and recordErr
	cap *capture.Capture
	// recordErr is the first error writing the record, reported once.
	recordErr error
	// warn raises early warnings from the samples (set by Soak).
	warn *warner
}

// pollAll polls every source concurrently, each bounded by PollTimeout,
// and adds the samples in source order.
func (p *poller) pollAll(ctx context.Context, phase capture.Phase) []*capture.Sample {
	out := make([]*capture.Sample, len(p.cfg.Sources))
	var wg sync.WaitGroup
	for i, src := range p.cfg.Sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = p.pollOne(ctx, src, phase)
		}()
	}
	wg.Wait()
	for i, s := range out {
		p.add(s)
		if p.warn != nil {
			p.warn.sample(ctx, p.cfg.Sources[i], s)
		}
	}
	return out
}

func (p *poller) pollOne(ctx context.Context, src Source, phase capture.Phase) *capture.Sample {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.PollTimeout)
	defer cancel()
	t0 := time.Now()
	snap, err := src.Snapshot(ctx)
	s := &capture.Sample{Source: src.Name(), Time: time.Now(), Phase: phase, RTT: time.Since(t0)}
	switch {
	case err != nil:
		s.Error = cleanError(err)
	case snap == nil:
		s.Error = "no snapshot"
	default:
		s.Snapshot = snap
	}
	return s
}

func (p *poller) add(s *capture.Sample) {
	p.mu.Lock()
	p.cap.Timeline.Add(s)
	p.mu.Unlock()
	if p.cfg.OnSample != nil {
		p.cfg.OnSample(s)
	}
	if p.cfg.Record != nil {
		p.record(p.cfg.Record.Sample(s))
	}
}

func (p *poller) record(err error) {
	if err == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.recordErr == nil {
		p.recordErr = fmt.Errorf("runner: recording the capture: %w", err)
	}
}

// phaseStart records, as it happens, that phase p started at start: a
// run killed within the phase still has it on disk.
func (p *poller) phaseStart(ph capture.Phase, start time.Time) {
	if p.cfg.Record != nil {
		p.record(p.cfg.Record.PhaseStart(ph, start))
	}
}

// phase records a finished phase.
func (p *poller) phase(s capture.Span) {
	p.mu.Lock()
	p.cap.Timing = append(p.cap.Timing, s)
	p.mu.Unlock()
	if p.cfg.Record != nil {
		p.record(p.cfg.Record.Phase(s))
	}
}

// captureAt takes, from every source, the profiles of kinds and (when
// leaks is set) a leak report, for moment m.
func (p *poller) captureAt(ctx context.Context, m capture.Moment, leaks bool, kinds ...string) {
	for _, src := range p.cfg.Sources {
		for _, k := range kinds {
			p.profile(ctx, src, k, m)
		}
		if leaks {
			p.leaks(ctx, src, m)
		}
	}
}

func (p *poller) profile(ctx context.Context, src Source, kind string, m capture.Moment) {
	ctx, cancel := context.WithTimeout(ctx, max(p.cfg.PollTimeout, 10*time.Second))
	defer cancel()
	pr := capture.Profile{Source: src.Name(), Kind: kind, Moment: m}
	data, err := src.Profile(ctx, kind)
	pr.Time = time.Now()
	switch {
	case err != nil:
		pr.Error = cleanError(err)
	case len(data) == 0:
		pr.Error = "empty profile"
	default:
		pr.Data = data
		if p.cfg.Dir != "" {
			pr.Path, err = saveProfile(p.cfg.Dir, &pr)
			if err != nil {
				pr.Error = err.Error()
			}
		}
	}
	p.mu.Lock()
	p.cap.Profiles = append(p.cap.Profiles, pr)
	p.mu.Unlock()
	if p.cfg.Record != nil && (pr.Path != "" || pr.Error != "") {
		p.record(p.cfg.Record.Profile(&pr))
	}
}

func (p *poller) leaks(ctx context.Context, src Source, m capture.Moment) {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.PollTimeout)
	defer cancel()
	lc := capture.LeakCapture{Source: src.Name(), Moment: m}
	rep, err := src.Leaks(ctx)
	lc.Time = time.Now()
	if err != nil {
		lc.Error = cleanError(err)
	} else if rep == nil {
		lc.Error = "no leak report"
	} else {
		lc.Report = rep
	}
	p.mu.Lock()
	p.cap.Leaks = append(p.cap.Leaks, lc)
	p.mu.Unlock()
	if p.cfg.Record != nil {
		p.record(p.cfg.Record.Leaks(&lc))
	}
}

func saveProfile(dir string, pr *capture.Profile) (string, error) {
	rel := capture.ProfilePath(pr.Source, pr.Kind, pr.Moment)
	full := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return "", fmt.Errorf("runner: saving profile: %w", err)
	}
	if err := os.WriteFile(full, pr.Data, 0o644); err != nil {
		return "", fmt.Errorf("runner: saving profile: %w", err)
	}
	return rel, nil
}

// cleanError is err's message without secrets, and "timed out" for a
// deadline.
func cleanError(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out: " + redact.Error(err)
	}
	return redact.Error(err)
}
