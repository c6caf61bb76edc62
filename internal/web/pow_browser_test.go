package web_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/pow"
	"difesa.org/difesa/internal/testserver"
)

// TestBrowserReportUnderLoad sends reports from the page while the hub asks
// for proof of work, solved in JavaScript: first as the page does when it
// learns so in advance (GET …/pow while it encrypts), then when the load
// rises only after it asked, so that its post is refused with 429
// pow_required and a challenge, and it solves that and posts again.
func TestBrowserReportUnderLoad(t *testing.T) {
	cfg := config.Default()
	cfg.PoWMinBits, cfg.PoWMaxBits = 10, 10
	srv := testserver.NewWithConfig(t, cfg)
	high := pow.Load{InFlight: 1 << 20}
	srv.Instance.PoW.SetLoad(func() pow.Load { return high })
	ctx := newBrowser(t)
	id := loadIdentity(t, srv.IdentityFile)
	attachment := filepath.Join(t.TempDir(), "video.bin")
	video := bytes.Repeat([]byte("frames of a video, not really \x00\x01\x02 "), 64<<10) // 2 MiB
	os.WriteFile(attachment, video, 0o600)

	send := func(what, narrative string, files ...string) {
		t.Helper()
		step(t, ctx, what+": report page",
			chromedp.Navigate(srv.HubURL+"/report?lang=en"),
			chromedp.WaitEnabled("#narrative"),
			chromedp.WaitVisible("#epoch"),
		)
		actions := []chromedp.Action[chromedp.Void]{chromedp.SendKeys("#narrative", narrative)}
		if len(files) > 0 {
			actions = append(actions, chromedp.SetUploadFiles("#files", files))
		}
		step(t, ctx, what+": send", append(actions, chromedp.Click("#send"), chromedp.WaitVisible("#codename"))...)
	}
	send("asked first", "sent while the hub was busy")

	// The first question (GET …/pow) finds the hub idle; every later one
	// finds it loaded.
	var calls atomic.Int32
	srv.Instance.PoW.SetLoad(func() pow.Load {
		if calls.Add(1) == 1 {
			return pow.Load{}
		}
		return high
	})
	send("refused first", "the load rose meanwhile", attachment)
	if calls.Load() < 3 {
		t.Errorf("the gate was consulted %d times: the page did not post twice", calls.Load())
	}

	resp := login(t, srv.URL+"/api/v1/hubs/demo", id)
	subs := resp.submissions()
	if len(subs) != 2 {
		t.Fatalf("%d submissions", len(subs))
	}
	got := map[string][]byte{}
	for _, s := range subs {
		o, files := resp.open(s.ID)
		got[o.Report.Narrative] = files["video.bin"]
	}
	if _, ok := got["sent while the hub was busy"]; !ok || !bytes.Equal(got["the load rose meanwhile"], video) {
		t.Errorf("read back %d reports, attachment of %d bytes", len(got), len(got["the load rose meanwhile"]))
	}
}
