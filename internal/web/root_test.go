package web_test

import (
	"encoding/json"
	"html"
	"strings"
	"testing"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/web"
	"difesa.org/difesa/internal/wire"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// TestRootLeadsToTheHubs: a browser at "/" gets a page, in its language,
// that says what difesad is and links to each hub, with the pages' strict
// headers.
func TestRootLeadsToTheHubs(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	for _, lang := range web.Langs() {
		for _, how := range []struct{ name, query, acceptLanguage string }{
			{"picker", "?lang=" + lang, ""},
			{"accept-language", "", lang + "-XX, en;q=0.5"},
		} {
			r := get(t, srv.URL+"/"+how.query, "Accept", browserAccept, "Accept-Language", how.acceptLanguage)
			if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
				t.Fatalf("%s by %s: %d %s\n%s", lang, how.name, r.status, r.header.Get("Content-Type"), r.body)
			}
			if !strings.Contains(r.body, `<html lang="`+lang+`"`) {
				t.Errorf("%s by %s: the page is not in %s", lang, how.name, lang)
			}
			for _, key := range []string{"root_intro", "root_hubs"} {
				if !strings.Contains(r.body, html.EscapeString(web.T(lang, key))) {
					t.Errorf("%s by %s: no %s", lang, how.name, key)
				}
			}
			if !strings.Contains(r.body, `<a href="/hubs/demo/?lang=`+lang+`">`) {
				t.Errorf("%s by %s: no link to the demo hub in %s:\n%s", lang, how.name, lang, r.body)
			}
			if strings.Contains(r.body, `"code"`) {
				t.Errorf("%s by %s: JSON in the page", lang, how.name)
			}
		}
	}
	r := get(t, srv.URL+"/", "Accept", browserAccept)
	for k, v := range map[string]string{"Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	csp := r.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
}

// TestRootKeepsJSONForAPIClients: clients that ask for JSON, or say
// nothing (curl), get the JSON answer of before.
func TestRootKeepsJSONForAPIClients(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	for _, accept := range []string{"application/json", "", "*/*", "text/html;q=0, application/json"} {
		r := get(t, srv.URL+"/", "Accept", accept)
		var body wire.ErrorBody
		if err := json.Unmarshal([]byte(r.body), &body); err != nil || body.Error == nil || body.Error.Code != wire.CodeNotFound || r.status != 404 {
			t.Errorf("Accept %q: %d %q", accept, r.status, r.body)
		}
	}
}

// TestFooterSaysOnlyWhatIsTrue: "the server never sees it" stands only on
// the pages that encrypt in the browser; the check-in page posts its code
// to the server, and the upload page takes a file encrypted elsewhere.
func TestFooterSaysOnlyWhatIsTrue(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	for _, lang := range web.Langs() {
		claim := html.EscapeString(web.T(lang, "footer"))
		for _, page := range pages {
			r := get(t, srv.HubURL+"/"+page+"?lang="+lang)
			encrypts := page == "report" || page == "alert" || page == "replies" || page == "checkin/start"
			if got := strings.Contains(r.body, claim); got != encrypts {
				t.Errorf("%s %q: footer claim shown = %v, want %v", lang, page, got, encrypts)
			}
			if !strings.Contains(r.body, "<footer>") {
				t.Errorf("%s %q: no footer", lang, page)
			}
		}
		r := get(t, srv.URL+"/?lang="+lang, "Accept", browserAccept)
		if strings.Contains(r.body, claim) {
			t.Errorf("%s root: footer claim shown", lang)
		}
	}
}

// TestUploadSaysItIsNotPadded: a file made with stock age goes up as it
// is, and its size shows; the upload page says so, in every language.
func TestUploadSaysItIsNotPadded(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	for _, lang := range web.Langs() {
		r := get(t, srv.HubURL+"/upload?lang="+lang)
		if !strings.Contains(r.body, html.EscapeString(web.T(lang, "upload_unpadded"))) {
			t.Errorf("%s: the upload page does not say that the file is not padded", lang)
		}
	}
}
