package cli_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

// run runs the command in-process with the pin folder of its user and
// returns the exit code and outputs.
func run(t *testing.T, pins string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv(client.ConfigDirEnv, pins)
	var stdout, stderr bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// must runs the command and fails the test unless it succeeds.
func must(t *testing.T, pins string, args ...string) (string, string) {
	t.Helper()
	code, stdout, stderr := run(t, pins, args...)
	if code != 0 {
		t.Fatalf("difesa %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout, stderr
}

// refused runs the command, expects exit code 1 and every want in its
// standard error.
func refused(t *testing.T, pins string, want []string, args ...string) string {
	t.Helper()
	code, _, stderr := run(t, pins, args...)
	if code != 1 {
		t.Fatalf("difesa %s: exit %d, want 1\n%s", strings.Join(args, " "), code, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("difesa %s: stderr does not say %q:\n%s", strings.Join(args, " "), w, stderr)
		}
	}
	return stderr
}

func publicKeyOf(t *testing.T, keyFile string) string {
	t.Helper()
	data, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		if k, ok := strings.CutPrefix(strings.TrimSpace(line), "# public key: "); ok {
			return k
		}
	}
	t.Fatalf("%s has no public key", keyFile)
	return ""
}

// switchProxy forwards to one backend or another, as a server that
// changes hands would, and records whether a submission went through.
type switchProxy struct {
	srv         *httptest.Server
	target      atomic.Pointer[url.URL]
	forge       atomic.Pointer[[]byte] // served as manifest.json, if set
	staleOnce   atomic.Bool            // answer the next submission 409 stale_epoch
	submissions atomic.Int32
}

func newSwitchProxy(t *testing.T, target string) *switchProxy {
	p := &switchProxy{}
	p.setTarget(t, target)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/submissions") {
			p.submissions.Add(1)
			if p.staleOnce.CompareAndSwap(true, false) {
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusConflict)
				io.WriteString(w, `{"error":{"code":"stale_epoch","message":"this epoch is no longer accepted"}}`)
				return
			}
		}
		if f := p.forge.Load(); f != nil && strings.HasSuffix(r.URL.Path, "/manifest.json") {
			w.Write(*f)
			return
		}
		httputil.NewSingleHostReverseProxy(p.target.Load()).ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *switchProxy) setTarget(t *testing.T, s string) {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	p.target.Store(u)
}

