package desk

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/testutil/tool"
	"difesa.org/difesa/internal/wire"
)

// ageCommand builds the age command from the module difesa uses.
func ageCommand(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "age")
	out, err := exec.Command("go", "build", "-o", exe, "filippo.io/age/cmd/age").CombinedOutput()
	if err != nil {
		t.Fatalf("building age: %v: %s", err, out)
	}
	return exe
}

// The responder's whole session in a real Chromium: open the desk by its
// printed address, see the alarm first and acknowledge it, open a report
// with an image and a PDF, see the preview, reply, change the status,
// search, export (opened with age and tar); the defender reads the reply
// with the codename; a new report appears without a reload.
func TestBrowserDeskSession(t *testing.T) {
	tarExe := tool.Need(t, "tar", "apt-get install tar")
	b := newBrowser(t)
	ageExe := ageCommand(t)
	f := newHubFixture(t)
	alert, _ := f.submit(t, bundle.KindAlert, &bundle.Report{Category: "physical_attack", Narrative: "They are at my door now", Where: "Via Roma 1"})
	photo := jpegWithGPS(320, 200)
	report, keys := f.submit(t, bundle.KindReport, &bundle.Report{Category: "surveillance", Narrative: "A grey car follows me every morning since Monday.", Where: "Bologna", When: "since Monday"},
		file("car.jpg", photo), file("police-letter.pdf", pdfBytes))
	d := f.start(t)
	f.waitFor(t, "the cases", func(p casebook.Page) bool { return p.Total == 2 && len(p.Alarms) == 1 })

	b.step(t, "open the printed address", chromedp.Navigate(d.Address()), chromedp.WaitVisible("#alarms"), chromedp.WaitVisible("#items"))
	if u := b.eval(t, `location.href`); u != d.Origin()+"/" {
		t.Fatalf("the desk is at %q, not its clean address", u)
	}
	if first := b.eval(t, `document.getElementById("alarms").compareDocumentPosition(document.getElementById("items")) & 4 ? "alarms" : "items"`); first != "alarms" {
		t.Fatal("the alarm is not first")
	}
	b.eval(t, `document.cookie === "" ? "" : "visible"`) // HttpOnly: the page cannot read it
	if c := b.eval(t, `document.cookie`); c != "" {
		t.Fatalf("the page can read its cookie: %q", c)
	}
	shot := b.screenshot(t, "desk-inbox")
	b.step(t, "acknowledge", chromedp.SendKeys("#alarms form.ack input[name=note]", "called the lawyer"),
		chromedp.Click("#alarms form.ack button"), chromedp.WaitVisible("main p.ok"))
	cl := f.defender(t)
	if err := cl.Login(context.Background(), f.id); err != nil {
		t.Fatal(err)
	}
	if list, err := cl.Alarms(context.Background()); err != nil || len(list) != 1 || list[0].State != wire.AlarmAcknowledged {
		t.Fatalf("the hub's alarm: %+v %v", list, err)
	}
	_ = alert

	u := caseURL(demoHub, report)
	b.step(t, "open the report", chromedp.Click(`a[href="`+u+`"]`), chromedp.WaitVisible("#narrative"), chromedp.WaitVisible("img.preview"))
	if w := b.eval(t, `new Promise(r => { const i = document.querySelector("img.preview"); i.complete ? r(String(i.naturalWidth)) : i.onload = () => r(String(i.naturalWidth)) })`); w != "320" {
		t.Fatalf("the preview is %s pixels wide", w)
	}
	if s := b.eval(t, `document.body.innerText`); !strings.Contains(s, "GPS coordinates") || !strings.Contains(s, sha(pdfBytes)) || !strings.Contains(s, "A grey car follows me") {
		t.Fatalf("the case page: %s", s)
	}
	caseShot := b.screenshot(t, "desk-case")

	reply := filepath.Join(t.TempDir(), "advice.txt")
	os.WriteFile(reply, []byte("change your route"), 0o600)
	b.step(t, "reply", chromedp.SendKeys("#reply-text", "We have seen it. Can you call us tonight?"),
		chromedp.SetUploadFiles("#reply-files", []string{reply}), chromedp.Click("form.reply button"), chromedp.WaitVisible("main p.ok"))
	if got := defenderReads(t, f, keys); got != "We have seen it. Can you call us tonight?" {
		t.Fatalf("the defender read %q", got)
	}
	b.step(t, "status", chromedp.SetValue("#status", "in_progress"), chromedp.Click("form.status button"), chromedp.WaitVisible("main p.ok"))
	f.waitFor(t, "the status", func(p casebook.Page) bool {
		for _, it := range p.Items {
			if it.ID == report {
				return it.Status == wire.StatusInProgress
			}
		}
		return false
	})

	b.step(t, "search", chromedp.Click(`a[href="/search"]`), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", "grey car"),
		chromedp.Click("form.filters button"), chromedp.WaitVisible(`#items a[href="`+u+`"]`))

	them, _ := age.GenerateX25519Identity()
	key := filepath.Join(t.TempDir(), "lawyer.txt")
	os.WriteFile(key, []byte(them.String()+"\n"), 0o600)
	b.step(t, "export", chromedp.Navigate(d.Origin()+u), chromedp.WaitVisible("#export-recipient"),
		chromedp.SendKeys("#export-recipient", them.Recipient().String()), chromedp.Click("form.export button"))
	archive := b.download(t)
	tarFile := filepath.Join(t.TempDir(), "case.tar")
	if out, err := exec.Command(ageExe, "-d", "-i", key, "-o", tarFile, archive).CombinedOutput(); err != nil {
		t.Fatalf("age -d: %v: %s", err, out)
	}
	list, err := exec.Command(tarExe, "-tf", tarFile).CombinedOutput()
	if err != nil {
		t.Fatalf("tar -tf: %v: %s", err, list)
	}
	for _, want := range []string{"car.jpg", "police-letter.pdf", "SHA256"} {
		if !strings.Contains(string(list), want) {
			t.Errorf("the export lacks %s: %s", want, list)
		}
	}

	// Live: a new report appears in the open inbox without a reload.
	b.step(t, "inbox", chromedp.Navigate(d.Origin()+"/"), chromedp.WaitVisible("#items"))
	b.eval(t, `window.__sameDocument = "yes"`)
	fresh, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "threats", Narrative: "a new one"})
	b.step(t, "live update", chromedp.WaitVisible(`#items a[href="`+caseURL(demoHub, fresh)+`"]`))
	if s := b.eval(t, `window.__sameDocument || "reloaded"`); s != "yes" {
		t.Fatal("the page reloaded instead of updating")
	}

	// An urgent one raises a notification (that says nothing of the case)
	// and a sound. The page's Notification and AudioContext are watched.
	b.eval(t, `(() => {
		window.__notes = []; window.__beeps = 0;
		const N = function (title, o) { window.__notes.push(title + " | " + (o && o.body)); };
		N.permission = "granted";
		window.Notification = N;
		const A = window.AudioContext;
		window.AudioContext = function () { window.__beeps++; return new A(); };
		return "watching";
	})()`)
	urgent, _ := f.submit(t, bundle.KindAlert, &bundle.Report{Category: "other", Narrative: "SECRET-URGENT-CANARY"})
	b.step(t, "urgent live update", chromedp.WaitVisible(`#items a[href="`+caseURL(demoHub, urgent)+`"]`))
	notes := b.eval(t, `JSON.stringify(window.__notes) + " beeps " + window.__beeps`)
	if !strings.Contains(notes, "Something urgent has arrived.") || strings.Contains(notes, "SECRET") || strings.Contains(notes, "beeps 0") {
		t.Fatalf("the urgent case raised %s", notes)
	}
	if len(b.dialogsSeen()) != 0 {
		t.Fatalf("dialogs: %q", b.dialogsSeen())
	}
	// Nothing of the session stays on disk in plaintext: not in the
	// browser's profile (no-store, no autofill, searches not in its
	// history), not in the desk's folder, not in its log.
	canaries := []string{"grey car follows", "Via Roma", "We have seen it", "called the lawyer", "change your route", "They are at my door", "grey+car", "grey%20car", "grey car"}
	if found := b.closeAndScan(t, canaries...); len(found) != 0 {
		t.Errorf("the browser keeps plaintext on disk:\n%s", strings.Join(found, "\n"))
	}
	if found := scanTree(t, f.dir, "", canaries...); len(found) != 0 {
		t.Errorf("the desk's folder holds plaintext:\n%s", strings.Join(found, "\n"))
	}
	for _, c := range canaries {
		if strings.Contains(f.logs.String(), c) {
			t.Errorf("the desk's log holds %q", c)
		}
	}
	writeDocShot(t, "inbox.png", shot)
	writeDocShot(t, "case.png", caseShot)
}

// writeDocShot refreshes a screenshot of docs/desk when DIFESA_DOCS_SHOTS
// is set (the committed ones are made that way).
func writeDocShot(t *testing.T, name string, png []byte) {
	if os.Getenv("DIFESA_DOCS_SHOTS") == "" {
		return
	}
	dir := filepath.Join("..", "..", "docs", "desk")
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
