package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soaklab/soak/engine"
	"github.com/soaklab/soak/internal/testenv"
)

// webURL waits for the live view's note of the page's address on stderr.
func webURL(t *testing.T, stderr *lockedBuffer, done <-chan struct{}) string {
	t.Helper()
	re := regexp.MustCompile(`web view on (http://127\.0\.0\.1:[0-9]+/)`)
	deadline := time.After(60 * time.Second)
	for {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		select {
		case <-done:
			t.Fatalf("soak ended before serving its web view:\n%s", stderr.String())
		case <-deadline:
			t.Fatalf("no web view within 60 s:\n%s", stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// browser starts headless Chromium for t; its context ends with the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := testenv.Chromium(t)
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 1800),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("hide-scrollbars", true)}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelCtx(); cancelAlloc() })
	return ctx
}

// console collects the page's console messages until ctx ends.
type console struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
	done chan struct{}
}

func watchConsole(ctx context.Context) *console {
	c := &console{done: make(chan struct{})}
	it := chromedp.Console(ctx)
	go func() {
		defer close(c.done)
		for m, err := range it {
			if err != nil {
				return
			}
			c.mu.Lock()
			c.msgs = append(c.msgs, m)
			c.mu.Unlock()
		}
	}()
	return c
}

// errors returns the errors, warnings and exceptions seen.
func (c *console) errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning || m.IsException() {
			out = append(out, m.String())
		}
	}
	return out
}

// poll waits, bounded, until the page's expression is true.
func poll(ctx context.Context, t *testing.T, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(90*time.Second),
		chromedp.WithPollingInterval(100*time.Millisecond))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

func evalInt(ctx context.Context, t *testing.T, expr string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return n
}

// The web view in headless Chromium, on a real demo run: the page loads
// with no console error, the users chart gains points as intervals
// arrive, "users = 50" changes the engine's running users (the page's
// figure is the engine's interval, and the saved intervals agree), and
// stop ends the run as a first Ctrl-C does, with the normal outputs,
// offered for download. SOAK_WEB_SCREENSHOT=FILE keeps the screenshot
// (docs/web.png is made so).
func TestWebViewInChromium(t *testing.T) {
	ctx := browser(t)
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr lockedBuffer
	ctrlC := make(chan struct{})
	c := &cli{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }, stop: ctrlC,
		argv: []string{"soak", "demo"}}
	args := []string{"demo", "--web", "127.0.0.1:0", "--web-keep", "1m", "--users", "5", "--spawn-rate", "0",
		"--duration", "5m", "--interval", "250ms", "--probe-interval", "250ms", "--baseline", "500ms",
		"--drain", "1s", "--stop-timeout", "2s", "--out", out}
	runCtx, cancelRun := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancelRun()
	done := make(chan struct{})
	var code int
	go func() { defer close(done); code = c.main(runCtx, args) }()
	defer func() {
		select {
		case <-done:
		default:
			cancelRun()
			<-done
		}
	}()
	url := webURL(t, &stderr, done)

	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("true")); err != nil { // the browser, before the console
		t.Fatalf("starting Chromium: %v", err)
	}
	cons := watchConsole(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatal(err)
	}
	poll(ctx, t, "the first intervals", `document.querySelector("#status").dataset.users === "5"`)
	n := evalInt(ctx, t, `+document.querySelector("#chart-users svg").getAttribute("data-points")`)
	poll(ctx, t, "the users chart to gain points",
		`+document.querySelector("#chart-users svg").getAttribute("data-points") > `+itoa(n))
	poll(ctx, t, "the endpoints table", `document.querySelectorAll("#endpoints tbody tr").length > 0`)
	poll(ctx, t, "a probe sample on the heap chart", `+document.querySelector("#chart-heap svg").getAttribute("data-points") > 0`)

	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#users-n"), "50"),
		chromedp.Click(chromedp.CSS("#users-set"))); err != nil {
		t.Fatal(err)
	}
	poll(ctx, t, "the engine's interval to show 50 users", `document.querySelector("#status").dataset.users === "50"`)
	poll(ctx, t, "the change's marker", `[...document.querySelectorAll("#charts .marker-text")].some(e => e.textContent === "users changed to 50")`)
	poll(ctx, t, "a chart past the change", `+document.querySelector("#chart-latency svg").getAttribute("data-points") > 16`)

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if img.Bounds().Dx() < 800 {
		t.Fatalf("screenshot of %v", img.Bounds())
	}
	if keep := os.Getenv("SOAK_WEB_SCREENSHOT"); keep != "" {
		if err := os.WriteFile(keep, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#stop"))); err != nil {
		t.Fatal(err)
	}
	poll(ctx, t, "the end of the run", `document.querySelector("#status").dataset.done === "true"`)
	poll(ctx, t, "the report's link", `!!document.querySelector('#files a[href="files/report.html"]')`)
	if evalInt(ctx, t, `document.querySelectorAll('#files a[href$=".csv"]').length`) < 4 {
		t.Errorf("fewer than 4 CSV links")
	}
	// The report downloads from the page's origin.
	if got := evalInt(ctx, t, `fetch("files/report.html").then(r => r.status)`); got != 200 {
		t.Errorf("GET files/report.html from the page: %d", got)
	}
	if errs := cons.errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
	// The page's close button ends the command.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#stop"))); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		t.Fatalf("soak did not end after the page's close:\n%s", stderr.String())
	}
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d (a stopped run's outputs are partial)\n%s", code, exitInterrupted, stderr.String())
	}
	for _, f := range []string{"report.html", "report.md", "report.json", "soak_stats.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("output %s: %v", f, err)
		}
	}
	f, err := os.Open(filepath.Join(out, "intervals.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ivs, err := engine.ReadIntervals(f, "intervals.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var changes []engine.Change
	at50 := 0
	for _, iv := range ivs {
		changes = append(changes, iv.Changes...)
		if iv.Users == 50 {
			at50++
		}
	}
	if len(changes) != 1 || changes[0].Users != 50 || at50 == 0 {
		t.Errorf("saved: changes %+v, %d intervals at 50 users", changes, at50)
	}
	if !strings.Contains(stderr.String(), "stop requested") && !strings.Contains(stderr.String(), "stopping") {
		t.Errorf("stderr does not say the run was stopped:\n%s", stderr.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