// TestHubKeysStory plays the whole story of a change of responders: three
// responders and an admin key; one responder leaves and a newcomer joins;
// a defender pinned at epoch 1 follows; the archive is rekeyed; the leaver
// reads nothing more, the newcomer reads everything.
func TestHubKeysStory(t *testing.T) {
	dir := t.TempDir()
	adminPins := filepath.Join(dir, "admin-pins")
	defenderPins := filepath.Join(dir, "defender-pins")
	responderPins := filepath.Join(dir, "responder-pins")
	key := func(name string) string { return filepath.Join(dir, name) }
	ctx := context.Background()

	// Three responders, a newcomer and the admin key.
	for _, name := range []string{"ana.key", "bruno.key", "leaver.key", "newcomer.key"} {
		must(t, adminPins, "keygen", "-o", key(name))
	}
	adminOut, _ := must(t, adminPins, "admin", "keygen", "-o", key("admin.key"))
	adminPub := strings.TrimPrefix(strings.Split(adminOut, "\n")[0], "Public key: ")
	fingerprint := strings.TrimPrefix(strings.Split(adminOut, "\n")[1], "Fingerprint: ")
	ana, bruno, leaver, newcomer := publicKeyOf(t, key("ana.key")), publicKeyOf(t, key("bruno.key")),
		publicKeyOf(t, key("leaver.key")), publicKeyOf(t, key("newcomer.key"))

	// Epoch 1, made and signed offline, configures the server.
	must(t, adminPins, "admin", "init", "-hub-id", "it", "-o", key("it-1.manifest"),
		"-recipient", ana+":admin:Ana", "-recipient", bruno+":responder:Bruno", "-recipient", leaver+":responder:Leaver")
	must(t, adminPins, "admin", "sign", "-key", key("admin.key"), "-o", key("it-1.json"), key("it-1.manifest"))
	cfg := config.Default()
	cfg.Hubs = []config.Hub{{ID: "it", Name: "Hub it", AdminKey: adminPub, ManifestFile: key("it-1.json")}}
	srv := newServer(t, cfg)
	hub := srv.URL + "/hubs/it"

	// A defender, given the fingerprint out of band, reports at epoch 1.
	out, stderr := must(t, defenderPins, "submit", "-hub", hub, "-pin", fingerprint, "-m", "report at epoch 1")
	old := strings.TrimSpace(out)
	if !strings.Contains(stderr, "epoch 1") {
		t.Errorf("submit at epoch 1:\n%s", stderr)
	}

	// The leaver is logged in when the admin acts.
	leaverClient, err := client.New(hub, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := leaverClient.Login(ctx, readIdentities(t, key("leaver.key"))[0]); err != nil {
		t.Fatal(err)
	}

	// The admin builds epoch 2 on the hub's current manifest, signs it
	// and publishes it.
	diff, _ := must(t, adminPins, "admin", "manifest", "-from", hub, "-key", key("admin.key"),
		"-remove", leaver, "-add", newcomer+":responder:Newcomer", "-o", key("it-2.manifest"))
	if !strings.Contains(diff, "removed") || !strings.Contains(diff, "Leaver") || !strings.Contains(diff, "Newcomer") {
		t.Errorf("diff:\n%s", diff)
	}
	must(t, adminPins, "admin", "sign", "-key", key("admin.key"), "-o", key("it-2.json"), key("it-2.manifest"))
	must(t, adminPins, "admin", "publish", "-hub", hub, "-i", key("ana.key"), key("it-2.json"))

	// The leaver is out: the open session dies, and a new login fails.
	if _, err := leaverClient.List(ctx); !errors.Is(err, &wire.Error{Code: wire.CodeUnauthorized}) {
		t.Errorf("the leaver's session after epoch 2: %v, want unauthorized", err)
	}
	refused(t, responderPins, []string{"the hub does not know the key"}, "inbox", "-hub", hub, "-i", key("leaver.key"))

	// The defender, pinned at epoch 1, follows to epoch 2 and reports to
	// the new set only.
	out, stderr = must(t, defenderPins, "submit", "-hub", hub, "-m", "report at epoch 2")
	fresh := strings.TrimSpace(out)
	if !strings.Contains(stderr, "from epoch 1 to 2") {
		t.Errorf("submit after epoch 2:\n%s", stderr)
	}
	ana1, err := client.New(hub, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ana1.Login(ctx, readIdentities(t, key("ana.key"))[0]); err != nil {
		t.Fatal(err)
	}
	download := func(id string) []byte {
		t.Helper()
		var buf bytes.Buffer
		if _, err := ana1.Download(ctx, id, &buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	canDecrypt := func(ct []byte, keyFile string) bool {
		t.Helper()
		r, err := age.Decrypt(bytes.NewReader(ct), readIdentities(t, keyFile)...)
		if err == nil {
			_, err = io.Copy(io.Discard, r)
		}
		return err == nil
	}
	if ct := download(fresh); canDecrypt(ct, key("leaver.key")) || !canDecrypt(ct, key("newcomer.key")) {
		t.Error("the epoch-2 report is not for the new set only")
	}
	if ct := download(old); !canDecrypt(ct, key("leaver.key")) || canDecrypt(ct, key("newcomer.key")) {
		t.Error("before rekey, the epoch-1 report should be for the old set")
	}

	// Rekey by a remaining responder moves the archive.
	status, _ := must(t, responderPins, "admin", "status", "-hub", hub, "-i", key("bruno.key"), "-pin", fingerprint)
	if !strings.Contains(status, "epoch 1: 1 submission still needs rekey") {
		t.Errorf("status before rekey:\n%s", status)
	}
	_, stderr = must(t, responderPins, "rekey", "-hub", hub, "-i", key("bruno.key"))
	if !strings.Contains(stderr, "rekeyed 1/1") {
		t.Errorf("rekey:\n%s", stderr)
	}
	status, _ = must(t, responderPins, "admin", "status", "-hub", hub, "-i", key("bruno.key"))
	if !strings.Contains(status, "every stored submission is encrypted to the current recipients") {
		t.Errorf("status after rekey:\n%s", status)
	}

	// Afterwards the leaver decrypts nothing the server serves, and the
	// newcomer opens the old report.
	subs, err := ana1.List(ctx)
	if err != nil || len(subs) != 2 {
		t.Fatalf("List = %v, %v", subs, err)
	}
	for _, s := range subs {
		if s.Epoch != 2 {
			t.Errorf("%s is at epoch %d", s.ID, s.Epoch)
		}
		if canDecrypt(download(s.ID), key("leaver.key")) {
			t.Errorf("the leaver can still decrypt %s", s.ID)
		}
	}
	opened, _ := must(t, responderPins, "open", "-hub", hub, "-i", key("newcomer.key"), "-o", key("out"), old)
	if !strings.Contains(opened, "report at epoch 1") {
		t.Errorf("the newcomer opened:\n%s", opened)
	}

	t.Run("attacks on publication", func(t *testing.T) {
		must(t, adminPins, "admin", "keygen", "-o", key("mallory.key"))
		// Another key signs a manifest built on the real one.
		must(t, adminPins, "admin", "manifest", "-from", key("it-2.json"), "-pubkey", adminPub,
			"-remove", bruno, "-o", key("evil-3.manifest"))
		must(t, adminPins, "admin", "sign", "-key", key("mallory.key"), "-o", key("evil-3.json"), key("evil-3.manifest"))
		refused(t, adminPins, []string{"not signed by this hub's admin key", "bad_signature"},
			"admin", "publish", "-hub", hub, "-force", key("evil-3.json"))
		// A rollback, and a replay.
		refused(t, adminPins, []string{"a rollback", "epoch_not_next", "build the manifest from the hub's current one"},
			"admin", "publish", "-hub", hub, "-force", key("it-1.json"))
		refused(t, adminPins, []string{"a replay", "epoch_not_next"},
			"admin", "publish", "-hub", hub, key("it-2.json"))
		// A fork: a second epoch 2, never published, and its child.
		must(t, adminPins, "admin", "manifest", "-from", key("it-1.json"), "-key", key("admin.key"),
			"-remove", leaver, "-o", key("fork-2.manifest"))
		must(t, adminPins, "admin", "sign", "-key", key("admin.key"), "-o", key("fork-2.json"), key("fork-2.manifest"))
		must(t, adminPins, "admin", "manifest", "-from", key("fork-2.json"), "-key", key("admin.key"),
			"-add", leaver, "-o", key("fork-3.manifest"))
		must(t, adminPins, "admin", "sign", "-key", key("admin.key"), "-o", key("fork-3.json"), key("fork-3.manifest"))
		refused(t, adminPins, []string{"does not follow the hub's current manifest", "broken_chain", "build the manifest from the hub's current one"},
			"admin", "publish", "-hub", hub, "-force", key("fork-3.json"))
		// Nothing changed.
		status, _ := must(t, responderPins, "admin", "status", "-hub", hub, "-i", key("ana.key"))
		if !strings.Contains(status, "hub it: epoch 2,") {
			t.Errorf("status after the attacks:\n%s", status)
		}
	})

	t.Run("pinned defender and a server that changes hands", func(t *testing.T) {
		proxy := newSwitchProxy(t, srv.URL)
		viaProxy := proxy.srv.URL + "/hubs/it"
		pins := filepath.Join(dir, "proxy-defender-pins")
		must(t, pins, "submit", "-hub", viaProxy, "-pin", fingerprint, "-m", "through the proxy")
		if proxy.submissions.Load() != 1 {
			t.Fatal("the proxy saw no submission")
		}

		// A hub that says the epoch went stale: checked again, sent again.
		proxy.staleOnce.Store(true)
		_, stderr := must(t, pins, "submit", "-hub", viaProxy, "-m", "sent twice")
		if !strings.Contains(stderr, "changed while sending (stale_epoch)") || proxy.submissions.Load() != 3 {
			t.Errorf("retry after stale_epoch (%d uploads):\n%s", proxy.submissions.Load(), stderr)
		}

		// The server serves a manifest signed by another key, as its
		// own: refused before anything is sent.
		mallory, err := manifest.ParseSecretKeyFile(bytes.NewReader(mustRead(t, key("mallory.key"))))
		if err != nil {
			t.Fatal(err)
		}
		evil, err := os.ReadFile(key("evil-3.manifest"))
		if err != nil {
			t.Fatal(err)
		}
		signed, err := manifest.Sign(mallory, evil)
		if err != nil {
			t.Fatal(err)
		}
		forged := signed.Marshal()
		proxy.forge.Store(&forged)
		refused(t, pins, []string{"refusing the recipient list of hub \"it\"", "not signed by the hub's admin key",
			"server was compromised", "do not send anything", "compare the admin key's fingerprint", "difesa pins forget -hub"},
			"submit", "-hub", viaProxy, "-m", "must not leave")
		proxy.forge.Store(nil)

		// Another server with the same hub, a new admin key and its own
		// responders: refused too.
		evilHub := testserver.NewHub(t, "it", publicKeyOf(t, key("leaver.key")))
		evilCfg := config.Default()
		evilCfg.Hubs = []config.Hub{evilHub.Config}
		evilSrv := newServer(t, evilCfg)
		proxy.setTarget(t, evilSrv.URL)
		refused(t, pins, []string{"another admin key", "do not send anything"},
			"submit", "-hub", viaProxy, "-m", "must not leave")
		if n := proxy.submissions.Load(); n != 3 {
			t.Errorf("%d submissions went through the proxy, want only the first three", n)
		}
		// The pin is unchanged: still the real key, at epoch 2.
		list, _ := must(t, pins, "pins", "list")
		if !strings.Contains(list, fingerprint) || !strings.Contains(list, " 2 ") {
			t.Errorf("pins after the attacks:\n%s", list)
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
