package web_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/web"
	"difesa.org/difesa/internal/wire"
)

// armCheckin sets up a check-in through the API, as the start page does,
// and returns its two codes.
func armCheckin(t *testing.T, srv *testserver.Server, every string) (code, duress codename.Codename) {
	t.Helper()
	code, _ = codename.Generate()
	duress, _ = codename.Generate()
	enc := func(s string) string { v := checkinVerifier(s); return base64.RawURLEncoding.EncodeToString(v[:]) }
	id := loadIdentity(t, srv.IdentityFile)
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/hubs/demo/checkins?every="+every, bytes.NewReader(encrypt(t, []byte("call my lawyer"), false, id.Recipient())))
	req.Header.Set("Content-Type", wire.MediaTypeAge)
	req.Header.Set(wire.HeaderCheckinVerifier, enc(code.String()))
	req.Header.Set(wire.HeaderDuressVerifier, enc(duress.String()))
	if r := send(t, req); r.status != 201 {
		t.Fatalf("arm: %d %s", r.status, r.body)
	}
	return code, duress
}

// postCode posts a code to one of the check-in forms, as a browser without
// JavaScript does, accepting gzip as browsers do.
func postCode(t *testing.T, url_, code string) response {
	t.Helper()
	req, _ := http.NewRequest("POST", url_, strings.NewReader(url.Values{"code": {code}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	return send(t, req)
}

// sameAnswer fails the test unless the two answers have the same status,
// the same body, byte for byte, and the same headers but Date.
func sameAnswer(t *testing.T, what string, normal, forced response) {
	t.Helper()
	if normal.status != forced.status {
		t.Errorf("%s: status %d after the check-in code, %d after the duress code", what, normal.status, forced.status)
	}
	if normal.body != forced.body {
		t.Errorf("%s: the duress code's page differs from the check-in code's", what)
	}
	n, f := normal.header.Clone(), forced.header.Clone()
	n.Del("Date")
	f.Del("Date")
	if len(n) != len(f) {
		t.Errorf("%s: headers differ:\n%v\n%v", what, n, f)
	}
	for k, v := range n {
		if strings.Join(v, "\n") != strings.Join(f.Values(k), "\n") {
			t.Errorf("%s: header %s is %q after the check-in code, %q after the duress code", what, k, v, f.Values(k))
		}
	}
}

// TestCheckinPagesDuressIndistinguishable: on the pages without
// JavaScript, checking in and ending check-ins with the duress code give
// the same status, headers and page, byte for byte, as with the check-in
// code; only the hub learns the difference (a duress event, and the timer
// goes on). At every instant of the calendar set, on the server's clock.
func TestCheckinPagesDuressIndistinguishable(t *testing.T) {
	t.Parallel()
	for _, at := range instants.All(t) {
		t.Run(at.Name, func(t *testing.T) {
			t.Parallel()
			clock := instants.NewClock(at.T)
			srv := testserver.NewWithOptions(t, config.Default(), testserver.Options{Now: clock.Now})
			code, duress := armCheckin(t, srv, "24h")
			st := srv.Instance.Store
			events := watchEvents(t, srv)

			// Check in: the page names the next deadline; the duress code,
			// typed with spaces, gets the same page.
			normal := postCode(t, srv.HubURL+"/checkin?lang=en", code.String())
			forced := postCode(t, srv.HubURL+"/checkin?lang=en", strings.ReplaceAll(duress.String(), "-", " "))
			if normal.status != 200 || normal.header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("check-in: %d %v", normal.status, normal.header)
			}
			sameAnswer(t, "check-in", normal, forced)
			want := html.EscapeString(web.T("en", "checkin_done", at.T.UTC().Add(24*time.Hour).Add(59*time.Second).Truncate(time.Minute).Format("2006-01-02 15:04")+" UTC"))
			if got := gunzip(t, normal.body); !strings.Contains(got, want) {
				t.Errorf("check-in page does not say %q", want)
			}

			// Ending check-ins: the duress code first, then the real one.
			forced = postCode(t, srv.HubURL+"/checkin/stop?lang=en", duress.String())
			if cs, _ := st.Checkins("demo"); len(cs) != 1 {
				t.Fatalf("the duress code ended the check-ins (%d left)", len(cs))
			}
			normal = postCode(t, srv.HubURL+"/checkin/stop?lang=en", code.String())
			if normal.status != 200 || !strings.Contains(gunzip(t, normal.body), html.EscapeString(web.T("en", "checkin_stopped"))) {
				t.Fatalf("stop: %d %s", normal.status, gunzip(t, normal.body))
			}
			sameAnswer(t, "stop", normal, forced)
			if cs, _ := st.Checkins("demo"); len(cs) != 0 {
				t.Errorf("the check-in code did not end the check-ins (%d left)", len(cs))
			}
			// The responders learnt of both (a check-in and a stop).
			events.waitFor(t, wire.EventCheckinDuress, 2)

			// Once ended, the code is unknown, on either page.
			if r := postCode(t, srv.HubURL+"/checkin/stop?lang=en", code.String()); r.status != 404 || !strings.Contains(gunzip(t, r.body), html.EscapeString(web.T("en", "checkin_none"))) {
				t.Errorf("stop after stop: %d", r.status)
			}
		})
	}
}

func gunzip(t *testing.T, body string) string {
	t.Helper()
	zr, err := gzip.NewReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCheckinStartWithoutJavaScript: the start page's form is inert (no
// field has a name), and its no-JavaScript box says, in the visitor's
// language, what starting needs: the Safer level or the command line,
// with the hub's own address in the command.
func TestCheckinStartWithoutJavaScript(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	for _, lang := range web.Langs() {
		r := get(t, srv.HubURL+"/checkin/start?lang="+lang)
		if r.status != 200 {
			t.Fatalf("%s: %d", lang, r.status)
		}
		noscript := r.body[strings.Index(r.body, "<noscript>")+1:]
		noscript = noscript[:strings.Index(noscript, "</noscript>")]
		for _, key := range []string{"checkin_start_nojs", "nojs_safer", "checkin_start_cli", "checkin_start_nojs_after"} {
			if !strings.Contains(noscript, html.EscapeString(web.T(lang, key))) {
				t.Errorf("%s: the no-JavaScript box lacks %s", lang, key)
			}
		}
		if !strings.Contains(noscript, "difesa checkin start -hub "+srv.HubURL+" -every 24h") {
			t.Errorf("%s: no command line in the no-JavaScript box", lang)
		}
		form := r.body[strings.Index(r.body, `<form id="compose"`):]
		form = form[:strings.Index(form, "</form>")]
		if strings.Contains(form, "name=") || !strings.Contains(form, `<fieldset id="fields" disabled>`) {
			t.Errorf("%s: the start form is not inert without JavaScript", lang)
		}
	}
	// The check-in and stop pages, which someone watching the defender may
	// see, never mention the duress code.
	for _, page := range []string{"checkin", "checkin/stop"} {
		for _, lang := range web.Langs() {
			r := get(t, srv.HubURL+"/"+page+"?lang="+lang)
			if strings.Contains(r.body, html.EscapeString(web.T(lang, "f_duress"))) {
				t.Errorf("%s %s: the page mentions the duress code", lang, page)
			}
		}
	}
}

// eventStream follows the hub's live event stream as a responder's
// `difesa watch` does, and hands on the names of the events.
type eventStream chan string

func watchEvents(t *testing.T, srv *testserver.Server) eventStream {
	t.Helper()
	r := login(t, srv.URL+"/api/v1/hubs/demo", loadIdentity(t, srv.IdentityFile))
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/hubs/demo/events", nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("event stream: %v %v", resp, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	ch := make(eventStream, 64)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				ch <- ev
			}
		}
	}()
	return ch
}

// waitFor waits, up to 30 s, until n events named name have arrived; it
// counts only those.
func (ch eventStream) waitFor(t *testing.T, name string, n int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for seen := 0; seen < n; {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("the event stream ended after %d %s events", seen, name)
			}
			if ev == name {
				seen++
			}
		case <-deadline:
			t.Fatalf("%d %s events in 30 s, want %d", seen, name, n)
		}
	}
}
