package tortest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/notify"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/syncbuf"
	"difesa.org/difesa/internal/tortest"
	"difesa.org/difesa/internal/wire"
)

// TestOverOnion runs difesad behind a real v3 onion service on a private
// Tor network, as in production: difesad listens on a unix socket that
// only Tor reaches, and sends its notifications through Tor's SOCKS port
// (notify_proxy) to a webhook receiver that is itself an onion service on
// a unix socket. One network carries both, since starting it is what
// takes time.
func TestOverOnion(t *testing.T) {
	if testing.Short() {
		t.Skip("tortest: a private Tor network takes about half a minute to start; skipped with -short (the full test run has it)")
	}
	start := time.Now()
	dir := t.TempDir()
	t.Setenv(client.ConfigDirEnv, filepath.Join(dir, "pins"))

	recv := newOnionReceiver(t, filepath.Join(dir, "receiver.sock"))
	socket := filepath.Join(dir, "difesad.sock")
	net := tortest.Start(t, "unix:"+socket, "unix:"+recv.socket)
	t.Logf("private Tor network bootstrapped, 2 onion services published in %v", net.Bootstrap.Round(time.Millisecond))

	// difesad starts once the addresses are known (Tor reaches its socket
	// only when a client connects): one hub, whose webhook channel is the
	// receiver's onion address, reached through the network's client.
	identity, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(dir, "responder.txt")
	if err := os.WriteFile(idFile, []byte(identity.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := testserver.NewHub(t, "tor", identity.Recipient().String())
	h.Config.Channels = []notify.ChannelConfig{{
		Name: "onion-hook", Type: notify.TypeWebhook,
		URL: "http://" + net.Onions[1] + "/hook", Secret: recv.secret,
	}}
	cfg := config.Default()
	cfg.Listen = "unix:" + socket
	cfg.DataDir = filepath.Join(dir, "data")
	cfg.PublicURL = "http://" + net.Onion
	cfg.NotifyProxy = net.SocksURL
	cfg.Hubs = []config.Hub{h.Config}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	inst, err := daemon.Start(cfg, daemon.NewLogger(logs, "text", "info"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		inst.Shutdown(ctx)
	})
	hub := "http://" + net.Onion + "/hubs/tor"

	t.Run("submit and open", func(t *testing.T) {
		const text = "sent over a real onion service: città, 12 of May"
		began := time.Now()
		id := strings.TrimSpace(run(t, net, "submit", "-hub", hub, "-proxy", net.SocksURL, "-m", text))
		t.Logf("submit over Tor: %v", time.Since(began).Round(time.Millisecond))

		began = time.Now()
		out := run(t, net, "open", "-hub", hub, "-proxy", net.SocksURL,
			"-i", idFile, "-o", filepath.Join(dir, "opened"), id)
		t.Logf("open over Tor: %v", time.Since(began).Round(time.Millisecond))
		if !strings.Contains(out, text) {
			t.Errorf("open printed:\n%s\nwant the text %q", out, text)
		}
	})

	// An urgent alert sent over Tor is announced over Tor: the receiver
	// listens on a unix socket only its onion service reaches, so a
	// webhook that arrives came through the network. It says that an
	// alert arrived and nothing of what it says.
	t.Run("alert webhook", func(t *testing.T) {
		const canary = "canary-7f3a: the police are at Via Roma 1"
		began := time.Now()
		run(t, net, "alert", "-hub", hub, "-proxy", net.SocksURL, "-m", canary, "-where", "canary-where-91c2")
		sent := time.Now()
		t.Logf("alert over Tor: %v", sent.Sub(began).Round(time.Millisecond))

		var got onionRequest
		select {
		case got = <-recv.arrived:
		case <-time.After(webhookBound):
			t.Fatalf("no webhook at the onion receiver within %v of the alert's 201\ndifesad:\n%s\ntor logs:%s",
				webhookBound, logs.String(), net.Logs())
		}
		t.Logf("webhook at the onion receiver %v after the alert's 201 (%v after the command began)",
			got.at.Sub(sent).Round(time.Millisecond), got.at.Sub(began).Round(time.Millisecond))
		if got.err != nil {
			t.Fatalf("webhook refused: %v\n%s", got.err, got.body)
		}
		var body struct {
			Type   string `json:"type"`
			Hub    string `json:"hub"`
			Count  int    `json:"count"`
			Urgent bool   `json:"urgent"`
			URL    string `json:"url"`
		}
		if err := json.Unmarshal(got.body, &body); err != nil {
			t.Fatalf("webhook body %q: %v", got.body, err)
		}
		if body.Type != wire.EventAlertReceived || !body.Urgent || body.Hub != "tor" || body.Count != 1 {
			t.Errorf("webhook body %s, want an urgent %s of hub tor, count 1", got.body, wire.EventAlertReceived)
		}
		if body.URL != hub {
			t.Errorf("webhook url %q, want the hub's onion address %q", body.URL, hub)
		}
		for _, secret := range []string{"canary-7f3a", "Via Roma", "canary-where-91c2"} {
			if bytes.Contains(got.raw, []byte(secret)) {
				t.Errorf("the webhook request carries the alert's text %q:\n%s", secret, got.raw)
			}
		}
	})
	t.Logf("whole test: %v", time.Since(start).Round(time.Millisecond))
}

// webhookBound is how long an alert's webhook may take through Tor: a
// first connection to an onion service, and one retry (notify's first
// retry comes after at most 15 s).
const webhookBound = 90 * time.Second

// onionReceiver is a webhook endpoint on a unix socket that checks
// signatures with the Standard Webhooks reference library.
type onionReceiver struct {
	socket, secret string
	arrived        chan onionRequest
}

// onionRequest is one request the receiver got: its body, the whole
// request as sent (headers and body), and why it was refused, if it was.
type onionRequest struct {
	at        time.Time
	body, raw []byte
	err       error
}

func newOnionReceiver(t *testing.T, socket string) *onionReceiver {
	t.Helper()
	key := make([]byte, 32)
	rand.Read(key)
	r := &onionReceiver{socket: socket, secret: "whsec_" + base64.StdEncoding.EncodeToString(key), arrived: make(chan onionRequest, 16)}
	wh, err := standardwebhooks.NewWebhook(r.secret)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			got := onionRequest{at: time.Now()}
			got.body, got.err = io.ReadAll(http.MaxBytesReader(w, req.Body, 1<<20))
			var raw bytes.Buffer
			req.Header.Write(&raw)
			raw.Write(got.body)
			got.raw = raw.Bytes()
			if got.err == nil && (req.Method != http.MethodPost || req.URL.Path != "/hook") {
				got.err = fmt.Errorf("%s %s, want POST /hook", req.Method, req.URL.Path)
			}
			if got.err == nil {
				got.err = wh.Verify(got.body, req.Header)
			}
			select {
			case r.arrived <- got:
			default:
			}
			if got.err != nil {
				http.Error(w, "refused", http.StatusUnauthorized)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}),
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

// run runs the CLI in-process and returns its standard output, failing the
// test, with the tors' logs, if it does not succeed.
func run(t *testing.T, net *tortest.Network, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := cli.Main(args, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("difesa %s: exit %d\n%s\ntor logs:%s", strings.Join(args, " "), code, stderr.String(), net.Logs())
	}
	return stdout.String()
}
