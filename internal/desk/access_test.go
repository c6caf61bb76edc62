package desk

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The desk listens on loopback only, and its printed address carries a
// 256-bit secret.
func TestDeskListensOnLoopbackOnly(t *testing.T) {
	d := newDesk(t)
	host, _, err := net.SplitHostPort(d.ln.Addr().String())
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("listening on %s", d.ln.Addr())
	}
	u, err := url.Parse(d.Address())
	if err != nil || u.Scheme != "http" || u.Host != d.host || u.Path != "/open" {
		t.Fatalf("printed address %q", d.Address())
	}
	if k := u.Query().Get("k"); len(k) != 43 { // 32 bytes, base64url
		t.Fatalf("secret %q is not 256 bits", k)
	}
}

// A request whose Host is not exactly 127.0.0.1:PORT gets nothing, with
// or without the session: a page on a rebound DNS name reaches the port
// but not the desk. The secret is not spent by such a request.
func TestAttackForeignHost(t *testing.T) {
	d := newDesk(t)
	_, port, _ := net.SplitHostPort(d.host)
	hosts := []string{
		"evil.example:" + port, "localhost:" + port, "127.0.0.1", "127.0.0.1:1",
		"127.0.0.2:" + port, "[::1]:" + port, "127.0.0.1:" + port + ".evil.example", "127.0.0.1:0" + port,
	}
	secret := strings.TrimPrefix(d.Address(), d.Origin())
	for _, h := range hosts {
		req := newRequest(t, "GET", d.Address(), nil)
		req.Host = h
		if a := do(t, req); a.StatusCode != http.StatusMisdirectedRequest || len(a.Cookies()) != 0 {
			t.Errorf("Host %q with the secret: %s, cookies %v", h, a.Status, a.Cookies())
		}
	}
	c, _ := d.session(t) // the secret still works from the desk's own address
	for _, h := range hosts {
		for _, p := range []string{"/", "/search?q=x", secret, "/events", "/assets/desk.js"} {
			req := newRequest(t, "GET", d.Origin()+p, nil)
			req.Host = h
			req.AddCookie(c)
			if a := do(t, req); a.StatusCode != http.StatusMisdirectedRequest || strings.Contains(a.body, "csrf") {
				t.Errorf("Host %q, %s: %s", h, p, a.Status)
			}
		}
	}
}

// Without the session cookie, or with one the desk did not give, every
// page is refused and shows nothing of the session.
func TestAttackMissingOrForgedCookie(t *testing.T) {
	d := newDesk(t)
	real, csrf := d.session(t)
	forged := []*http.Cookie{
		nil,
		{Name: sessionCookie, Value: randomToken()},
		{Name: sessionCookie, Value: ""},
		{Name: sessionCookie, Value: real.Value + "x"},
		{Name: sessionCookie, Value: real.Value[:len(real.Value)-1]},
		{Name: sessionCookie, Value: csrf}, // the CSRF token is not a session
		{Name: sessionCookie, Value: strings.Repeat("A", 4000)},
		{Name: "other", Value: real.Value},
	}
	for i, c := range forged {
		for _, p := range []string{"/", "/search?q=x", "/local", "/case/h/x", "/case/h/x/file/0", "/events", "/no-such-page"} {
			a := d.get(t, c, p)
			if a.StatusCode != http.StatusForbidden || strings.Contains(a.body, csrf) || strings.Contains(a.body, `name="csrf"`) {
				t.Errorf("cookie %d, GET %s: %s", i, p, a.Status)
			}
		}
		a := d.post(t, c, "/lang", url.Values{"csrf": {csrf}, "lang": {"en"}})
		if a.StatusCode != http.StatusForbidden {
			t.Errorf("cookie %d, POST /lang: %s", i, a.Status)
		}
	}
	if a := d.get(t, real, "/no-such-page"); a.StatusCode != http.StatusNotFound || !strings.Contains(a.body, csrf) {
		t.Fatalf("the real session: %s", a.Status)
	}
	if l := d.sessionLang(t); l != "" {
		t.Fatalf("a forged request changed the session's language to %q", l)
	}
}

// A state-changing request with the session cookie and the CSRF token
// but from another origin (another tab, another site, a file) is refused;
// only the desk's own origin gets through.
func TestAttackCrossOriginPost(t *testing.T) {
	d := newDesk(t)
	c, csrf := d.session(t)
	_, port, _ := net.SplitHostPort(d.host)
	cases := []struct{ origin, site string }{
		{"http://evil.example", ""},
		{"http://evil.example", "cross-site"},
		{"null", ""},
		{"null", "cross-site"},
		{"null", "same-site"},
		{"http://localhost:" + port, ""},
		{"http://127.0.0.1:1", ""},
		{"https://" + d.host, ""},
		{d.Origin() + "/", ""},
		{"http://user@" + d.host, ""},
		{d.Origin(), "cross-site"},
		{d.Origin(), "same-site"},
		{d.Origin(), "none"},
		{"", ""},
		{"", "cross-site"},
	}
	form := url.Values{"csrf": {csrf}, "lang": {"en"}}
	for _, k := range cases {
		req := newRequest(t, "POST", d.Origin()+"/lang", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if k.origin != "" {
			req.Header.Set("Origin", k.origin)
		}
		if k.site != "" {
			req.Header.Set("Sec-Fetch-Site", k.site)
		}
		req.AddCookie(c)
		if a := do(t, req); a.StatusCode != http.StatusForbidden {
			t.Errorf("Origin %q, Sec-Fetch-Site %q: %s", k.origin, k.site, a.Status)
		}
	}
	if l := d.sessionLang(t); l != "" {
		t.Fatalf("a cross-origin request changed the session's language to %q", l)
	}
	// What Chromium sends from the desk's own page (Referrer-Policy
	// no-referrer makes its Origin "null").
	req := newRequest(t, "POST", d.Origin()+"/lang", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "null")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(c)
	if a := do(t, req); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("the desk's own page in Chromium: %s: %s", a.Status, a.body)
	}
	if a := d.post(t, c, "/lang", form); a.StatusCode != http.StatusSeeOther {
		t.Fatalf("the desk's own origin: %s: %s", a.Status, a.body)
	}
	if l := d.sessionLang(t); l != "en" {
		t.Fatalf("the desk's own request left the language %q", l)
	}
}

