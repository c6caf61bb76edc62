package web_test

// Hub forms in a real Chromium with JavaScript on: the page renders the
// signed form in the visitor's language with live conditions and sends a
// bundle the responder opens with form.OpenBundle; and a hub that has been
// taken over (a proxy in front of the real server that rewrites what it
// serves) cannot make the page send answers to a form the admin key did
// not sign as it is: each attempt is refused with its stable code, and the
// server receives nothing.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/chrome"
	"difesa.org/difesa/internal/testutil/tool"
	"difesa.org/difesa/internal/wire"
)

// publish publishes a signed form through the API.
func publish(t *testing.T, srv *testserver.Server, s *wire.SignedForm) {
	t.Helper()
	body, _ := json.Marshal(s)
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/hubs/demo/forms", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r := send(t, req); r.status != http.StatusCreated {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
}

// signRaw signs f's JSON as it is, without the checks of form.Sign: what
// a careless signer or a forged form would look like to the page.
func signRaw(t *testing.T, sk *manifest.SecretKey, f *form.Form) *wire.SignedForm {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return &wire.SignedForm{Form: b, Signature: sk.SignDetached(b)}
}

func evalBool(t *testing.T, ctx context.Context, js string) bool {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[bool](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

func TestBrowserFormConditionalTwoLanguages(t *testing.T) {
	srv := testserver.New(t)
	s := publishForm(t, srv)
	ctx := newBrowser(t)

	// English: the questions of the signed form, its version checked.
	step(t, ctx, "form page en",
		chromedp.Navigate(srv.HubURL+"/forms/safety?lang=en"),
		chromedp.WaitVisible("#form-checked"),
		chromedp.WaitEnabled("#f-details"),
	)
	for sel, want := range map[string]string{
		"#form-title": "Safety", "#q-setting": "Where? (required)", "#f-setting-school": "", "#q-safe_now": "Are you safe now?",
		"#form-checked": "Form safety, version 1",
	} {
		if want != "" && !strings.Contains(text(t, ctx, sel), want) {
			t.Errorf("en: %s is %q, want %q in it", sel, text(t, ctx, sel), want)
		}
	}
	if !strings.Contains(text(t, ctx, `label[for="f-setting-school"]`), "School") || !strings.Contains(text(t, ctx, `label[for="f-safe_now-no"]`), "No") {
		t.Errorf("en: choices not in English")
	}
	if evalBool(t, ctx, `document.querySelector("ol.questions").checkVisibility()`) {
		t.Errorf("en: the server's rendering of the questions is shown besides the verified form")
	}
	screenshot(t, ctx, "form-en")

	// Italian: fill in, with the condition shown and hidden live.
	step(t, ctx, "form page it",
		chromedp.Navigate(srv.HubURL+"/forms/safety?lang=it"),
		chromedp.WaitEnabled("#f-details"),
	)
	if got := text(t, ctx, "#form-title"); got != "Sicurezza" {
		t.Errorf("it: title %q", got)
	}
	if got := text(t, ctx, `label[for="f-safe_now-yes"]`); !strings.Contains(got, "Sì") {
		t.Errorf("it: yes is %q", got)
	}
	// Nothing answered: the page names the first required question, sends nothing.
	step(t, ctx, "send empty", chromedp.Click("#send"), chromedp.WaitVisible("#error"))
	if got := text(t, ctx, "#error"); got != "Rispondi a questa domanda: Dove?" {
		t.Errorf("it: sending an empty form says %q", got)
	}
	danger := `document.getElementById("q-danger").checkVisibility()`
	if evalBool(t, ctx, danger) {
		t.Fatalf("the conditional question is shown before its condition holds")
	}
	step(t, ctx, "not safe", chromedp.Click("#f-safe_now-no"), chromedp.WaitVisible("#f-danger"))
	if got := text(t, ctx, `label[for="f-danger"]`); !strings.Contains(got, "Che pericolo corri?") {
		t.Errorf("it: the conditional question is %q", got)
	}
	// The page hides it within the click's change event.
	step(t, ctx, "safe", chromedp.Click("#f-safe_now-yes"))
	if evalBool(t, ctx, danger) {
		t.Errorf("the conditional question stays shown once its condition no longer holds")
	}
	narrative := "Mi aspettano fuori.\nOgni sera. «Ünïcødé» ✓"
	step(t, ctx, "fill",
		chromedp.Click("#f-safe_now-no"), chromedp.WaitVisible("#f-danger"),
		chromedp.Click("#f-setting-school"),
		chromedp.SendKeys("#f-danger", narrative),
		chromedp.SendKeys("#f-details", "Via Roma"),
	)
	screenshot(t, ctx, "form-filled-it")
	step(t, ctx, "send", chromedp.Click("#send"), chromedp.WaitVisible("#codename"))
	cn, err := codename.Parse(text(t, ctx, "#codename"))
	if err != nil {
		t.Fatalf("no codename shown: %v", err)
	}
	keys, _ := codename.Derive(cn, "demo")

	// The responder reads the answers under their questions, in Italian.
	resp := login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile))
	subs := resp.submissions()
	if len(subs) != 1 || subs[0].Kind != "report" {
		t.Fatalf("submissions: %+v", subs)
	}
	o, _ := resp.open(subs[0].ID)
	if o.Envelope.Language != "it" || o.Envelope.ReplyRecipient != keys.Recipient || o.Report != nil {
		t.Errorf("envelope %+v, report %+v", o.Envelope, o.Report)
	}
	if want := append(form.MarshalSigned(s), '\n'); !bytes.Equal(o.Form.Form, want) {
		t.Errorf("form.json is not the signed form:\n%s", o.Form.Form)
	}
	var info wire.HubInfo
	json.Unmarshal([]byte(get(t, srv.URL+"/api/v1/hubs/demo").body), &info)
	pub, err := manifest.ParsePublicKey(info.AdminKey)
	if err != nil {
		t.Fatal(err)
	}
	filled, err := form.OpenBundle(o.Form, o.Files, pub, "demo")
	if err != nil {
		t.Fatalf("OpenBundle: %v", err)
	}
	want, _ := (&form.Answers{Form: "safety", Version: 1, Hash: form.Hash(s.Form), Answers: map[string][]string{
		"setting": {"school"}, "safe_now": {"no"}, "danger": {narrative}, "details": {"Via Roma"},
	}}).Marshal()
	if got, _ := filled.Answers.Marshal(); !bytes.Equal(got, want) || !bytes.Equal(o.Form.Answers, append(want, '\n')) {
		t.Errorf("answers\n%s\nwant\n%s", got, want)
	}
	var qa []string
	for _, fl := range filled.Form.Fields {
		if v, ok := filled.Answers.Answers[fl.ID]; ok {
			qa = append(qa, filled.Form.In(fl.Label, "it")+" "+strings.Join(filled.Form.Value(&fl, v, "it"), ", "))
		}
	}
	if got := strings.Join(qa, " | "); !strings.Contains(got, "Dove? Scuola") || !strings.Contains(got, "Che pericolo corri? "+narrative) {
		t.Errorf("the responder reads %q", got)
	}
}

