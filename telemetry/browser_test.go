package telemetry_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shadowread/shadowread/comparator"
	"github.com/shadowread/shadowread/telemetry"
)

// TestReportInBrowser renders the report page in headless Chromium after a
// mismatch: the DOM must show the route and its signature, and a screenshot
// must come out as a 1280x900 PNG (copied to $SHADOWREAD_ARTIFACTS if set).
func TestReportInBrowser(t *testing.T) {
	chromium := chromiumPath(t)

	h := newHarness(t, telemetry.WithMinSamples(100), telemetry.WithTraceURL("http://localhost:16686/trace/{trace_id}"))
	for i := range 240 {
		e := event("/products/{id}", telemetry.Match)
		e.PrimaryDuration = time.Duration(1500+i*10) * time.Microsecond
		e.ShadowDuration = time.Duration(900+i*8) * time.Microsecond
		h.shadow(e)
	}
	m := mismatch("/orders/{id}",
		comparator.Diff{Path: "items[2].price", Kind: comparator.ValueChanged},
		comparator.Diff{Path: "shipping.eta", Kind: comparator.MissingInShadow})
	for range 3 {
		h.shadow(m)
	}
	for range 60 {
		h.shadow(event("/orders/{id}", telemetry.Match))
	}
	h.shadow(mismatch("/orders/{id}", comparator.Diff{Path: "$status", Kind: comparator.StatusChanged}))
	h.rec.Record(context.Background(), event("/orders/{id}", telemetry.Dropped))
	timeout := event("/orders/{id}", telemetry.Timeout)
	timeout.Err = context.DeadlineExceeded
	h.shadow(timeout)
	// After a partial switch: the other direction of the same route.
	for range 40 {
		h.shadow(switched(event("/products/{id}", telemetry.Match)))
	}
	loss := switched(mismatch("/products/{id}", comparator.Diff{Path: "price", Field: "price", Kind: comparator.ValueChanged,
		Hint: comparator.Hint{Triage: comparator.TriageDataLoss, Note: "rounded to float32"}}))
	h.shadow(loss)
	transient := switched(mismatch("/products/{id}", comparator.Diff{Path: "stock", Kind: comparator.ValueChanged}))
	transient.Outcome, transient.Recheck = telemetry.Transient, telemetry.RecheckTransient
	h.shadow(transient)
	for range 5 {
		h.shadow(baseline("/products/{id}", "generated_at", "request_id"))
	}
	h.rec.Mark()

	srv := httptest.NewServer(h.rec.ReportHandler())
	t.Cleanup(srv.Close)
	url := srv.URL + "/debug/shadowread"

	dom := runChromium(t, chromium, "--dump-dom", url)
	for _, want := range []string{"/orders/{id}", m.Result.Signature(), "items[2].price", "/products/{id}",
		"collecting: 2,755 more clean samples", "not ready", "dynamodb → postgres", "data loss", "Noise", "generated_at",
		"1 transient", "coverage", "min 95%",
		"http://localhost:16686/trace/"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}

	shot := filepath.Join(t.TempDir(), "report.png")
	runChromium(t, chromium, "--screenshot="+shot, "--window-size=1280,900", "--hide-scrollbars", url)
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 900 {
		t.Errorf("screenshot is %dx%d, want 1280x900", b.Dx(), b.Dy())
	}
	if dir := os.Getenv("SHADOWREAD_ARTIFACTS"); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatalf("artifacts dir: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, "telemetry-report.png"), data, 0o644); err != nil {
			t.Fatalf("copy screenshot: %v", err)
		}
	}
}

// chromiumPath returns Debian's chromium. When it is missing and the test
// runs as root it installs the package; otherwise the test fails: the
// browser check must never be skipped silently.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Geteuid() != 0 {
		t.Fatal("chromium is not installed and this test is not root, so it cannot install it: run `apt-get install -y chromium`")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	// The lock timeout lets parallel test binaries wait for each other.
	for _, args := range [][]string{
		{"-o", "DPkg::Lock::Timeout=600", "update"},
		{"-o", "DPkg::Lock::Timeout=600", "install", "-y", "chromium"},
	} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("chromium is missing and apt-get %s failed: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("apt-get installed chromium but it is not on PATH: %v", err)
	}
	return p
}

// runChromium runs headless Chromium with args and returns its standard
// output. Chromium runs in its own process group, which is killed afterwards
// (and on timeout), so none of its helper processes outlive the test.
func runChromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	flags := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir=" + t.TempDir(),
	}
	cmd := exec.CommandContext(ctx, bin, append(flags, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		// The group outlives its leader while helpers run; ESRCH means none do.
		if kerr := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
			t.Errorf("killing chromium's process group: %v", kerr)
		}
	}
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
