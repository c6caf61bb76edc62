package web_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/bidi"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/web"
	"difesa.org/difesa/internal/wire"
)

// ffPick opens the hub's home page as Tor Browser does, asking for en-US,
// and chooses lang in the language picker.
func ffPick(t *testing.T, b *bidi.Browser, srv *testserver.Server, lang string) {
	t.Helper()
	b.Navigate(srv.HubURL + "/")
	var html string
	b.Eval(`document.documentElement.lang`, &html)
	if html != "en" {
		t.Errorf("Tor Browser's en-US gives a page in %q", html)
	}
	ffFollow(b, fmt.Sprintf(`nav.langs a[hreflang=%q]`, lang))
	ffLang(t, b, lang)
}

// ffReportFlow: the language picker, a report with two attachments typed
// with the keyboard, the codename screen, the responder reads it and
// replies, the defender reads the reply and follows up; every page in the
// language picked.
func ffReportFlow(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	id := loadIdentity(t, srv.IdentityFile)
	api := srv.URL + "/api/v1/hubs/demo"
	dir := t.TempDir()
	photo := bytes.Repeat([]byte("not really a jpeg \x00\xff "), 4000)
	notes := []byte("targa AB123CD\n")
	os.WriteFile(filepath.Join(dir, "fotografía del coche.jpg"), photo, 0o600)
	os.WriteFile(filepath.Join(dir, "note.txt"), notes, 0o600)
	narrative := "Telefonate anonime ogni notte dal 1° marzo.\nSanno il mio indirizzo. «Ünïcødé» ✓"

	ffPick(t, b, srv, "it")
	ffFollow(b, `header nav a[href^="/hubs/demo/report"]`)
	ffLang(t, b, "it")
	b.WaitFor(bidi.Enabled("#narrative"), ffWait)
	b.WaitFor(bidi.Visible("#epoch"), ffWait)
	if fp := b.Text("#fingerprint"); !strings.Contains(get(t, api).body, fp) || len(fp) != 49 {
		t.Errorf("page shows fingerprint %q, not the hub's", fp)
	}
	b.Eval(`document.querySelector('#category').value = 'threats'`, nil)
	b.Type("#narrative", narrative)
	b.Type("#where", "Bologna")
	b.Type("#when", "da marzo")
	b.SetFiles("#files", filepath.Join(dir, "fotografía del coche.jpg"), filepath.Join(dir, "note.txt"))
	b.Click("#send")
	b.WaitFor(bidi.Visible("#codename"), ffWait)
	shown := b.Text("#codename")
	ffShot(t, b, "codename-"+strings.ToLower(b.Level.String()))
	got := checkReportReceived(t, api, id, shown, sentReport{category: "threats", narrative: narrative, where: "Bologna", when: "da marzo",
		language: "it", files: map[string][]byte{"fotografía del coche.jpg": photo, "note.txt": notes}})
	resp, sub := got.resp, got.sub

	// The codename is dropped once written down.
	b.Click("#written")
	b.WaitFor(bidi.Visible("#after"), ffWait)
	if s := b.Text("#codename"); s != "" {
		t.Errorf("codename still in the page: %q", s)
	}

	// The responder replies.
	replyText := "Abbiamo ricevuto la segnalazione. Siete al sicuro stanotte?"
	got.reply(t, srv, id, "it", replyText, "consigli.txt")

	// The defender follows the link of the codename screen, reads the
	// reply with the codename, and follows up.
	ffFollow(b, `#after a`)
	ffLang(t, b, "it")
	b.WaitFor(bidi.Enabled("#code"), ffWait)
	b.Type("#code", strings.ToUpper(shown))
	b.Press(bidi.Enter)
	b.WaitFor(bidi.Visible("#messages li.reply .text"), ffWait)
	if got := b.Text("#messages li.reply .text"); got != replyText {
		t.Errorf("reply shown as %q", got)
	}
	if got := b.Text("#messages li.reply a"); !strings.Contains(got, "consigli.txt") {
		t.Errorf("reply attachment link %q", got)
	}
	ffShot(t, b, "replies-"+strings.ToLower(b.Level.String()))
	follow := "Sono tornati oggi. Due auto."
	b.WaitFor(bidi.Enabled("#narrative"), ffWait)
	b.Type("#narrative", follow)
	b.Click("#followup button")
	b.WaitFor(bidi.Visible("#messages li:nth-child(3)"), ffWait)
	var thread wire.Thread
	resp.json("GET", "/threads/"+sub.ID, nil, &thread)
	if len(thread.Messages) != 3 || thread.Messages[2].Kind != "followup" {
		t.Fatalf("thread %+v", thread)
	}
	if fo, _ := resp.open(thread.Messages[2].ID); fo.Envelope.Kind != "followup" || fo.Report.Narrative != follow {
		t.Errorf("follow-up read back as %+v %+v", fo.Envelope, fo.Report)
	}
}