// takenOver is a proxy in front of the real server that, when told to,
// rewrites the signed form the form page carries and the one the API
// serves: a server that has been taken over.
type takenOver struct {
	URL string
	mu  sync.Mutex
	// page replaces the form page's #formdata; api the API's signed form.
	page, api *wire.SignedForm
}

var formdataRE = regexp.MustCompile(`(?s)<script type="application/json" id="formdata">.*?</script>`)

func newTakenOver(t *testing.T, srv *testserver.Server) *takenOver {
	target, _ := url.Parse(srv.URL)
	p := &takenOver{}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host
		r.Out.Header.Del("Accept-Encoding") // plain bodies, to rewrite
	}}
	rp.ModifyResponse = func(res *http.Response) error {
		p.mu.Lock()
		page, api := p.page, p.api
		p.mu.Unlock()
		var body []byte
		switch path := res.Request.URL.Path; {
		case path == "/hubs/demo/forms/safety" && page != nil:
			b, err := io.ReadAll(res.Body)
			if err != nil {
				return err
			}
			data, _ := json.Marshal(map[string]string{"id": "safety", "signed": string(form.MarshalSigned(page))})
			body = formdataRE.ReplaceAllLiteral(b, []byte(`<script type="application/json" id="formdata">`+string(data)+`</script>`))
		case path == "/api/v1/hubs/demo/forms/safety" && api != nil:
			body = form.MarshalSigned(api)
		default:
			return nil
		}
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(body))
		res.ContentLength = int64(len(body))
		res.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	p.URL = ts.URL
	return p
}

func (p *takenOver) serve(page, api *wire.SignedForm) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.page, p.api = page, api
}

