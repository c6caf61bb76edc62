package web_test

// End-to-end tests in a real browser: Debian's chromium, driven with
// chromedp. They are skipped, saying so, only when no Chromium is installed
// (apt-get install chromium). Screenshots go to $DIFESA_ARTIFACTS, or to a
// temporary folder; the test log prints where.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/chrome"
	"difesa.org/difesa/internal/wire"
)

// newBrowser starts a fresh headless Chromium (chrome.Start) and returns
// a context for one tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	return chrome.Start(t, 1024, 900).Ctx
}

// step runs actions with a time limit, failing the test with what.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.TextContent(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(chrome.Artifacts(t), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// hubEpoch returns the demo hub's current epoch.
func hubEpoch(t *testing.T, srv *testserver.Server) uint64 {
	var info wire.HubInfo
	json.Unmarshal([]byte(get(t, srv.URL+"/api/v1/hubs/demo").body), &info)
	return info.Epoch
}

func TestBrowserReportReplyFollowup(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	id := loadIdentity(t, srv.IdentityFile)
	api := srv.URL + "/api/v1/hubs/demo"

	attachment := filepath.Join(t.TempDir(), "fotografía del coche.jpg")
	photo := bytes.Repeat([]byte("not really a jpeg, but bytes \x00\xff "), 3000)
	os.WriteFile(attachment, photo, 0o600)
	narrative := "Anonymous calls every night since 1 March.\nThey know my address. «Ünïcødé» ✓"

	step(t, ctx, "report page",
		chromedp.Navigate(srv.HubURL+"/report?lang=en"),
		chromedp.WaitEnabled("#narrative"),
		chromedp.WaitVisible("#epoch"),
	)
	if fp := text(t, ctx, "#fingerprint"); !strings.Contains(get(t, api).body, fp) || len(fp) != 49 {
		t.Errorf("page shows fingerprint %q, not the hub's", fp)
	}
	step(t, ctx, "fill the report",
		chromedp.SetValue("#category", "threats"),
		chromedp.SendKeys("#narrative", narrative),
		chromedp.SendKeys("#where", "Bologna"),
		chromedp.SendKeys("#when", "since March"),
		chromedp.SetUploadFiles("#files", []string{attachment}),
	)
	screenshot(t, ctx, "report-filled-en")
	step(t, ctx, "submit", chromedp.Click("#send"), chromedp.WaitVisible("#codename"))
	shown := text(t, ctx, "#codename")
	screenshot(t, ctx, "codename-en")

	// A responder finds the exact text and file.
	got := checkReportReceived(t, api, id, shown, sentReport{category: "threats", narrative: narrative, where: "Bologna", when: "since March",
		language: "en", files: map[string][]byte{"fotografía del coche.jpg": photo}})
	resp, sub := got.resp, got.sub

	// The codename is dropped once written down.
	step(t, ctx, "written down", chromedp.Click("#written"), chromedp.WaitVisible("#after"))
	if s := text(t, ctx, "#codename"); s != "" {
		t.Errorf("codename still in the page: %q", s)
	}

	// The responder replies, to the hub and to the defender's reply key.
	replyText := "We received your report. Are you safe tonight?"
	got.reply(t, srv, id, "en", replyText, "advice.txt")

	// The defender reads it with the codename, and follows up.
	step(t, ctx, "replies page",
		chromedp.Navigate(srv.HubURL+"/replies?lang=en"),
		chromedp.WaitEnabled("#code"),
		chromedp.SendKeys("#code", strings.ToUpper(shown)),
		chromedp.Click("#open button"),
		chromedp.WaitVisible("#thread"),
		chromedp.WaitVisible("#messages li.reply .text"),
	)
	if got := text(t, ctx, "#messages li.reply .text"); got != replyText {
		t.Errorf("reply shown as %q", got)
	}
	if got := text(t, ctx, "#messages li.reply a"); !strings.Contains(got, "advice.txt") {
		t.Errorf("reply attachment link %q", got)
	}
	screenshot(t, ctx, "replies-en")
	follow := "They came back today. Two cars."
	step(t, ctx, "follow-up",
		chromedp.WaitEnabled("#narrative"),
		chromedp.SendKeys("#narrative", follow),
		chromedp.Click("#followup button"),
		chromedp.WaitVisible("#messages li:nth-child(3)"),
	)
	var thread wire.Thread
	resp.json("GET", "/threads/"+sub.ID, nil, &thread)
	if len(thread.Messages) != 3 || thread.Messages[2].Kind != "followup" {
		t.Fatalf("thread %+v", thread)
	}
	fo, _ := resp.open(thread.Messages[2].ID)
	if fo.Envelope.Kind != "followup" || fo.Report.Narrative != follow {
		t.Errorf("follow-up read back as %+v %+v", fo.Envelope, fo.Report)
	}
}

