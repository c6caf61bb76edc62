package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"filippo.io/age"
)

const caseNoteCanary = "canary-case-note-5d1e"

// caseHub is a real server with two labelled responders, Ana
// ("Responder 1") and Bo ("Responder 2"), and one report.
type caseHub struct {
	srv       *testserver.Server
	hub, pins string
	ana, bo   string // key files
	id        string
}

func newCaseHub(t *testing.T) *caseHub {
	t.Helper()
	dir := t.TempDir()
	h := &caseHub{pins: filepath.Join(dir, "pins"), ana: filepath.Join(dir, "ana.key"), bo: filepath.Join(dir, "bo.key")}
	must(t, h.pins, "keygen", "-o", h.ana)
	must(t, h.pins, "keygen", "-o", h.bo)
	th := testserver.NewHub(t, "it", publicKeyOf(t, h.ana), publicKeyOf(t, h.bo))
	cfg := config.Default()
	cfg.Hubs = []config.Hub{th.Config}
	h.srv = newServer(t, cfg)
	h.hub = h.srv.URL + "/hubs/it"
	out, _ := must(t, filepath.Join(dir, "defender"), "submit", "-hub", h.hub, "-m", "a report")
	h.id = strings.TrimSpace(out)
	return h
}

// loginAs returns a client of the hub at hubURL logged in with keyFile.
func loginAs(t *testing.T, hubURL, keyFile string) (*client.Client, []age.Identity) {
	t.Helper()
	c, err := client.New(hubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(context.Background(), ids[0]); err != nil {
		t.Fatal(err)
	}
	return c, ids
}

// TestCaseConcurrentEditsMerge: two responders change the same case at
// the same time, from two goroutines, many times; every note and label
// of both is in the record, show prints them with the history, and the
// server's database and logs never hold a note, label or assignee.
func TestCaseConcurrentEditsMerge(t *testing.T) {
	h := newCaseHub(t)
	c, ids := loginAs(t, h.hub, h.ana)
	hubRec := &caserecord.Hub{V: 1, Labels: []string{"canary-label-legal", "urgent"}}
	rs, err := c.Recipients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ct, err := caserecord.SealHub(hubRec, rs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutHubRecord(context.Background(), ct, 0); err != nil {
		t.Fatal(err)
	}
	// Pin the admin key once, before the concurrent runs.
	must(t, h.pins, "case", "assign", "-hub", h.hub, "-i", h.ana, h.id, "me")
	t.Setenv(client.ConfigDirEnv, h.pins)

	const rounds = 4
	var wg sync.WaitGroup
	errs := make(chan string, 2*rounds)
	for who, key := range map[string]string{"ana": h.ana, "bo": h.bo} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				args := []string{"case", "note", "-hub", h.hub, "-i", key, h.id, caseNoteCanary, who, string(rune('0' + i))}
				if who == "bo" && i == 0 {
					args = []string{"case", "label", "-hub", h.hub, "-i", key, h.id, "+canary-label-legal"}
				}
				var so, se bytes.Buffer
				if code := cli.Main(args, strings.NewReader(""), &so, &se); code != 0 {
					errs <- se.String()
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a concurrent edit failed: %s", e)
	}

	out, _ := must(t, h.pins, "case", "show", "-hub", h.hub, "-i", h.bo, h.id)
	for _, want := range []string{
		"assignee:   Responder 1", "labels:     canary-label-legal",
		caseNoteCanary + " ana 0", caseNoteCanary + " ana 3", caseNoteCanary + " bo 1", caseNoteCanary + " bo 3",
		"Notes (7):", `Responder 1: assignee "" -> "Responder 1"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	r, _, err := getCase(c, h.id, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) != 2*rounds-1 {
		t.Errorf("%d notes, want %d", len(r.Notes), 2*rounds-1)
	}
	for _, n := range r.Notes {
		if n.Hour != caserecord.Hour(mustParseTime(t, n.Hour)) {
			t.Errorf("note hour %q is not coarse", n.Hour)
		}
	}

	db, err := os.ReadFile(filepath.Join(h.srv.DataDir, daemon.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	// The assignee is a label of the public manifest, which the audit log
	// also names: only the note and the hub's labels are secret here.
	for _, canary := range []string{caseNoteCanary, "canary-label-legal"} {
		if bytes.Contains(db, []byte(canary)) {
			t.Errorf("the database holds %q in plaintext", canary)
		}
	}
	if strings.Contains(h.srv.Logs(), caseNoteCanary) || strings.Contains(h.srv.Logs(), "canary-label-legal") {
		t.Error("the logs hold a note or a label")
	}
}

func getCase(c *client.Client, id string, ids []age.Identity) (*caserecord.Record, uint64, error) {
	ct, v, err := c.GetCase(context.Background(), id)
	if err != nil {
		return nil, 0, err
	}
	r, err := caserecord.Open(ct, ids...)
	return r, v, err
}

// TestCaseStaleWriteRetriedWithMerge: a colleague writes the case between
// the command's read and its write (a proxy in front of the hub does it
// on the command's first PUT); the hub answers 409, and the command
// merges and writes again: both notes are kept.
func TestCaseStaleWriteRetriedWithMerge(t *testing.T) {
	h := newCaseHub(t)
	bo, _ := loginAs(t, h.hub, h.bo)
	target, err := url.Parse(h.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var puts, conflicts atomic.Int32
	rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) }}
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.Method == http.MethodPut && resp.StatusCode == http.StatusConflict {
			conflicts.Add(1)
		}
		return nil
	}
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/case") && puts.Add(1) == 1 {
			rec := caserecord.New()
			if _, err := rec.AddNote("Responder 2", "2026-12-03T13:00:00Z", "bo's note written first", ""); err != nil {
				t.Error(err)
			}
			rs, err := bo.Recipients(r.Context())
			if err != nil {
				t.Error(err)
			}
			ct, err := caserecord.Seal(rec, rs)
			if err != nil {
				t.Error(err)
			}
			if _, err := bo.PutCase(r.Context(), h.id, ct, 0); err != nil {
				t.Error(err)
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)

	hub := proxy.URL + "/hubs/it"
	must(t, h.pins, "case", "note", "-hub", hub, "-i", h.ana, h.id, "ana's note")
	if puts.Load() != 2 || conflicts.Load() != 1 {
		t.Fatalf("%d writes and %d conflicts, want 2 and 1", puts.Load(), conflicts.Load())
	}
	out, _ := must(t, h.pins, "case", "show", "-hub", h.hub, "-i", h.ana, h.id)
	if !strings.Contains(out, "bo's note written first") || !strings.Contains(out, "ana's note") {
		t.Fatalf("a note was lost:\n%s", out)
	}
}

func mustParseTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// TestCaseHubSettings: "case labels" and "case statuses" define what the
// cases may use; a label or sub-status outside them is refused with the
// list, and nothing is written.
func TestCaseHubSettings(t *testing.T) {
	h := newCaseHub(t)
	must(t, h.pins, "case", "labels", "-hub", h.hub, "-i", h.ana, "+urgent", "+legal")
	out, _ := must(t, h.pins, "case", "statuses", "-hub", h.hub, "-i", h.bo, "+waiting for documents")
	if !strings.Contains(out, "labels: legal, urgent\nsub-statuses: waiting for documents") {
		t.Fatalf("statuses printed:\n%s", out)
	}
	refused(t, h.pins, []string{`label "medical"`, "the hub's labels are: legal, urgent"}, "case", "label", "-hub", h.hub, "-i", h.ana, h.id, "+medical")
	refused(t, h.pins, []string{`sub-status "closed"`, "waiting for documents"}, "case", "substatus", "-hub", h.hub, "-i", h.ana, h.id, "closed")
	c, _ := loginAs(t, h.hub, h.ana)
	if ct, v, err := c.GetCase(context.Background(), h.id); err != nil || ct != nil || v != 0 {
		t.Fatalf("a refused change wrote the case: version %d, %v", v, err)
	}
	refused(t, h.pins, []string{`no responder of the hub is labelled "Mallory"`, "Responder 1, Responder 2"}, "case", "assign", "-hub", h.hub, "-i", h.ana, h.id, "Mallory")
	must(t, h.pins, "case", "label", "-hub", h.hub, "-i", h.ana, h.id, "+urgent")
	must(t, h.pins, "case", "assign", "-hub", h.hub, "-i", h.ana, h.id, "Responder 2")
	must(t, h.pins, "case", "substatus", "-hub", h.hub, "-i", h.bo, h.id, "waiting for documents")
	must(t, h.pins, "case", "followup", "-hub", h.hub, "-i", h.bo, h.id, "2028-02-29")
	must(t, h.pins, "case", "link", "-hub", h.hub, "-i", h.bo, h.id, "same_incident", strings.Repeat("a", 26))
	out, _ = must(t, h.pins, "case", "show", "-hub", h.hub, "-i", h.ana, h.id)
	for _, want := range []string{"labels:     urgent", "assignee:   Responder 2", "sub-status: waiting for documents", "follow-up:  2028-02-29",
		"link:       same_incident " + strings.Repeat("a", 26), `Responder 2: follow_up "" -> "2028-02-29"`} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
}

// TestCaseHoursAtInstants: a note and a change written at any moment (day
// and year ends, a leap day, far zones) carry that moment's UTC hour, never
// the minute, whatever the computer's zone.
func TestCaseHoursAtInstants(t *testing.T) {
	h := newCaseHub(t)
	c, ids := loginAs(t, h.hub, h.ana)
	t.Setenv(client.ConfigDirEnv, h.pins)
	for i, in := range instants.All(t) {
		now := func() time.Time { return in.T }
		var so, se bytes.Buffer
		if code := cli.MainAt(now, []string{"case", "note", "-hub", h.hub, "-i", h.ana, h.id, "at", in.Name}, strings.NewReader(""), &so, &se); code != 0 {
			t.Fatalf("%s: exit %d\n%s", in.Name, code, se.String())
		}
		r, _, err := getCase(c, h.id, ids)
		if err != nil {
			t.Fatal(err)
		}
		want := in.T.UTC().Truncate(time.Hour).Format("2006-01-02T15:00:00Z")
		found := false
		for _, n := range r.Notes {
			found = found || n.Text == "at "+in.Name && n.Hour == want
		}
		if !found || len(r.Notes) != i+1 {
			t.Errorf("%s: no note at hour %s: %+v", in.Name, want, r.Notes)
		}
	}
}

// TestCaseNoteFromStdin: a note read from standard input, its newline
// dropped; one over the limit is refused and nothing is written.
func TestCaseNoteFromStdin(t *testing.T) {
	h := newCaseHub(t)
	t.Setenv(client.ConfigDirEnv, h.pins)
	var so, se bytes.Buffer
	if code := cli.Main([]string{"case", "note", "-hub", h.hub, "-i", h.ana, h.id}, strings.NewReader(strings.Repeat("x", caserecord.MaxNoteText+1)), &so, &se); code != 1 || !strings.Contains(se.String(), "the note is over 8192 bytes") {
		t.Fatalf("an oversized note: exit %d\n%s", code, se.String())
	}
	c, ids := loginAs(t, h.hub, h.ana)
	if ct, _, err := c.GetCase(context.Background(), h.id); err != nil || ct != nil {
		t.Fatalf("the oversized note wrote the case (%v)", err)
	}
	if code := cli.Main([]string{"case", "note", "-hub", h.hub, "-i", h.ana, h.id, "-"}, strings.NewReader("line one\nline two\n"), &so, &se); code != 0 {
		t.Fatalf("exit %d\n%s", code, se.String())
	}
	r, _, err := getCase(c, h.id, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notes) != 1 || r.Notes[0].Text != "line one\nline two" || r.Notes[0].Author != "Responder 1" {
		t.Fatalf("notes %+v", r.Notes)
	}
}