// TestBrowserFormAttacks: each way a taken-over hub could make the page
// send answers to a form other than the one the admin key signed is
// refused in the page with its stable code, and nothing reaches the
// server.
func TestBrowserFormAttacks(t *testing.T) {
	srv := testserver.New(t)
	sk := srv.AdminKey(t)
	v1 := testserver.SignForm(t, sk, testserver.NewForm("demo", "safety", 1))
	publish(t, srv, v1)
	v2 := testserver.SignForm(t, sk, testserver.NewForm("demo", "safety", 2))
	publish(t, srv, v2)
	evil := newTakenOver(t, srv)
	resp := login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile))
	ctx := newBrowser(t)

	other, err := manifest.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	large := testserver.NewForm("demo", "safety", 3)
	for i := len(large.Fields); i <= form.MaxFields; i++ {
		large.Fields = append(large.Fields, form.Field{ID: fmt.Sprintf("extra_%d", i), Type: form.TypeShortText, Label: form.Text{"it": "Altro", "en": "More"}})
	}
	loop := testserver.NewForm("demo", "safety", 3)
	loop.Fields = []form.Field{
		{ID: "a", Type: form.TypeYesNo, Label: form.Text{"it": "A?", "en": "A?"}, ShowIf: &form.Condition{Field: "b", Values: []string{form.Yes}}},
		{ID: "b", Type: form.TypeYesNo, Label: form.Text{"it": "B?", "en": "B?"}, ShowIf: &form.Condition{Field: "a", Values: []string{form.Yes}}},
	}

	refusedAtLoad := []struct {
		name, code string
		page       *wire.SignedForm
	}{
		{"unsigned", wire.CodeFormUnsigned, testserver.SignForm(t, other, testserver.NewForm("demo", "safety", 3))},
		{"over the limits", wire.CodeFormTooLarge, signRaw(t, sk, large)},
		{"looping conditions", wire.CodeFormBadCondition, signRaw(t, sk, loop)},
	}
	for _, tc := range refusedAtLoad {
		t.Run(tc.name, func(t *testing.T) {
			evil.serve(tc.page, nil)
			step(t, ctx, "form page", chromedp.Navigate(evil.URL+"/hubs/demo/forms/safety?lang=en"), chromedp.WaitVisible("#form-refused"))
			if got := text(t, ctx, "#form-refused"); !strings.Contains(got, "Do not send") || !strings.Contains(got, tc.code) {
				t.Errorf("refusal %q, want the code %s", got, tc.code)
			}
			if evalBool(t, ctx, `document.getElementById("compose").checkVisibility() || document.querySelector("ol.questions").checkVisibility()`) {
				t.Errorf("the refused form's questions are shown")
			}
			screenshot(t, ctx, "form-refused-"+strings.ReplaceAll(tc.name, " ", "-"))
		})
	}

	// Refused just before sending: the page loaded the current version 2,
	// then the hub serves version 1 (a rollback), or a newer version 3
	// published in between (a swap).
	v3 := testserver.SignForm(t, sk, testserver.NewForm("demo", "safety", 3))
	refusedAtSend := []struct {
		name, code string
		swap       func()
	}{
		{"rolled back", wire.CodeFormRollback, func() { evil.serve(nil, v1) }},
		{"swapped", wire.CodeFormMismatch, func() { evil.serve(nil, nil); publish(t, srv, v3) }},
	}
	for _, tc := range refusedAtSend {
		t.Run(tc.name, func(t *testing.T) {
			evil.serve(nil, nil)
			step(t, ctx, "form page",
				chromedp.Navigate(evil.URL+"/hubs/demo/forms/safety?lang=en"),
				chromedp.WaitEnabled("#f-details"),
				chromedp.Click("#f-setting-work"),
				chromedp.Click("#f-safe_now-yes"),
				chromedp.SendKeys("#f-details", "they know where I live"),
			)
			tc.swap()
			step(t, ctx, "send", chromedp.Click("#send"), chromedp.WaitVisible("#form-refused"))
			if got := text(t, ctx, "#form-refused"); !strings.Contains(got, "Do not send") || !strings.Contains(got, tc.code) {
				t.Errorf("refusal %q, want the code %s", got, tc.code)
			}
			if evalBool(t, ctx, `document.getElementById("done").checkVisibility() || !document.getElementById("send").disabled`) {
				t.Errorf("the page still offers to send, or says it sent")
			}
			if !evalBool(t, ctx, `document.getElementById("f-details").value === "they know where I live"`) {
				t.Errorf("what the defender wrote is gone")
			}
			screenshot(t, ctx, "form-refused-"+strings.ReplaceAll(tc.name, " ", "-"))
		})
	}
	if subs := resp.submissions(); len(subs) != 0 {
		t.Fatalf("the server received %d submissions", len(subs))
	}
}