func TestBrowserWithoutJavaScript(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	id := loadIdentity(t, srv.IdentityFile)
	api := srv.URL + "/api/v1/hubs/demo"

	// The report page explains the two private options; its form is inert.
	step(t, ctx, "report page", chromedp.Navigate(srv.HubURL+"/report?lang=it"), chromedp.WaitVisible(".nojs"))
	if s := text(t, ctx, ".nojs"); !strings.Contains(s, "Più sicuro") || !strings.Contains(s, "age") {
		t.Errorf("no-JS explanation: %q", s)
	}
	screenshot(t, ctx, "report-nojs-it")

	// Encrypt offline with age to recipients.txt, upload through the form.
	rcpts, err := age.ParseRecipients(strings.NewReader(get(t, srv.HubURL+"/recipients.txt").body))
	if err != nil {
		t.Fatal(err)
	}
	var rep bytes.Buffer
	bundle.Write(&rep, bundle.NewEnvelope("report", "it", time.Now()), &bundle.Report{Category: "surveillance", Narrative: "cifrato offline"}, nil)
	ageFile := filepath.Join(t.TempDir(), "report.age")
	os.WriteFile(ageFile, encrypt(t, rep.Bytes(), false, rcpts...), 0o600)
	step(t, ctx, "upload",
		chromedp.Navigate(srv.HubURL+"/upload?lang=it"),
		chromedp.SetUploadFiles("#file", []string{ageFile}),
		chromedp.Submit("#file"),
		chromedp.WaitVisible("p.ok"),
	)
	if s := text(t, ctx, "p.ok"); !strings.Contains(s, "Ricevuto") {
		t.Errorf("upload answer %q", s)
	}
	screenshot(t, ctx, "upload-done-nojs-it")
	resp := login(t, api, id)
	subs := resp.submissions()
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	if o, _ := resp.open(subs[0].ID); o.Report.Narrative != "cifrato offline" {
		t.Errorf("read back %+v", o.Report)
	}

	// A plaintext upload is refused with a page, and stores nothing.
	plain := filepath.Join(t.TempDir(), "report.txt")
	os.WriteFile(plain, []byte("never upload this"), 0o600)
	step(t, ctx, "plaintext upload",
		chromedp.Navigate(srv.HubURL+"/upload?lang=en"),
		chromedp.SetUploadFiles("#file", []string{plain}),
		chromedp.Submit("#file"),
		chromedp.WaitVisible("p.error"),
	)
	if n := len(resp.submissions()); n != 1 {
		t.Errorf("%d submissions after a refused upload", n)
	}

	// Check-in with a plain form: arm one through the API, check in.
	code, _ := codename.Generate()
	duress, _ := codename.Generate()
	enc := func(s string) string { v := checkinVerifier(s); return base64.RawURLEncoding.EncodeToString(v[:]) }
	req, _ := http.NewRequest("POST", api+"/checkins?every=24h", bytes.NewReader(encrypt(t, []byte("call my lawyer"), false, id.Recipient())))
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set(wire.HeaderCheckinVerifier, enc(code.String()))
	req.Header.Set(wire.HeaderDuressVerifier, enc(duress.String()))
	if r := send(t, req); r.status != 201 {
		t.Fatalf("arm: %d %s", r.status, r.body)
	}
	var answers []string
	for _, c := range []string{code.String(), strings.ReplaceAll(duress.String(), "-", " ")} {
		step(t, ctx, "check in",
			chromedp.Navigate(srv.HubURL+"/checkin?lang=en"),
			chromedp.SendKeys("#code", c),
			chromedp.Submit("#code"),
			chromedp.WaitVisible("p.ok"),
		)
		answers = append(answers, text(t, ctx, "p.ok"))
	}
	if !strings.Contains(answers[0], "Checked in") || answers[0] != answers[1] {
		t.Errorf("check-in answers %q", answers)
	}
	screenshot(t, ctx, "checkin-done-nojs-en")
}