// A state-changing request from the desk's origin with the cookie but
// without the session's CSRF token is refused.
func TestAttackMissingCSRFToken(t *testing.T) {
	d := newDesk(t)
	c, csrf := d.session(t)
	for _, tok := range []string{"", "x", randomToken(), csrf[:len(csrf)-1], csrf + "A", strings.ToUpper(csrf)} {
		if tok == csrf {
			continue
		}
		form := url.Values{"lang": {"en"}}
		if tok != "" {
			form.Set("csrf", tok)
		}
		if a := d.post(t, c, "/lang", form); a.StatusCode != http.StatusForbidden {
			t.Errorf("token %q: %s", tok, a.Status)
		}
	}
	// In the query, not the form: refused too.
	if a := d.post(t, c, "/lang?csrf="+url.QueryEscape(csrf), url.Values{"lang": {"en"}}); a.StatusCode != http.StatusForbidden {
		t.Errorf("token in the query: %s", a.Status)
	}
	if l := d.sessionLang(t); l != "" {
		t.Fatalf("a request without the token changed the session's language to %q", l)
	}
}

// The one-time secret opens the desk once: used again (by another user of
// the computer who read it, or a replayed link) it gives nothing.
func TestAttackSecretReused(t *testing.T) {
	d := newDesk(t)
	first := do(t, newRequest(t, "GET", d.Address(), nil))
	if first.StatusCode != http.StatusOK || len(first.Cookies()) != 1 {
		t.Fatalf("first use: %s, %d cookies", first.Status, len(first.Cookies()))
	}
	for i := 0; i < 3; i++ {
		a := do(t, newRequest(t, "GET", d.Address(), nil))
		if a.StatusCode != http.StatusForbidden || len(a.Cookies()) != 0 || a.Header.Get("Set-Cookie") != "" {
			t.Fatalf("use %d: %s, cookies %v", i+2, a.Status, a.Cookies())
		}
	}
	// A wrong secret gets nothing either, and no secret at all.
	for _, p := range []string{"/open?k=" + randomToken(), "/open", "/open?k="} {
		if a := d.get(t, nil, p); a.StatusCode != http.StatusForbidden || len(a.Cookies()) != 0 {
			t.Errorf("%s: %s", p, a.Status)
		}
	}
}

// The session cookie is HttpOnly, SameSite=Strict, for the whole desk,
// and lives in the browser's memory only (no Expires, no Max-Age); the
// opening page leads to the clean address.
func TestSessionCookieAttributes(t *testing.T) {
	d := newDesk(t)
	a := do(t, newRequest(t, "GET", d.Address(), nil))
	raw := a.Header.Get("Set-Cookie")
	c := a.Cookies()[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge != 0 || !c.Expires.IsZero() ||
		strings.Contains(strings.ToLower(raw), "expires") || strings.Contains(strings.ToLower(raw), "max-age") || c.Domain != "" {
		t.Fatalf("Set-Cookie: %s", raw)
	}
	if len(c.Value) != 43 {
		t.Fatalf("session token %q is not 256 bits", c.Value)
	}
	if !strings.Contains(a.body, `content="0;url=/"`) || strings.Contains(a.body, d.secret) {
		t.Fatalf("the opening page: %s", a.body)
	}
}

// Every answer carries the desk's headers: refusals, errors, pages,
// assets, even a foreign Host's.
func TestHeadersOnEveryResponse(t *testing.T) {
	d := newDesk(t)
	want := map[string]string{
		"Content-Security-Policy":      csp,
		"Cache-Control":                "no-store",
		"Referrer-Policy":              "no-referrer",
		"X-Content-Type-Options":       "nosniff",
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Resource-Policy": "same-origin",
		"X-Frame-Options":              "DENY",
	}
	if !strings.Contains(csp, "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'") {
		t.Fatalf("csp %q", csp)
	}
	check := func(what string, a answer) {
		t.Helper()
		for k, v := range want {
			if got := a.Header.Get(k); got != v {
				t.Errorf("%s: %s: %q, want %q", what, k, got, v)
			}
		}
	}
	check("open", do(t, newRequest(t, "GET", d.Address(), nil)))
	check("open again", do(t, newRequest(t, "GET", d.Address(), nil)))
	check("no session", d.get(t, nil, "/"))
	check("asset", d.get(t, nil, "/assets/desk.css"))
	req := newRequest(t, "GET", d.Origin()+"/", nil)
	req.Host = "evil.example"
	check("foreign host", do(t, req))
}