// ffAlertFlow sends an urgent alert from the alert page, reached by its
// link, in Polish.
func ffAlertFlow(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	id := loadIdentity(t, srv.IdentityFile)
	resp := login(t, srv.URL+"/api/v1/hubs/demo", id)
	before := len(resp.submissions())
	ffPick(t, b, srv, "pl")
	ffFollow(b, `header nav a.urgent`)
	ffLang(t, b, "pl")
	b.WaitFor(bidi.Enabled("#narrative"), ffWait)
	b.Type("#narrative", "Zatrzymali mnie na granicy.")
	b.Type("#where", "Przemyśl")
	b.Click("#send")
	b.WaitFor(bidi.Visible("#codename"), ffWait)
	if _, err := codename.Parse(b.Text("#codename")); err != nil {
		t.Errorf("no codename after an alert: %v", err)
	}
	subs := resp.submissions() // oldest first
	if len(subs) != before+1 || subs[before].Kind != "alert" {
		t.Fatalf("submissions after the alert: %+v", subs)
	}
	if o, _ := resp.open(subs[before].ID); o.Report.Narrative != "Zatrzymali mnie na granicy." || o.Report.Where != "Przemyśl" || o.Envelope.Language != "pl" {
		t.Errorf("alert read back as %+v %+v", o.Envelope, o.Report)
	}
}

// ffUploadFlow uploads a file encrypted offline with age through the
// plain form, and a plaintext file, which is refused and stores nothing.
func ffUploadFlow(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	id := loadIdentity(t, srv.IdentityFile)
	resp := login(t, srv.URL+"/api/v1/hubs/demo", id)
	before := len(resp.submissions())
	rcpts, err := age.ParseRecipients(strings.NewReader(get(t, srv.HubURL+"/recipients.txt").body))
	if err != nil {
		t.Fatal(err)
	}
	narrative := "cifrato offline, " + b.Level.String()
	var rep bytes.Buffer
	bundle.Write(&rep, bundle.NewEnvelope("report", "es", time.Now()), &bundle.Report{Category: "surveillance", Narrative: narrative}, nil)
	dir := t.TempDir()
	ageFile := filepath.Join(dir, "report.age")
	os.WriteFile(ageFile, encrypt(t, rep.Bytes(), false, rcpts...), 0o600)

	ffPick(t, b, srv, "es")
	ffFollow(b, `header nav a[href^="/hubs/demo/upload"]`)
	ffLang(t, b, "es")
	b.SetFiles("#file", ageFile)
	ffFollow(b, `main form button[type=submit]`)
	ffLang(t, b, "es")
	subs := resp.submissions() // oldest first
	if len(subs) != before+1 {
		t.Fatalf("%d submissions after the upload, want %d", len(subs), before+1)
	}
	if s, want := b.Text("p.ok"), web.T("es", "upload_done", subs[before].ID); s != want {
		t.Errorf("upload answer %q, want %q", s, want)
	}
	if o, _ := resp.open(subs[before].ID); o.Report.Narrative != narrative {
		t.Errorf("read back %+v", o.Report)
	}

	plain := filepath.Join(dir, "report.txt")
	os.WriteFile(plain, []byte("never upload this"), 0o600)
	b.Navigate(srv.HubURL + "/upload?lang=es")
	b.SetFiles("#file", plain)
	ffFollow(b, `main form button[type=submit]`)
	if b.Text("p.error") == "" {
		t.Error("a plaintext upload got no error")
	}
	if n := len(resp.submissions()); n != before+1 {
		t.Errorf("%d submissions after a refused upload", n)
	}
}