// TestBrowserFormPageWeight: a form page loads app.js and form.js (4
// requests, all to the hub's origin) and stays within 4 requests and
// 90 KB: the report page's 80 KB and the form runtime (docs/web.md).
func TestBrowserFormPageWeight(t *testing.T) {
	srv := testserver.New(t)
	publishForm(t, srv)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	origin, _ := url.Parse(srv.URL)
	var mu sync.Mutex
	var urls []string
	var bytesIn float64
	finished := 0
	chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls = append(urls, e.Request.URL)
		case *network.EventLoadingFinished:
			bytesIn += e.EncodedDataLength
			finished++
		}
	})
	step(t, ctx, "load", chromedp.Navigate(srv.HubURL+"/forms/safety?lang=en"), chromedp.WaitEnabled("#f-details"))
	// Both scripts ran once the form is enabled; the last loading-finished
	// events may still be on their way: wait until every request has
	// finished, within a bound.
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		done := finished >= len(urls)
		mu.Unlock()
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the page's requests did not all finish")
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, u := range urls {
		if p, err := url.Parse(u); err != nil || p.Host != origin.Host {
			t.Errorf("request to another origin: %s", u)
		}
	}
	t.Logf("form page: %d requests, %.0f bytes over the network", len(urls), bytesIn)
	if len(urls) > 4 || bytesIn > 90_000 {
		t.Errorf("form page: %d requests, %.0f bytes; budget 4 requests, 90 KB", len(urls), bytesIn)
	}
}

// TestBrowserFormOfflineStockAge: with JavaScript off, the form page shows
// the questions and the offline route; the template it links to, filled
// in, encrypted with stock age to the hub's recipients.txt and uploaded
// through the page's plain form, reads back as the form's answers
// (TestFormPageWithoutJavaScript does the same over plain HTTP, with
// filippo.io/age as a library).
func TestBrowserFormOfflineStockAge(t *testing.T) {
	// The real age command, built from the module this project depends
	// on (`go tool age`): Debian's age 1.1 predates the post-quantum
	// recipients hubs use.
	tool.Need(t, "go", "install Go")
	chrome.Find(t)
	ageBin := filepath.Join(t.TempDir(), "age")
	if out, err := exec.Command("go", "build", "-o", ageBin, "filippo.io/age/cmd/age").CombinedOutput(); err != nil {
		t.Fatalf("building age: %v\n%s", err, out)
	}
	srv := testserver.New(t)
	s := publishForm(t, srv)
	f, _ := form.Parse(s.Form)
	ctx := newBrowser(t)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "form page", chromedp.Navigate(srv.HubURL+"/forms/safety?lang=it"), chromedp.WaitVisible("ol.questions"))
	if got := text(t, ctx, "ol.questions"); !strings.Contains(got, "Sei al sicuro ora?") || !strings.Contains(got, "Che pericolo corri?") {
		t.Errorf("questions without JavaScript: %q", got)
	}
	if evalBool(t, ctx, `document.getElementById("compose").checkVisibility()`) {
		t.Errorf("the script's form is shown without JavaScript")
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href*="template.txt"]').href`))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := get(t, href)
	filled := strings.NewReplacer(
		"## setting\n", "## setting\nwork\n",
		"## safe_now\n", "## safe_now\nno\n",
		"## danger\n", "## danger\nMi seguono.\n",
	).Replace(tmpl.body)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "recipients.txt"), []byte(get(t, srv.HubURL+"/recipients.txt").body), 0o600)
	os.WriteFile(filepath.Join(dir, "safety.txt"), []byte(filled), 0o600)
	if out, err := exec.Command(ageBin, "-R", filepath.Join(dir, "recipients.txt"), "-o", filepath.Join(dir, "report.age"), filepath.Join(dir, "safety.txt")).CombinedOutput(); err != nil {
		t.Fatalf("age: %v %s", err, out)
	}
	step(t, ctx, "upload",
		chromedp.Navigate(srv.HubURL+"/upload?lang=it"),
		chromedp.SetUploadFiles("#file", []string{filepath.Join(dir, "report.age")}),
		chromedp.Submit("#file"),
		chromedp.WaitVisible("p.ok"),
	)
	resp := login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile))
	subs := resp.submissions()
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	o, _ := resp.open(subs[0].ID)
	ft, err := form.ParseTemplate([]byte(o.Message))
	if err != nil {
		t.Fatalf("the upload is not the template: %v", err)
	}
	a, err := ft.Answers(f, form.Hash(s.Form))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(a.Answers); got != "map[danger:[Mi seguono.] safe_now:[no] setting:[work]]" {
		t.Errorf("answers %s", got)
	}
}
