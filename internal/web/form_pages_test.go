package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// publishForm signs the conditional test form with the demo hub's admin
// key and publishes it through the API.
func publishForm(t *testing.T, srv *testserver.Server) *wire.SignedForm {
	t.Helper()
	sk := srv.AdminKey(t)
	s := testserver.SignForm(t, sk, testserver.NewForm("demo", "safety", 1))
	body, _ := json.Marshal(s)
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/hubs/demo/forms", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r := send(t, req); r.status != http.StatusCreated {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	return s
}

// TestFormPageWithoutJavaScript: the form page shows the signed form's
// questions in the visitor's language, says the page cannot check the
// signature and how to, and offers the offline template, which, filled
// in, encrypted with age to the hub's recipients.txt and uploaded with the
// no-JavaScript upload, reads back as the answers a bundle would hold.
// (Stock age is not installed here: filippo.io/age encrypts, as it would.)
func TestFormPageWithoutJavaScript(t *testing.T) {
	srv := testserver.New(t)
	s := publishForm(t, srv)
	f, _ := form.Parse(s.Form)
	hash := form.Hash(s.Form)

	for lang, want := range map[string][]string{
		"it": {"Sicurezza", "Sei al sicuro ora?", "Scuola", "difesa forms -hub", hash, "solo se “Sei al sicuro ora?” è no"},
		"en": {"Safety", "Are you safe now?", "School", "difesa forms -hub", hash, "only if “Are you safe now?” is no"},
	} {
		r := get(t, srv.HubURL+"/forms/safety?lang="+lang)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", lang, r.status, r.body)
		}
		for _, w := range want {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s: the page lacks %q", lang, w)
			}
		}
		// With JavaScript, app.js then form.js take over (form_browser_test.go);
		// the page loads no other script.
		srcs := regexp.MustCompile(`<script src="/hubs/demo/assets/([a-z]+\.js)\?v=[0-9a-f]+" defer></script>`).FindAllStringSubmatch(r.body, -1)
		if len(srcs) != 2 || srcs[0][1] != "app.js" || srcs[1][1] != "form.js" || strings.Count(r.body, "<script") != 5 {
			t.Errorf("%s: the form page's scripts: %q", lang, srcs)
		}
	}
	for _, path := range []string{"/forms/nope", "/forms/default", "/forms/safety/template.txt/x", "/forms/..%2fx"} {
		if r := get(t, srv.HubURL+path); r.status != 404 {
			t.Errorf("%s: %d, want 404", path, r.status)
		}
	}

	r := get(t, srv.HubURL+"/forms/safety/template.txt?lang=en")
	if r.status != 200 || r.header.Get("Content-Type") != "text/plain; charset=utf-8" ||
		r.header.Get("Content-Disposition") != `attachment; filename="safety.txt"` {
		t.Fatalf("template: %d %v", r.status, r.header)
	}
	filled := strings.NewReplacer(
		"## setting\n", "## setting\nschool\n",
		"## safe_now\n", "## safe_now\nno\n",
		"## danger\n", "## danger\nThey wait outside.\nEvery night.\n",
	).Replace(r.body)

	rec := get(t, srv.HubURL+"/recipients.txt")
	recipients, err := age.ParseRecipients(strings.NewReader(rec.body))
	if err != nil || len(recipients) == 0 {
		t.Fatalf("recipients.txt: %v", err)
	}
	ct := encrypt(t, []byte(filled), false, recipients...)
	if up := postFile(t, srv.HubURL+"/upload", "report", ct); up.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", up.status, up.body)
	}

	resp := login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile))
	subs := resp.submissions()
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	o, _ := resp.open(subs[0].ID)
	if o.IsBundle || !form.IsTemplate([]byte(o.Message)) {
		t.Fatalf("the upload is not the template: %q", o.Message)
	}
	ft, err := form.ParseTemplate([]byte(o.Message))
	if err != nil {
		t.Fatal(err)
	}
	a, err := ft.Answers(f, hash)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := a.Marshal()
	want, _ := (&form.Answers{Form: "safety", Version: 1, Hash: hash, Answers: map[string][]string{
		"setting": {"school"}, "safe_now": {"no"}, "danger": {"They wait outside.\nEvery night."},
	}}).Marshal()
	if !bytes.Equal(got, want) {
		t.Fatalf("answers\n%s\nwant\n%s", got, want)
	}
}

// TestHomeOffersForms: the home page lists the hub's forms by title, in
// the visitor's language, each linking to its page; without forms, no list.
func TestHomeOffersForms(t *testing.T) {
	srv := testserver.New(t)
	if r := get(t, srv.HubURL+"/?lang=en"); strings.Contains(r.body, "/forms/") {
		t.Fatalf("a hub without forms lists some")
	}
	publishForm(t, srv)
	for lang, title := range map[string]string{"it": "Sicurezza", "en": "Safety", "fr": "Sicurezza"} {
		r := get(t, srv.HubURL+"/?lang="+lang)
		if want := `<a href="/hubs/demo/forms/safety?lang=` + lang + `">` + title + `</a>`; !strings.Contains(r.body, want) {
			t.Errorf("%s: the home page lacks %s", lang, want)
		}
	}
}

// TestFormPageLargeForm: a form near the limits (its signed transport
// form well over 64 KiB) still gets its page, its template and its place
// on the home page: the pages read the API's whole answer.
func TestFormPageLargeForm(t *testing.T) {
	srv := testserver.New(t)
	sk := srv.AdminKey(t)
	f := testserver.NewForm("demo", "large", 1)
	for i := len(f.Fields); i < form.MaxFields; i++ {
		f.Fields = append(f.Fields, form.Field{ID: fmt.Sprintf("q%d", i), Type: form.TypeShortText,
			Label: form.Text{"it": fmt.Sprintf("Domanda %d ", i) + strings.Repeat("è", 480), "en": fmt.Sprintf("Question %d ", i) + strings.Repeat("e", 480)}})
	}
	s := testserver.SignForm(t, sk, f)
	if n := len(form.MarshalSigned(s)); n < 128<<10 {
		t.Fatalf("the test form is only %d bytes", n)
	}
	body, _ := json.Marshal(s)
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/hubs/demo/forms", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r := send(t, req); r.status != http.StatusCreated {
		t.Fatalf("publish: %d %s", r.status, r.body)
	}
	if r := get(t, srv.HubURL+"/forms/large?lang=en"); r.status != 200 || !strings.Contains(r.body, "Question 99 ") {
		t.Errorf("form page: %d", r.status)
	}
	if r := get(t, srv.HubURL+"/forms/large/template.txt?lang=en"); r.status != 200 || !strings.Contains(r.body, "## q99") {
		t.Errorf("template: %d", r.status)
	}
	if r := get(t, srv.HubURL+"/?lang=en"); !strings.Contains(r.body, "/hubs/demo/forms/large?lang=en") {
		t.Errorf("the home page does not offer the large form")
	}
}
