package desk

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/desk/casebook"
)

// testDesk is a real desk on loopback over a real casebook folder.
type testDesk struct {
	*Server
	book *casebook.Book
}

// newDesk starts a desk over a casebook of hubs (none: an empty book),
// served until the test ends.
func newDesk(t *testing.T, hubs ...casebook.HubConfig) *testDesk {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return newDeskWith(t, casebook.Options{Dir: t.TempDir(), Identities: []age.Identity{id}, Recipient: id.Recipient(), Hubs: hubs})
}

func newDeskWith(t *testing.T, o casebook.Options, more ...func(*Options)) *testDesk {
	t.Helper()
	b, err := casebook.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	do := Options{Book: b, Now: o.Now, Logf: o.Logf}
	for _, f := range more {
		f(&do)
	}
	s, err := New(do)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	ran := make(chan struct{})
	go func() { defer close(served); s.Serve(ctx) }()
	go func() { defer close(ran); b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-served
		<-ran
		b.Close()
	})
	return &testDesk{Server: s, book: b}
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type answer struct {
	*http.Response
	body string
}

func do(t *testing.T, req *http.Request) answer {
	t.Helper()
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp, string(b)}
}

func newRequest(t *testing.T, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// session opens the desk as the responder's browser does: it exchanges
// the printed address's secret, and returns the session cookie and the
// session's CSRF token.
func (d *testDesk) session(t *testing.T) (*http.Cookie, string) {
	t.Helper()
	a := do(t, newRequest(t, "GET", d.Address(), nil))
	if a.StatusCode != http.StatusOK {
		t.Fatalf("opening the desk: %s: %s", a.Status, a.body)
	}
	var c *http.Cookie
	for _, k := range a.Cookies() {
		if k.Name == sessionCookie {
			c = k
		}
	}
	if c == nil {
		t.Fatal("opening the desk gave no session cookie")
	}
	a = d.get(t, c, "/no-such-page")
	m := csrfRE.FindStringSubmatch(a.body)
	if m == nil {
		t.Fatalf("no CSRF token on a page of the session: %s", a.body)
	}
	return c, m[1]
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches path with the session cookie c (none if nil).
func (d *testDesk) get(t *testing.T, c *http.Cookie, path string) answer {
	t.Helper()
	req := newRequest(t, "GET", d.Origin()+path, nil)
	if c != nil {
		req.AddCookie(c)
	}
	return do(t, req)
}

// post sends a form as the desk's own page would: session cookie, the
// desk's Origin, Sec-Fetch-Site same-origin.
func (d *testDesk) post(t *testing.T, c *http.Cookie, path string, form url.Values) answer {
	t.Helper()
	req := newRequest(t, "POST", d.Origin()+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", d.Origin())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if c != nil {
		req.AddCookie(c)
	}
	a := do(t, req)
	if loc := a.Header.Get("Location"); a.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/problem?") {
		// An error of a post is shown at an address of its own.
		return d.get(t, c, loc)
	}
	return a
}

// sessionLang is the language the desk's one session chose ("" if none):
// what POST /lang changes, seen from inside.
func (d *testDesk) sessionLang(t *testing.T) string {
	t.Helper()
	d.access.mu.Lock()
	defer d.access.mu.Unlock()
	if len(d.access.sessions) != 1 {
		t.Fatalf("%d sessions", len(d.access.sessions))
	}
	for _, s := range d.access.sessions {
		return s.language()
	}
	return ""
}
