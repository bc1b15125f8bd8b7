package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/soaklab/soak/cmd/soak/internal/flagx"
	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/engine/scenario"
)

// cmdValidate checks scenario files. Its ctx is cancelled by the first
// Ctrl-C (cli.main), which stops the file being parsed: soak then exits
// 130 without checking the others.
func (c *cli) cmdValidate(ctx context.Context, args []string) (int, error) {
	fs := newFlagSet("validate")
	dataDirs := flagx.List{Max: maxDataDirs}
	fs.Var(&dataDirs, "data-dir", "")
	files, err := parse(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if len(files) == 0 {
		return exitUsage, usagef("no scenario file: soak validate FILE...")
	}
	if err := checkDataDirs(dataDirs.Values); err != nil {
		return exitUsage, err
	}
	bad := 0
	for _, f := range files {
		if isLocustfile(f) {
			lf := readLocustfile("", f)
			_, _ = c.stdout.Write(lf.sketch)
			fmt.Fprintf(c.stderr, "%v\n", lf)
			bad++
			continue
		}
		sc, err := scenario.LoadContext(ctx, f, scenario.LoadOptions{DataDirs: dataDirs.Values})
		if ctx.Err() != nil {
			return exitInterrupted, fmt.Errorf("interrupted while checking %s", f)
		}
		if err == nil {
			err = describe(c.stdout, sc)
		}
		if err != nil {
			bad++
			fmt.Fprintf(c.stderr, "%v\n", err)
		}
	}
	if bad > 0 {
		return exitUsage, fmt.Errorf("%d of %d scenario files have problems", bad, len(files))
	}
	return exitOK, nil
}

// describe writes what a valid scenario does.
func describe(w io.Writer, sc *scenario.Scenario) error {
	opts := scenario.Options{Handler: http.NotFoundHandler()} // compile without a host
	if sc.Load == nil {
		opts.Load = engine.Closed{Users: defaultUsers, SpawnRate: defaultSpawnRate}
	}
	if sc.Duration == 0 {
		opts.Duration = time.Hour
	}
	plan, err := sc.Plan(opts)
	if err != nil {
		return err
	}
	name := sc.Name
	if sc.Description != "" {
		name += ": " + sc.Description
	}
	fmt.Fprintf(w, "%s: valid: %s\n", sc.File, name)
	host := sc.Host
	if host == "" {
		host = "none (give --host)"
	}
	fmt.Fprintf(w, "  host: %s\n", host)
	load := "none (give --users or --rate; default 1 user)"
	if sc.Load != nil {
		load = describeLoad(sc.Load)
	}
	dur := "none (give --duration; default " + flagx.FormatDuration(defaultDuration) + ")"
	switch total := engine.StagesDuration(sc.Load); {
	case sc.Duration > 0:
		dur = flagx.FormatDuration(sc.Duration)
	case total > 0:
		dur = flagx.FormatDuration(total) + " (the stages' total)"
	}
	fmt.Fprintf(w, "  load: %s, duration: %s\n", load, dur)
	total := 0
	for _, cl := range plan.Classes {
		if cl.Fixed == 0 {
			total += cl.Weight
		}
	}
	for _, cl := range plan.Classes {
		share := fmt.Sprintf("fixed %d users", cl.Fixed)
		if cl.Fixed == 0 && total > 0 {
			share = fmt.Sprintf("weight %d (%.0f%%)", cl.Weight, 100*float64(cl.Weight)/float64(total))
		}
		var tasks []string
		for _, t := range cl.Tasks {
			tasks = append(tasks, fmt.Sprintf("%s x%d", t.Name, t.Weight))
		}
		fmt.Fprintf(w, "  class %s: %s, wait %s, tasks: %s\n", cl.Name, share, formatWait(cl.Wait), strings.Join(tasks, ", "))
	}
	t := sc.Thresholds
	fmt.Fprintf(w, "  targets: p50 %s, p95 %s, p99 %s, errors %s, throughput %s\n",
		targetText("<", t.P50, t.P50.String()), targetText("<", t.P95, t.P95.String()), targetText("<", t.P99, t.P99.String()),
		targetText("<", t.ErrorRate, (&flagx.Fraction{V: t.ErrorRate, IsSet: true}).String()), targetText(">", t.Throughput, fmt.Sprintf("%g/s", t.Throughput)))
	return nil
}

// targetText writes "< 500ms", or "off" for a zero target.
func targetText[T time.Duration | float64](op string, v T, text string) string {
	if v == 0 {
		return "off"
	}
	return op + " " + text
}

// formatWait describes a wait in the syntax --wait reads.
func formatWait(w engine.Wait) string {
	switch v := w.(type) {
	case nil:
		return "none"
	case engine.Constant:
		return flagx.FormatDuration(v.D)
	case engine.Between:
		return flagx.FormatDuration(v.Min) + "-" + flagx.FormatDuration(v.Max)
	case engine.ConstantPacing:
		return "pacing " + flagx.FormatDuration(v.Every)
	case engine.ConstantThroughput:
		return fmt.Sprintf("throughput %g", v.PerSecond)
	}
	return fmt.Sprintf("%T", w)
}