// ffCheckinFlow checks in with the keyboard alone, with the real code and
// with the duress code: the same page for both. The answer names the next
// deadline to the minute, so the flow has a server of its own whose clock
// stands still (at 12:00 UTC): on the real clock the minute could turn
// between the two check-ins, and the pages differ.
func ffCheckinFlow(t *testing.T, b *bidi.Browser) {
	srv := testserver.NewWithOptions(t, config.Default(), testserver.Options{Now: instants.NewClock(instants.All(t)[2].T).Now})
	id := loadIdentity(t, srv.IdentityFile)
	api := srv.URL + "/api/v1/hubs/demo"
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
		ffPick(t, b, srv, "fr")
		ffFollow(b, `header nav a[href^="/hubs/demo/checkin"]`)
		b.Type("#code", c)
		b.Loads(func() { b.Press(bidi.Enter) })
		ffLang(t, b, "fr")
		answers = append(answers, b.Text("p.ok"))
	}
	if answers[0] == "" || answers[0] != answers[1] {
		t.Errorf("check-in answers %q", answers)
	}
	if want := "2026-11-24 12:00 UTC"; !strings.Contains(answers[0], want) {
		t.Errorf("check-in answer %q does not name the next deadline, %s", answers[0], want)
	}
}

// ffNewsFlow reads a signed bulletin on the news page, reached from the
// home page, in Italian.
func ffNewsFlow(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	ident := "demo-ff-" + strings.ToLower(b.Level.String())
	publishBulletin(t, srv, demoAdminKey(t, srv), testserver.NewAlert("difesa-demo", ident, "Alert"))
	ffPick(t, b, srv, "it")
	ffFollow(b, `a[href="/hubs/demo/news?lang=it"]`)
	ffLang(t, b, "it")
	if s := b.Text("article.bulletin h2"); s != "Auto sospetta davanti alle sedi" {
		t.Errorf("headline %q", s)
	}
	body := b.Text("article.bulletin")
	for _, want := range []string{"Bologna", "Non parlate di casi aperti al telefono.", "Documento CAP", "Firma"} {
		if !strings.Contains(body, want) {
			t.Errorf("the bulletin lacks %q", want)
		}
	}
}

// ffVerifyFlow: the verify page shows the fingerprint the API announces,
// and the report page the same one (computed by the script when it runs).
func ffVerifyFlow(t *testing.T, b *bidi.Browser, srv *testserver.Server) {
	var info wire.HubInfo
	if err := json.Unmarshal([]byte(get(t, srv.URL+"/api/v1/hubs/demo").body), &info); err != nil || info.AdminFingerprint == "" {
		t.Fatalf("hub info: %v", err)
	}
	ffPick(t, b, srv, "ro")
	ffFollow(b, `header nav a[href^="/hubs/demo/verify"]`)
	ffLang(t, b, "ro")
	if fp := b.Text("#fingerprint"); fp != info.AdminFingerprint {
		t.Errorf("verify page shows %q, the hub announces %q", fp, info.AdminFingerprint)
	}
	b.Navigate(srv.HubURL + "/report?lang=ro")
	if b.Level.JavaScript() {
		b.WaitFor(bidi.Visible("#epoch"), ffWait)
	}
	if fp := b.Text("#fingerprint"); fp != info.AdminFingerprint {
		t.Errorf("report page shows %q, the hub announces %q", fp, info.AdminFingerprint)
	}
}
