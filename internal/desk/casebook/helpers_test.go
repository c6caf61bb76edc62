package casebook

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
)

// fixture is a real hub on loopback, its responder and a desk folder.
type fixture struct {
	srv   *testserver.Server
	id    *age.HybridIdentity
	dir   string
	pins  string
	clock *instants.Clock
	// downloads counts the submissions' ciphertexts fetched.
	downloads atomic.Int64
	hc        *http.Client
	tr        *counting
}

// testDay is a fixed moment for the desk's clock.
var testDay = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{dir: filepath.Join(t.TempDir(), "desk"), pins: t.TempDir(), clock: instants.NewClock(testDay)}
	// The hub and the desk share one clock: nothing depends on the day
	// the tests run.
	f.srv = testserver.NewWithOptions(t, config.Default(), testserver.Options{Now: f.clock.Now})
	f.id = testserver.LoadIdentity(t, f.srv.IdentityFile)
	f.tr = &counting{rt: http.DefaultTransport.(*http.Transport).Clone(), n: &f.downloads}
	f.hc = &http.Client{Transport: f.tr}
	return f
}

// counting is a real transport that counts the ciphertext downloads.
type counting struct {
	rt http.RoundTripper
	n  *atomic.Int64
	// on, if set, is called with the count after each download starts.
	on atomic.Pointer[func(int64)]
	// mangle, if set, changes each download's response, as a hostile hub
	// or a broken network would.
	mangle atomic.Pointer[func(*http.Response)]
}

var downloadPath = regexp.MustCompile(`/submissions/[a-z2-7]{26}$`)

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && downloadPath.MatchString(r.URL.Path) {
		n := c.n.Add(1)
		if on := c.on.Load(); on != nil {
			(*on)(n)
		}
		resp, err := c.rt.RoundTrip(r)
		if m := c.mangle.Load(); m != nil && err == nil {
			(*m)(resp)
		}
		return resp, err
	}
	return c.rt.RoundTrip(r)
}

func (f *fixture) options(ids ...age.Identity) Options {
	if len(ids) == 0 {
		ids = []age.Identity{f.id}
	}
	return Options{
		Dir: f.dir, Identities: ids, Recipient: f.id.Recipient(), Now: f.clock.Now, SyncEvery: time.Hour,
		Hubs: []HubConfig{{URL: f.srv.HubURL, HTTPClient: f.hc, Pins: client.NewPinStore(f.pins)}},
	}
}

func (f *fixture) open(t testing.TB) *Book {
	t.Helper()
	b, err := Open(f.options())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// syncAll runs one sync of every hub, as Run's loop does, and records
// its outcome.
func syncAll(t testing.TB, b *Book) {
	t.Helper()
	for _, h := range b.hubs {
		err := b.syncHub(context.Background(), h, true)
		b.contact(h, err)
		if err != nil {
			t.Fatalf("sync: %v", err)
		}
	}
}

// defender is a defender's client for the fixture's hub.
func (f *fixture) defender(t testing.TB) *client.Client {
	t.Helper()
	return defenderAt(t, f.srv.HubURL)
}

// defenderAt is a defender's client for the hub at url.
func defenderAt(t testing.TB, url string) *client.Client {
	t.Helper()
	c, err := client.New(url, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// submit sends a report as a defender would, with a codename unless
// none; it returns the submission's id and the codename's keys.
func (f *fixture) submit(t testing.TB, kind string, rep *bundle.Report, files map[string][]byte, none bool) (string, *codename.Keys) {
	t.Helper()
	return submitTo(t, f.srv.HubURL, kind, rep, files, none)
}

// submitTo is [fixture.submit] to the hub at url.
func submitTo(t testing.TB, url, kind string, rep *bundle.Report, files map[string][]byte, none bool) (string, *codename.Keys) {
	t.Helper()
	ctx := context.Background()
	c := defenderAt(t, url)
	v, err := c.VerifiedRecipients(ctx, client.Trust{})
	if err != nil {
		t.Fatalf("recipients: %v", err)
	}
	env := bundle.NewEnvelope(kind, "en", testDay)
	var keys *codename.Keys
	if !none {
		name, err := codename.Generate()
		if err != nil {
			t.Fatal(err)
		}
		if keys, err = codename.Derive(name, c.HubID()); err != nil {
			t.Fatal(err)
		}
		env.ReplyRecipient = keys.Recipient
	}
	var atts []bundle.Attachment
	for name, data := range files {
		atts = append(atts, bundle.Attachment{Name: name, Size: int64(len(data)), Body: bytes.NewReader(data)})
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, v.Recipients...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Write(w, env, rep, atts); err != nil {
		t.Fatalf("bundle: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if none {
		sc, err := c.SubmitEpoch(ctx, kind, v.Epoch, &buf)
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		return sc.ID, nil
	}
	sc, err := c.OpenThread(ctx, kind, v.Epoch, keys.Verifier, &buf)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return sc.ID, keys
}

// followup sends a follow-up to a conversation as its defender.
func (f *fixture) followup(t testing.TB, keys *codename.Keys, text string) string {
	t.Helper()
	ctx := context.Background()
	c := f.defender(t)
	v, err := c.VerifiedRecipients(ctx, client.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := age.Encrypt(&buf, v.Recipients...)
	if _, err := bundle.Write(w, bundle.NewEnvelope(bundle.KindFollowup, "en", testDay), &bundle.Report{Category: "other", Narrative: text}, nil); err != nil {
		t.Fatal(err)
	}
	w.Close()
	sc, err := c.Followup(ctx, client.ThreadToken(keys.Token), v.Epoch, &buf)
	if err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	return sc.ID
}

// pngBytes is a real 2×2 PNG.
var pngBytes = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}()

// hubID is the test hub's id.
const demoHub = daemon.DemoHubID

func mustInbox(t testing.TB, b *Book, f Filter) Page {
	t.Helper()
	p, err := b.Inbox(f)
	if err != nil {
		t.Fatalf("Inbox: %v", err)
	}
	return p
}

// responder is a responder's client, logged in.
func (f *fixture) responder(t testing.TB) *client.Client {
	t.Helper()
	c := f.defender(t)
	if err := c.Login(context.Background(), f.id); err != nil {
		t.Fatal(err)
	}
	return c
}
