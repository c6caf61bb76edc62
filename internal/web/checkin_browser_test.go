package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// pageHTML returns the document as the browser has it now.
func pageHTML(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.OuterHTML("html"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkinForm posts code with the form of a check-in page (checkin or
// checkin/stop) and returns the answer page's message and whole HTML.
func checkinForm(t *testing.T, ctx context.Context, srv *testserver.Server, page, code string) (string, string) {
	t.Helper()
	step(t, ctx, page,
		chromedp.Navigate(srv.HubURL+"/"+page+"?lang=en"),
		chromedp.SendKeys("#code", code),
		chromedp.Submit("#code"),
		chromedp.WaitVisible("main p[role]"),
	)
	return text(t, ctx, "main p[role]"), pageHTML(t, ctx)
}

// TestBrowserCheckinStartStop: with JavaScript, the start page sets up a
// check-in (instructions encrypted in the page to the hub's verified
// keys, both codes made there and shown once); the responder sees the
// armed timer and decrypts the instructions; checking in with either code
// gives the same page; ending with the duress code looks the same as
// ending, and keeps the timer, which the check-in code then ends.
func TestBrowserCheckinStartStop(t *testing.T) {
	at := instants.All(t)[2].T // 12:00 UTC, on the server's clock
	srv := testserver.NewWithOptions(t, config.Default(), testserver.Options{Now: instants.NewClock(at).Now})
	ctx := newBrowser(t)
	id := loadIdentity(t, srv.IdentityFile)
	resp := login(t, srv.URL+"/api/v1/hubs/demo", id)
	events := watchEvents(t, srv)
	instructions := "If I stop checking in: call Marta at +39 000 000, then the lawyer. «Ünïcødé» ✓"

	step(t, ctx, "start page",
		chromedp.Navigate(srv.HubURL+"/checkin/start?lang=en"),
		chromedp.WaitEnabled("#narrative"),
		chromedp.WaitVisible("#epoch"),
	)
	if fp := text(t, ctx, "#fingerprint"); !strings.Contains(get(t, srv.URL+"/api/v1/hubs/demo").body, fp) || len(fp) != 49 {
		t.Errorf("page shows fingerprint %q, not the hub's", fp)
	}
	// Out of the limits: refused in the page, nothing sent.
	step(t, ctx, "bad interval",
		chromedp.SetValue("#every", "0"),
		chromedp.Click("#send"),
		chromedp.WaitVisible("#error"),
	)
	if s := text(t, ctx, "#error"); !strings.Contains(s, "1 to 720") {
		t.Errorf("bad interval: %q", s)
	}
	step(t, ctx, "fill",
		chromedp.SetValue("#every", "24"),
		chromedp.SetValue("#grace", "3"),
		chromedp.SendKeys("#narrative", instructions),
	)
	screenshot(t, ctx, "checkin-start-filled-en")
	step(t, ctx, "start", chromedp.Click("#send"), chromedp.WaitVisible("#duress-code"))
	screenshot(t, ctx, "checkin-codes-en")
	shownCode, shownDuress := text(t, ctx, "#checkin-code"), text(t, ctx, "#duress-code")
	code, err1 := codename.Parse(shownCode)
	duress, err2 := codename.Parse(shownDuress)
	if err1 != nil || err2 != nil || code.String() == duress.String() {
		t.Fatalf("the page shows %q and %q, not two different codes (%v, %v)", shownCode, shownDuress, err1, err2)
	}
	if got, want := text(t, ctx, "#first-due"), "Your first check-in is due by 2026-11-24 12:00 UTC."; got != want {
		t.Errorf("first deadline shown as %q, want %q", got, want)
	}

	// The responder sees the armed timer and reads the instructions.
	subs := resp.submissions()
	if len(subs) != 1 || subs[0].Kind != wire.KindCheckin || subs[0].Checkin != wire.CheckinStateArmed {
		t.Fatalf("submissions: %+v", subs)
	}
	o, files := resp.open(subs[0].ID)
	if o.Envelope.Kind != "checkin" || o.Envelope.Language != "en" || o.Report.Narrative != instructions || len(files) != 0 {
		t.Errorf("instructions read back as %+v %+v", o.Envelope, o.Report)
	}
	cs, err := srv.Instance.Store.Checkins("demo")
	if err != nil || len(cs) != 1 {
		t.Fatalf("stored check-ins: %+v %v", cs, err)
	}
	for _, c := range cs {
		if c.Every != 24*time.Hour || c.Grace != 3*time.Hour || !c.Deadline.Equal(at.Add(24*time.Hour)) || c.Instructions.String() != subs[0].ID {
			t.Errorf("stored check-in: %+v", c)
		}
	}
	// Shown once: dropped when written down.
	step(t, ctx, "written down", chromedp.Click("#written"), chromedp.WaitVisible("#after"))
	if a, b := text(t, ctx, "#checkin-code"), text(t, ctx, "#duress-code"); a != "" || b != "" {
		t.Errorf("codes still in the page: %q %q", a, b)
	}

	// Check in with each code: the same page, byte for byte.
	okNormal, pageNormal := checkinForm(t, ctx, srv, "checkin", shownCode)
	okForced, pageForced := checkinForm(t, ctx, srv, "checkin", shownDuress)
	if okNormal != "Checked in. Your next check-in is due by 2026-11-24 12:00 UTC." || pageNormal != pageForced {
		t.Errorf("check-in answers differ or are wrong: %q / %q", okNormal, okForced)
	}
	screenshot(t, ctx, "checkin-done-en")

	// End with the duress code: it looks the same as ending, and the timer
	// goes on; the check-in code ends it.
	stopForced, pageStopForced := checkinForm(t, ctx, srv, "checkin/stop", shownDuress)
	if cs, _ := srv.Instance.Store.Checkins("demo"); len(cs) != 1 {
		t.Fatal("the duress code ended the check-ins")
	}
	stopNormal, pageStopNormal := checkinForm(t, ctx, srv, "checkin/stop", shownCode)
	if stopNormal != "Your check-ins have ended. The hub no longer waits for them." || pageStopNormal != pageStopForced {
		t.Errorf("stop answers differ or are wrong: %q / %q", stopNormal, stopForced)
	}
	screenshot(t, ctx, "checkin-stopped-en")
	if cs, _ := srv.Instance.Store.Checkins("demo"); len(cs) != 0 {
		t.Errorf("%d check-ins left after the stop", len(cs))
	}
	events.waitFor(t, wire.EventCheckinDuress, 2)
	if msg, _ := checkinForm(t, ctx, srv, "checkin", shownCode); !strings.Contains(msg, "No check-in was found") {
		t.Errorf("check-in after the stop: %q", msg)
	}
}

// TestBrowserCheckinWithoutJavaScript: at Tor Browser's Safest level the
// start page explains, in the visitor's language, what starting needs, and
// its form stays inert; a check-in set up elsewhere is checked in and
// ended with the plain forms.
func TestBrowserCheckinWithoutJavaScript(t *testing.T) {
	srv := testserver.New(t)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "start page", chromedp.Navigate(srv.HubURL+"/checkin/start?lang=es"), chromedp.WaitVisible(".nojs"))
	s := text(t, ctx, ".nojs")
	for _, want := range []string{"hace falta JavaScript", "Más seguro", "difesa checkin start -hub " + srv.HubURL, "funciona sin JavaScript"} {
		if !strings.Contains(s, want) {
			t.Errorf("no-JS explanation lacks %q: %q", want, s)
		}
	}
	disabled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('send').matches(':disabled') && document.getElementById('narrative').matches(':disabled')`))
	if err != nil || !disabled {
		t.Errorf("the start form is usable without JavaScript (%v)", err)
	}
	screenshot(t, ctx, "checkin-start-nojs-es")

	code, duress := armCheckin(t, srv, "24h")
	okNormal, pageNormal := checkinForm(t, ctx, srv, "checkin", code.String())
	okForced, pageForced := checkinForm(t, ctx, srv, "checkin", strings.ReplaceAll(duress.String(), "-", " "))
	if !strings.HasPrefix(okNormal, "Checked in.") || okNormal != okForced || pageNormal != pageForced {
		t.Errorf("check-in answers %q / %q", okNormal, okForced)
	}
	stopForced, pageStopForced := checkinForm(t, ctx, srv, "checkin/stop", duress.String())
	stopNormal, pageStopNormal := checkinForm(t, ctx, srv, "checkin/stop", code.String())
	if !strings.Contains(stopNormal, "have ended") || stopNormal != stopForced || pageStopNormal != pageStopForced {
		t.Errorf("stop answers %q / %q", stopNormal, stopForced)
	}
	screenshot(t, ctx, "checkin-stopped-nojs-en")
	if cs, _ := srv.Instance.Store.Checkins("demo"); len(cs) != 0 {
		t.Errorf("%d check-ins left after the stop", len(cs))
	}
}
