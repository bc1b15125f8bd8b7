//go:build unix

package report

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/soaklab/soak/internal/testenv"
)

// Screenshot geometry of the rendering test, in CSS pixels.
const shotW, shotH = 1200, 1800

// chromium returns Debian's chromium (installed by .ci/chromium), or skips
// t when it is absent — fails it when SOAK_REQUIRE_SERVICES=1.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SOAK_CHROMIUM"), "/usr/bin/chromium", "chromium"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	msg := "headless Chromium not found: run .ci/chromium (or set SOAK_CHROMIUM) to render the HTML report"
	if testenv.Required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// runChromium runs headless Chromium on file with extra flags, bounded in
// time; the whole process group goes when the test's context ends.
func runChromium(t *testing.T, bin, file string, flags ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir()}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, "file://"+file)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", flags, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// The HTML report of a real run, with an analysis, renders in headless
// Chromium: a non-blank screenshot of the window's size, and a DOM with
// every section, the client and server charts, and the hostile names as
// text, not as elements.
func TestHTMLRendersInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, []byte(renderAnalysed(t, realRun(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(dir, "report.png")
	runChromium(t, bin, file, "--screenshot="+shot, "--window-size=1200,1800")
	img := readScreenshot(t, shot)
	checkScreenshot(t, img)
	checkVerdictFirst(t, img)
	if keep := os.Getenv("SOAK_KEEP_SCREENSHOT"); keep != "" {
		b, _ := os.ReadFile(shot)
		os.WriteFile(keep, b, 0o644)
	}

	dom := string(runChromium(t, bin, file, "--dump-dom"))
	verdict, summary := strings.Index(dom, `<section id="verdict" class="verdict fail">`), strings.Index(dom, `<section id="summary">`)
	if verdict < 0 || summary < verdict || !strings.Contains(dom[verdict:summary], "Unhealthy (exit 4)") ||
		!strings.Contains(dom[verdict:summary], "pool-exhaustion [svc-1]: detected") {
		t.Errorf("the verdict (exit 4, and the finding that set it) does not come before the summary")
	}
	for _, want := range append(analysisSections,
		`<section id="summary">`, `<section id="charts">`, `<section id="endpoints">`, `<section id="errors">`,
		`id="chart-users"`, `id="chart-rps"`, `id="chart-latency"`, `id="chart-failures"`, "<svg", "<path d=\"M",
		"/api/stories/[slug]", "HTTP 503 Service Unavailable", "HTTP 429 Too Many Requests", "no slug in the trending list",
		"&lt;img src=x onerror=alert(1) id=pwned&gt;", `class="band"`,
	) {
		if !strings.Contains(dom, want) {
			t.Errorf("the DOM lacks %q", want)
		}
	}
	if strings.Contains(dom, `id="pwned"`) || strings.Contains(dom, "<img") || strings.Contains(dom, "<script") ||
		strings.Contains(dom, "<svg onload") {
		t.Error("a hostile name became an element")
	}
}

// checkVerdictFirst: the first screen (the top 800 CSS pixels, a laptop's
// window) shows the verdict: the failing verdict's red banner fills a good
// part of it, above the tiles.
func checkVerdictFirst(t *testing.T, img image.Image) {
	t.Helper()
	red, first := 0, -1
	for y := 0; y < 800; y++ {
		for x := 0; x < shotW; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			if r>>8 == 0xb4 && g>>8 == 0x23 && b>>8 == 0x18 { // .verdict.fail's background
				red++
				if first < 0 {
					first = y
				}
			}
		}
	}
	if red < 15000 || first > 300 {
		t.Errorf("the first screen does not open on the verdict: %d banner pixels sampled, the first at y=%d", red, first)
	}
	t.Logf("verdict banner: %d pixels sampled in the first screen, from y=%d", red, first)
}

// readScreenshot decodes the PNG at path.
func readScreenshot(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	return img
}

// checkScreenshot: a PNG of the window's size, not blank: many colours,
// and a good share of pixels that are not the background.
func checkScreenshot(t *testing.T, img image.Image) {
	t.Helper()
	if b := img.Bounds(); b != image.Rect(0, 0, shotW, shotH) {
		t.Fatalf("screenshot is %v, want %dx%d", b.Size(), shotW, shotH)
	}
	colours := map[uint32]bool{}
	ink := 0
	for y := 0; y < shotH; y += 2 {
		for x := 0; x < shotW; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[r>>8<<16|g>>8<<8|b>>8] = true
			if r>>8 < 200 || g>>8 < 200 || b>>8 < 200 {
				ink++
			}
		}
	}
	total := shotW * shotH / 4
	if len(colours) < 20 || ink < total/100 {
		t.Errorf("screenshot looks blank: %d colours, %d of %d sampled pixels drawn", len(colours), ink, total)
	}
	t.Logf("screenshot: %d colours, %.1f%% of pixels drawn", len(colours), 100*float64(ink)/float64(total))
}