// TestBrowserPageWeight loads each page in a fresh browser and counts what
// goes over the network: every request must go to the hub's own origin, and
// the report page must stay within 4 requests and 81 KB.
func TestBrowserPageWeight(t *testing.T) {
	srv := testserver.New(t)
	origin, _ := url.Parse(srv.URL)
	for _, page := range pages {
		t.Run("page="+page, func(t *testing.T) {
			ctx := newBrowser(t)
			if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var urls []string
			var bytesIn float64
			chromedp.Listen(ctx, func(ev any) {
				mu.Lock()
				defer mu.Unlock()
				switch e := ev.(type) {
				case *network.EventRequestWillBeSent:
					urls = append(urls, e.Request.URL)
				case *network.EventLoadingFinished:
					bytesIn += e.EncodedDataLength
				}
			})
			step(t, ctx, "load", chromedp.Navigate(srv.HubURL+"/"+page+"?lang=en"), chromedp.WaitReady("footer"))
			if page == "report" || page == "checkin/start" {
				step(t, ctx, "script ran", chromedp.WaitVisible("#epoch"))
			}
			time.Sleep(500 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			for _, u := range urls {
				p, err := url.Parse(u)
				if err != nil || p.Scheme+"://"+p.Host != origin.Scheme+"://"+origin.Host {
					t.Errorf("request to another origin: %s", u)
				}
			}
			t.Logf("page %q: %d requests, %.0f bytes over the network", page, len(urls), bytesIn)
			if (page == "report" || page == "checkin/start") && (len(urls) > 4 || bytesIn > 80_000) {
				t.Errorf("%s page: %d requests, %.0f bytes; budget 4 requests, 80 KB", page, len(urls), bytesIn)
			}
			if page == "checkin" || page == "checkin/stop" {
				// Checked in every day, maybe on a slow line: no script.
				if len(urls) > 2 || bytesIn > 5_000 {
					t.Errorf("%s page: %d requests, %.0f bytes; budget 2 requests, 5 KB", page, len(urls), bytesIn)
				}
			}
		})
	}
}

// TestBrowserScreenshots saves every page in English and Italian, and the
// report page at 320 px.
func TestBrowserScreenshots(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	for _, lang := range []string{"en", "it", "pl"} {
		for _, page := range pages {
			name := strings.ReplaceAll(page, "/", "-")
			if name == "" {
				name = "home"
			}
			step(t, ctx, name, chromedp.Navigate(srv.HubURL+"/"+page+"?lang="+lang), chromedp.WaitReady("footer"))
			if page == "report" || page == "alert" || page == "replies" || page == "checkin/start" {
				step(t, ctx, "script", chromedp.WaitVisible("#epoch"))
			}
			screenshot(t, ctx, name+"-"+lang)
		}
	}
	step(t, ctx, "mobile", chromedp.EmulateViewport(320, 640), chromedp.Navigate(srv.HubURL+"/report?lang=ro"), chromedp.WaitVisible("#epoch"))
	screenshot(t, ctx, "report-320px-ro")
	// Nothing may be wider than 320 px.
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > 320`))
	if err != nil || wide {
		t.Errorf("report page scrolls sideways at 320 px (%v)", err)
	}
}

// TestBrowserEncryptBench encrypts 100 MB in the page and with Node running
// the same asset. Run with DIFESA_BENCH=1.
func TestBrowserEncryptBench(t *testing.T) {
	if os.Getenv("DIFESA_BENCH") == "" {
		t.Skip("set DIFESA_BENCH=1 to measure in-page encryption of 100 MB")
	}
	srv := testserver.New(t)
	ctx := newBrowser(t)
	id := loadIdentity(t, srv.IdentityFile)
	step(t, ctx, "page", chromedp.Navigate(srv.HubURL+"/report"), chromedp.WaitVisible("#epoch"))
	c, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	res, err := chromedp.Run(c, chromedp.Evaluate[map[string]float64](
		fmt.Sprintf(`difesa.benchEncrypt([%q], 100e6)`, id.Recipient().String()), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Chromium: 100 MB encrypted in %.0f ms: %.1f MB/s", res["ms"], res["mbPerSecond"])
	if node, err := exec.LookPath("node"); err == nil {
		out, err := exec.Command(node, "../../web/bench/encrypt.mjs", "100").CombinedOutput()
		t.Logf("Node (same asset): %s %v", bytes.TrimSpace(out), err)
	}
}
