package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testutil/instants"
)

// tamperProxy forwards to a real server, counts bulletin uploads, and can
// flip a byte of the bulletin documents or signatures it serves.
type tamperProxy struct {
	srv       *httptest.Server
	tamperXML atomic.Bool
	tamperSig atomic.Bool
	uploads   atomic.Int32
}

func newTamperProxy(t *testing.T, target string) *tamperProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &tamperProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		path := resp.Request.URL.Path
		tamper := strings.HasSuffix(path, ".xml") && p.tamperXML.Load() ||
			strings.HasSuffix(path, ".sig") && p.tamperSig.Load()
		if !tamper || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if i := bytes.Index(body, []byte("<headline>")); i >= 0 {
			body[i+len("<headline>")] ^= 0x01 // a letter of the headline
		} else if len(body) > 0 {
			body[len(body)/2] ^= 0x01
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/bulletins") {
			p.uploads.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// identifierOf returns the identifier of a CAP document file.
func identifierOf(t *testing.T, path string) string {
	t.Helper()
	a, err := cap.Check(mustRead(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return a.Identifier
}

// storyNow is the clock of TestBulletinsStory: what is current depends
// on it, not on when the test runs.
var storyNow = time.Date(2026, 11, 23, 14, 3, 0, 0, time.UTC)

// runAt runs the command in-process, at the clock's time, with the pin
// folder of its user, and returns the exit code and outputs.
func runAt(t *testing.T, clock *instants.Clock, pins string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv(client.ConfigDirEnv, pins)
	var stdout, stderr bytes.Buffer
	code := cli.MainAt(clock.Now, args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustAt runs the command at the clock's time and fails the test unless it
// succeeds.
func mustAt(t *testing.T, clock *instants.Clock, pins string, args ...string) (string, string) {
	t.Helper()
	code, stdout, stderr := runAt(t, clock, pins, args...)
	if code != 0 {
		t.Fatalf("difesa %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout, stderr
}

// TestBulletinsStory: an administrator writes a bulletin in two languages,
// publishes it, updates it, publishes and cancels another; defenders read
// the current ones in their language, and everything with -all; a wrong
// key is refused before anything is sent, and a tampered document is
// refused loudly.
func TestBulletinsStory(t *testing.T) {
	srv := newServer(t, config.Default())
	clock := instants.NewClock(storyNow)
	proxy := newTamperProxy(t, srv.URL)
	hub := proxy.srv.URL + "/hubs/demo"
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	adminPins, defenderPins := file("admin-pins"), file("defender-pins")
	sk, err := manifest.ParseSecretKeyFile(bytes.NewReader(mustRead(t, srv.AdminKeyFile)))
	if err != nil {
		t.Fatal(err)
	}
	fingerprint := sk.Public().Fingerprint()

	// The administrator writes the first bulletin, in Italian and English.
	mustAt(t, clock, adminPins, "bulletin", "new", "-hub", hub, "-pin", fingerprint,
		"-severity", "severe", "-urgency", "Immediate", "-certainty", "Observed", "-area", "Milano, Piazza Duomo", "-expires", "48h",
		"-lang", "it", "-event", "Arresti", "-headline", "Arresti al presidio",
		"-description", "La polizia ha fermato dieci persone.", "-instruction", "Evitate la piazza.",
		"-lang", "en", "-event", "Arrests", "-headline", "Arrests at the sit-in",
		"-description", "The police detained ten people.", "-instruction", "Avoid the square.",
		"-web", "https://example.org/arrests", "-contact", "Legal team",
		"-o", file("first.xml"))
	first := mustRead(t, file("first.xml"))
	if !bytes.Contains(first, []byte("<sender>difesa-demo</sender>")) {
		t.Fatalf("the bulletin does not name the hub's sender:\n%s", first)
	}
	out, _ := mustAt(t, clock, adminPins, "bulletin", "publish", "-hub", hub, "-key", srv.AdminKeyFile, file("first.xml"))
	if !strings.Contains(out, "seq: 1\n") || !strings.Contains(out, "document: "+hub+"/bulletins/1.xml") ||
		!strings.Contains(out, "signature: "+hub+"/bulletins/1.sig") {
		t.Errorf("publish printed:\n%s", out)
	}
	// A finished document is checked and written unchanged.
	if again, _ := mustAt(t, clock, adminPins, "bulletin", "new", "-from", file("first.xml")); again != string(first) {
		t.Errorf("bulletin new -from changed the document:\n%s", again)
	}
	// The hub serves the exact bytes, signed.
	c, err := client.New(hub, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.FetchBulletin(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Document, first) || !bytes.Equal(mustRead(t, file("first.xml")), first) ||
		!sk.Public().VerifyDetached(first, b.Signature) {
		t.Error("the published bytes are not the file's, or not signed by the admin key")
	}

	// Defenders read it in their language.
	italian, stderr := mustAt(t, clock, defenderPins, "bulletins", "-hub", hub, "-pin", fingerprint, "-lang", "it")
	for _, w := range []string{"#1  Arresti al presidio", "gravità: Grave · urgenza: Immediata · certezza: Osservata",
		"evento: Arresti (Sicurezza)", "zona: Milano, Piazza Duomo", "La polizia ha fermato dieci persone.",
		"Cosa fare:", "Evitate la piazza.", "lingua: it (anche in en)"} {
		if !strings.Contains(italian, w) {
			t.Errorf("bulletins -lang it does not say %q:\n%s", w, italian)
		}
	}
	if strings.Contains(italian, "Arrests") || !strings.Contains(stderr, "1 current bulletin of") {
		t.Errorf("bulletins -lang it:\n%s\n%s", italian, stderr)
	}
	english, _ := mustAt(t, clock, defenderPins, "bulletins", "-hub", hub, "-lang", "en-GB")
	for _, w := range []string{"#1  Arrests at the sit-in", "Avoid the square.", "web: https://example.org/arrests", "contact: Legal team"} {
		if !strings.Contains(english, w) {
			t.Errorf("bulletins -lang en-GB does not say %q:\n%s", w, english)
		}
	}
	t.Setenv("LANG", "en_US.UTF-8")
	if fromEnv, _ := mustAt(t, clock, defenderPins, "bulletins", "-hub", hub); !strings.Contains(fromEnv, "Arrests at the sit-in") {
		t.Errorf("bulletins with LANG=en_US.UTF-8:\n%s", fromEnv)
	}
	german, _ := mustAt(t, clock, defenderPins, "bulletins", "-hub", hub, "-lang", "de")
	if !strings.Contains(german, "Arresti al presidio") || !strings.Contains(german, "non scritto in de; mostrato in it") {
		t.Errorf("bulletins -lang de:\n%s", german)
	}

	// An update, looked up on the hub by identifier.
	mustAt(t, clock, adminPins, "bulletin", "new", "-hub", hub, "-updates", identifierOf(t, file("first.xml")),
		"-severity", "Moderate", "-urgency", "Past", "-certainty", "Observed", "-expires", "24h",
		"-lang", "it", "-event", "Arresti", "-headline", "I fermati sono stati rilasciati",
		"-lang", "en", "-event", "Arrests", "-headline", "The detained were released",
		"-o", file("update.xml"))
	out, _ = mustAt(t, clock, adminPins, "bulletin", "publish", "-hub", hub, "-key", srv.AdminKeyFile, file("update.xml"))
	if !strings.Contains(out, "seq: 2\n") {
		t.Errorf("publish update:\n%s", out)
	}

	// Another alert, and its cancellation.
	mustAt(t, clock, adminPins, "bulletin", "new", "-hub", hub, "-id", "difesa-demo-raid", "-status", "Exercise",
		"-event", "Raid", "-headline", "Raid drill at the office", "-o", file("raid.xml"))
	mustAt(t, clock, adminPins, "bulletin", "publish", "-hub", hub, "-key", srv.AdminKeyFile, file("raid.xml"))
	mustAt(t, clock, adminPins, "bulletin", "new", "-hub", hub, "-cancels", "difesa-demo-raid", "-o", file("cancel.xml"))
	out, _ = mustAt(t, clock, adminPins, "bulletin", "publish", "-hub", hub, "-key", srv.AdminKeyFile, file("cancel.xml"))
	if !strings.Contains(out, "seq: 4\n") {
		t.Errorf("publish cancel:\n%s", out)
	}

	current, stderr := mustAt(t, clock, defenderPins, "bulletins", "-hub", hub, "-lang", "en")
	for _, w := range []string{"#2  The detained were released", "updates #1  Arrests at the sit-in", "cancels #3  Raid drill at the office"} {
		if !strings.Contains(current, w) {
			t.Errorf("current bulletins do not say %q:\n%s", w, current)
		}
	}
	if regexp.MustCompile(`(?m)^#1 |^#3 `).MatchString(current) || !strings.Contains(stderr, "2 more expired or were updated or cancelled; -all shows them") {
		t.Errorf("current bulletins show replaced ones:\n%s\n%s", current, stderr)
	}
	all, _ := mustAt(t, clock, defenderPins, "bulletins", "-hub", hub, "-lang", "en", "-all")
	for _, w := range []string{"#1  Arrests at the sit-in\n    UPDATED by #2", "#3  Raid drill at the office\n    EXERCISE: not a real bulletin · CANCELLED by #4", "#4  Cancelled: Raid drill at the office"} {
		if !strings.Contains(all, w) {
			t.Errorf("bulletins -all does not say %q:\n%s", w, all)
		}
	}

	// An expired bulletin is hidden, and marked with -all.
	mustAt(t, clock, adminPins, "bulletin", "new", "-hub", hub, "-sent", "2026-01-10T10:00:00+01:00", "-expires", "1h",
		"-event", "Curfew", "-headline", "Curfew in January", "-o", file("old.xml"))
	mustAt(t, clock, adminPins, "bulletin", "publish", "-hub", hub, "-key", srv.AdminKeyFile, file("old.xml"))
	current, _ = mustAt(t, clock, defenderPins, "bulletins", "-hub", hub)
	all, _ = mustAt(t, clock, defenderPins, "bulletins", "-hub", hub, "-all")
	if strings.Contains(current, "Curfew") || !strings.Contains(all, "#5  Curfew in January\n    EXPIRED") {
		t.Errorf("expired bulletin:\ncurrent:\n%s\nall:\n%s", current, all)
	}

	t.Run("refused before upload", func(t *testing.T) {
		before := proxy.uploads.Load()
		mustAt(t, clock, adminPins, "admin", "keygen", "-o", file("other.key"))
		mustAt(t, clock, adminPins, "bulletin", "new", "-hub", hub, "-event", "Fake", "-o", file("fake.xml"))
		refused(t, adminPins, []string{"this key is not the admin key of hub \"demo\"", fingerprint},
			"bulletin", "publish", "-hub", hub, "-key", file("other.key"), file("fake.xml"))
		mustAt(t, clock, adminPins, "bulletin", "new", "-sender", "someone-else", "-event", "Fake", "-o", file("sender.xml"))
		refused(t, adminPins, []string{"sent by \"someone-else\"", "only bulletins sent by \"difesa-demo\""},
			"bulletin", "publish", "-hub", hub, "-key", srv.AdminKeyFile, file("sender.xml"))
		writeFile(t, file("broken.xml"), append(mustRead(t, file("fake.xml")), "<x/>"...))
		refused(t, adminPins, []string{"broken.xml is not a bulletin difesa accepts"},
			"bulletin", "publish", "-hub", hub, "-key", srv.AdminKeyFile, file("broken.xml"))
		if n := proxy.uploads.Load() - before; n != 0 {
			t.Errorf("%d uploads reached the hub", n)
		}
		// Published twice: the hub refuses the replay.
		refused(t, adminPins, []string{"already published", "bulletin_replayed"},
			"bulletin", "publish", "-hub", hub, "-key", srv.AdminKeyFile, file("first.xml"))
	})

	t.Run("tampered bulletins", func(t *testing.T) {
		for _, which := range []*atomic.Bool{&proxy.tamperXML, &proxy.tamperSig} {
			which.Store(true)
			code, stdout, stderr := runAt(t, clock, defenderPins, "bulletins", "-hub", hub)
			which.Store(false)
			if code != 1 || stdout != "" {
				t.Errorf("exit %d, stdout:\n%s", code, stdout)
			}
			for _, w := range []string{"WARNING: bulletin 5", "is NOT signed by the hub's admin key", "it may be forged",
				"refusing to show the bulletins of hub \"demo\"", "do not trust or act on"} {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
		}
		// And -updates refuses to build on a forged bulletin.
		proxy.tamperXML.Store(true)
		refused(t, adminPins, []string{"NOT signed by the hub's admin key"},
			"bulletin", "new", "-hub", hub, "-updates", identifierOf(t, file("first.xml")), "-event", "E")
		proxy.tamperXML.Store(false)
	})
}

// TestBulletinsCurrentAtInstants writes and publishes, at each instant of
// the calendar set, a bulletin that expires at that instant, and reads
// the hub's bulletins a second before and at it: difesa works out what is
// current from its own clock and the signed documents, whatever the day,
// hour or zone (the server's clock plays no part).
func TestBulletinsCurrentAtInstants(t *testing.T) {
	srv := newServer(t, config.Default())
	pins := filepath.Join(t.TempDir(), "pins")
	sk, err := manifest.ParseSecretKeyFile(bytes.NewReader(mustRead(t, srv.AdminKeyFile)))
	if err != nil {
		t.Fatal(err)
	}
	fingerprint := sk.Public().Fingerprint()
	for i, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			clock := instants.NewClock(in.T.Add(-time.Minute))
			file := filepath.Join(t.TempDir(), "b.xml")
			headline := "Instant " + strconv.Itoa(i)
			mustAt(t, clock, pins, "bulletin", "new", "-hub", srv.HubURL, "-pin", fingerprint, "-id", "instant-"+strconv.Itoa(i),
				"-expires", cap.FormatTime(in.T), "-event", "E", "-headline", headline, "-o", file)
			a, err := cap.Check(mustRead(t, file))
			if err != nil {
				t.Fatal(err)
			}
			if want := cap.FormatTime(in.T.Add(-time.Minute).Truncate(time.Minute)); a.Sent != want {
				t.Errorf("sent %s, want %s (the clock's minute)", a.Sent, want)
			}
			_, stderr := mustAt(t, clock, pins, "bulletin", "publish", "-hub", srv.HubURL, "-key", srv.AdminKeyFile, file)
			if strings.Contains(stderr, "expired") {
				t.Errorf("publishing before it expires warns: %s", stderr)
			}
			line := fmt.Sprintf("#%d  %s\n", i+1, headline)

			clock.Set(in.T.Add(-time.Second))
			if out, _ := mustAt(t, clock, pins, "bulletins", "-hub", srv.HubURL, "-lang", "en"); !strings.Contains(out, line) {
				t.Errorf("a second before it expires, it is not shown:\n%s", out)
			}
			clock.Set(in.T)
			if out, _ := mustAt(t, clock, pins, "bulletins", "-hub", srv.HubURL, "-lang", "en"); strings.Contains(out, line) {
				t.Errorf("when it expires, it is still shown as current:\n%s", out)
			}
			if out, _ := mustAt(t, clock, pins, "bulletins", "-hub", srv.HubURL, "-lang", "en", "-all"); !strings.Contains(out, line+"    EXPIRED\n") {
				t.Errorf("when it expires, -all does not mark it EXPIRED:\n%s", out)
			}
			// Published again (a replay the hub refuses), it is now past
			// its expiry, and difesa warns before sending it.
			if _, _, stderr := runAt(t, clock, pins, "bulletin", "publish", "-hub", srv.HubURL, "-key", srv.AdminKeyFile, file); !strings.Contains(stderr, "warning: "+file+" expired on") {
				t.Errorf("publishing at its expiry does not warn:\n%s", stderr)
			}
		})
	}
}
