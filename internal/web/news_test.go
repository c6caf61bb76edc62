package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testserver"
)

// demoAdminKey reads the demo hub's admin key.
func demoAdminKey(t testing.TB, srv *testserver.Server) *manifest.SecretKey {
	t.Helper()
	f, err := os.Open(srv.AdminKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sk, err := manifest.ParseSecretKeyFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

// publishBulletin publishes a at the demo hub through the API.
func publishBulletin(t testing.TB, srv *testserver.Server, sk *manifest.SecretKey, a *cap.Alert) {
	t.Helper()
	body, _ := json.Marshal(testserver.SignBulletin(t, sk, a))
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/hubs/demo/bulletins", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r := send(t, req); r.status != http.StatusCreated {
		t.Fatalf("publishing %s: %d %s", a.Identifier, r.status, r.body)
	}
}

func TestNewsPage(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	sk := demoAdminKey(t, srv)

	r := get(t, srv.HubURL+"/news?lang=it")
	if r.status != 200 || !strings.Contains(r.body, "Al momento non ci sono bollettini in vigore.") {
		t.Fatalf("empty news page: %d\n%s", r.status, r.body)
	}
	if !strings.Contains(get(t, srv.HubURL+"/?lang=it").body, `href="/hubs/demo/news?lang=it"`) {
		t.Error("the home page does not link to the news page")
	}

	first := testserver.NewAlert("difesa-demo", "demo-2026-001", "Alert")
	first.Infos[0].Description = "Riga uno.\n<script>alert(1)</script> & \"virgolette\""
	publishBulletin(t, srv, sk, first)

	it := get(t, srv.HubURL+"/news?lang=it").body
	for _, want := range []string{
		"Auto sospetta davanti alle sedi", `lang="it-IT"`, "Gravità", "Grave", "Prevista: agire presto", "Bologna",
		"Non parlate di casi aperti al telefono.", "2026-11-23 10:00 &#43;01:00", "2099-01-01 00:00 &#43;01:00",
		`href="/hubs/demo/bulletins/1.xml"`, `href="/hubs/demo/bulletins/1.sig"`, `href="/hubs/demo/bulletins"`,
		"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;virgolette&#34;",
	} {
		if !strings.Contains(it, want) {
			t.Errorf("Italian page lacks %q", want)
		}
	}
	if strings.Contains(it, "<script>alert") {
		t.Error("the page shows a document's markup unescaped")
	}
	en := get(t, srv.HubURL+"/news?lang=en").body
	if !strings.Contains(en, "Suspicious car outside offices") || !strings.Contains(en, `lang="en-US"`) || strings.Contains(en, "Auto sospetta") {
		t.Error("the English page does not show the English info block")
	}
	// No block in French: the first block, marked as Italian.
	fr := get(t, srv.HubURL+"/news?lang=fr").body
	if !strings.Contains(fr, "Auto sospetta davanti alle sedi") || !strings.Contains(fr, `lang="it-IT"`) || !strings.Contains(fr, "Gravité") {
		t.Error("the French page does not fall back to the first info block")
	}
	if pk := sk.Public().Fingerprint(); !strings.Contains(it, pk) {
		t.Errorf("the page does not show the admin key fingerprint %s", pk)
	}

	// An Update replaces the first; a Cancel then cancels the Update.
	update := testserver.NewAlert("difesa-demo", "demo-2026-002", "Update", testserver.RefTo(first))
	update.Sent = "2026-11-24T08:00:00+01:00"
	update.Infos[0].Headline = "L'auto è tornata"
	publishBulletin(t, srv, sk, update)
	it = get(t, srv.HubURL+"/news?lang=it").body
	current, earlier, _ := strings.Cut(it, "Bollettini precedenti")
	if !strings.Contains(current, "L&#39;auto è tornata") || !strings.Contains(current, "Questo bollettino aggiorna uno precedente.") || strings.Contains(current, "Auto sospetta") {
		t.Errorf("after the update, current bulletins:\n%s", current)
	}
	if !strings.Contains(earlier, "Auto sospetta davanti alle sedi") || !strings.Contains(earlier, "sostituito da un bollettino successivo") {
		t.Errorf("after the update, earlier bulletins:\n%s", earlier)
	}
	cancel := testserver.NewAlert("difesa-demo", "demo-2026-003", "Cancel", testserver.RefTo(update))
	cancel.Sent = "2026-11-25T08:00:00+01:00"
	cancel.Infos[0].Headline = "Allarme rientrato"
	publishBulletin(t, srv, sk, cancel)
	it = get(t, srv.HubURL+"/news?lang=it").body
	current, earlier, _ = strings.Cut(it, "Bollettini precedenti")
	if !strings.Contains(current, "Al momento non ci sono bollettini in vigore.") {
		t.Errorf("after the cancel, current bulletins:\n%s", current)
	}
	for _, want := range []string{"annullato", "annulla un bollettino precedente", "sostituito da un bollettino successivo", "Allarme rientrato"} {
		if !strings.Contains(earlier, want) {
			t.Errorf("after the cancel, earlier bulletins lack %q", want)
		}
	}
}

func TestNewsPageHeaders(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	r := get(t, srv.HubURL+"/news")
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}
	if r.header.Get("Cache-Control") != "no-store" || strings.Contains(r.body, "<script") {
		t.Errorf("news page: Cache-Control %q, or a script", r.header.Get("Cache-Control"))
	}
	if r := get(t, srv.URL+"/hubs/nohub/news"); r.status != 404 {
		t.Errorf("news of an unknown hub: %d", r.status)
	}
}
