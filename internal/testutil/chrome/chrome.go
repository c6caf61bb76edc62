// Package chrome starts the fresh headless Chromium (Debian's chromium,
// driven with chromedp) that the browser tests of the defender pages and
// of the desk share, so that both run the browser the same way: its own
// profile, nothing cached, no background traffic, and nothing left behind.
package chrome

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/testutil/tool"
)

// Find returns the path of a Chromium binary. The browser tests are not
// short: under -short, and when no Chromium is installed, the test is
// skipped (failed under CI=true).
func Find(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return tool.Need(t, "chromium", "apt-get install chromium")
}

// Browser is a started Chromium and the context of its first tab.
type Browser struct {
	Ctx context.Context
	// Home holds the profile and the temporary files Chromium makes (its
	// org.chromium.Chromium.* folders); it is removed once the browser
	// has exited.
	Home string
	stop func()
}

// Start starts a fresh headless Chromium with a window of width×height
// and opens about:blank in it. The test's cleanup ends the browser and
// removes its folder.
func Start(t testing.TB, width, height int) *Browser {
	t.Helper()
	exe := Find(t)
	// A short name: Chromium's singleton socket goes in TMPDIR, and a
	// socket's path is at most 107 bytes.
	home, err := os.MkdirTemp("", "chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(filepath.Join(home, "profile")),
		chromedp.Env("TMPDIR=" + home),
		chromedp.WindowSize(width, height),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	b := &Browser{Ctx: ctx, Home: home, stop: func() {
		cancelC()
		cancelA() // waits for the browser to exit
	}}
	t.Cleanup(func() {
		b.Stop()
		tool.RemoveDir(t, home)
	})
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("chrome: unable to start chromium: %v", err)
	}
	return b
}

// Stop ends the browser and waits for it to exit; its folder stays until
// the test's cleanup. Stopping twice is harmless.
func (b *Browser) Stop() { b.stop() }

// Artifacts returns the folder screenshots go to: $DIFESA_ARTIFACTS when
// set, to keep them (the log says where); else a temporary folder of the
// test's.
func Artifacts(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("DIFESA_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}
