package desk

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/testutil/chrome"
)

// browserTab is a fresh headless Chromium (its own profile) and one tab.
// Downloads go to downloads; a JavaScript dialog (alert, confirm,
// prompt) is recorded (see dialogsSeen) and dismissed.
type browserTab struct {
	ctx       context.Context
	downloads string
	done      chan string // names of finished downloads (their guid)

	mu      sync.Mutex
	dialogs []string // messages of the dialogs that opened

	home string // the profile and temporary files, downloads included
	stop func() // ends the browser and waits for it
}

// dialogsSeen returns the messages of the JavaScript dialogs so far.
func (b *browserTab) dialogsSeen() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.dialogs...)
}

func newBrowser(t *testing.T) *browserTab {
	t.Helper()
	c := chrome.Start(t, 1100, 900)
	ctx, home := c.Ctx, c.Home
	b := &browserTab{ctx: ctx, downloads: filepath.Join(home, "downloads"), done: make(chan string, 16), home: home, stop: c.Stop}
	yes := true
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: b.downloads, EventsEnabled: &yes,
	}); err != nil {
		t.Fatalf("download behaviour: %v", err)
	}
	dialogs := make(chan string, 8)
	chromedp.ListenBrowser(ctx, func(ev any) {
		if e, ok := ev.(*browser.EventDownloadProgress); ok && e.State == browser.DownloadProgressStateCompleted {
			select {
			case b.done <- e.GUID:
			default:
			}
		}
	})
	chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			select {
			case dialogs <- e.Message:
			default:
			}
		}
	})
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case m := <-dialogs:
				b.mu.Lock()
				b.dialogs = append(b.dialogs, m)
				b.mu.Unlock()
				chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			}
		}
	}()
	return b
}

// step runs actions with a time limit, failing the test with what.
func (b *browserTab) step(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (b *browserTab) eval(t *testing.T, js string) string {
	t.Helper()
	c, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return s
}

// download waits for the next finished download and returns its path.
func (b *browserTab) download(t *testing.T) string {
	t.Helper()
	select {
	case guid := <-b.done:
		return filepath.Join(b.downloads, guid)
	case <-time.After(60 * time.Second):
		t.Fatal("no download finished")
		return ""
	}
}

func (b *browserTab) screenshot(t *testing.T, name string) []byte {
	t.Helper()
	c, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(chrome.Artifacts(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	return png
}

// closeAndScan ends the browser, so that it writes what it keeps, and
// returns the files under its folder (downloads aside) that hold one of
// the canaries.
func (b *browserTab) closeAndScan(t *testing.T, canaries ...string) []string {
	t.Helper()
	b.stop()
	return scanTree(t, b.home, b.downloads, canaries...)
}

// scanTree returns "file: canary" for each file under dir (skip aside)
// that holds a canary.
func scanTree(t *testing.T, dir, skip string, canaries ...string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			if skip != "" && p == skip {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, c := range canaries {
			if bytes.Contains(b, []byte(c)) {
				found = append(found, p+": "+c)
			} else if bytes.Contains(b, utf16le(c)) {
				found = append(found, p+": "+c+" (UTF-16)")
			}
		}
		return nil
	})
	return found
}

// utf16le is s as Chromium keeps strings in its session files.
func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}
