package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

// TestCheckinVerifierMatchesServer holds the client's copy of the check-in
// verifier to the server's.
func TestCheckinVerifierMatchesServer(t *testing.T) {
	t.Parallel()
	for range 20 {
		c, err := codename.Generate()
		if err != nil {
			t.Fatal(err)
		}
		if client.CheckinVerifier(c.String()) != api.CheckinVerifier(c.String()) {
			t.Fatalf("client and server disagree on the verifier of a code")
		}
	}
	if client.CheckinVerifier("") != api.CheckinVerifier("") {
		t.Fatal("client and server disagree on the empty code")
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"code":"too_many_requests","message":"slow down"}}`)
	}))
	defer srv.Close()
	c, err := client.New(srv.URL+"/hubs/demo", client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Thread(context.Background(), client.ThreadToken{})
	if d, ok := client.RetryAfter(err); !ok || d != 7*time.Second {
		t.Errorf("RetryAfter = %v, %v (%v)", d, ok, err)
	}
	if !errors.Is(err, &wire.Error{Code: wire.CodeTooManyRequests}) {
		t.Errorf("%v is not too_many_requests", err)
	}
	var we *wire.Error
	if !errors.As(err, &we) || we.Status != 429 {
		t.Errorf("errors.As: %v", err)
	}
}

// TestThreadAgainstServer walks the conversation endpoints with the client
// alone: open, read, follow up, reply, delete.
func TestThreadAgainstServer(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c, err := client.New(srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.Recipients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	name, _ := codename.Generate()
	keys, err := codename.Derive(name, c.HubID())
	if err != nil {
		t.Fatal(err)
	}
	encrypt := func(text string, extra ...age.Recipient) io.Reader {
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, append(append([]age.Recipient(nil), rs...), extra...)...)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, text)
		w.Close()
		return &buf
	}
	opened, err := c.OpenThread(ctx, wire.KindReport, 0, keys.Verifier, encrypt("report"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.OpenThread(ctx, wire.KindReport, 0, keys.Verifier, encrypt("again")); !errors.Is(err, &wire.Error{Code: wire.CodeThreadExists}) {
		t.Errorf("a second opening with the same codename: %v", err)
	}
	token := client.ThreadToken(keys.Token)
	if _, err := c.Followup(ctx, token, 0, encrypt("more")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Thread(ctx, client.ThreadToken{1}); !errors.Is(err, &wire.Error{Code: wire.CodeNoThread}) {
		t.Errorf("an unknown token: %v", err)
	}

	responder, err := client.New(srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := responder.Login(ctx, readIdentity(t, srv.IdentityFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := responder.Reply(ctx, opened.ID, 0, encrypt("reply to the hub only")); !errors.Is(err, &wire.Error{Code: wire.CodeRecipientMismatch}) {
		t.Errorf("a reply without the defender's key: %v", err)
	}
	defender, err := age.ParseHybridRecipient(keys.Recipient)
	if err != nil {
		t.Fatal(err)
	}
	reply, err := responder.Reply(ctx, opened.ID, 0, encrypt("the reply", defender))
	if err != nil {
		t.Fatal(err)
	}

	th, err := c.Thread(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	rth, err := responder.ResponderThread(ctx, reply.ID)
	if err != nil {
		t.Fatal(err)
	}
	if th.ID != opened.ID || rth.ID != opened.ID || len(th.Messages) != 3 || len(rth.Messages) != 3 {
		t.Fatalf("threads: %+v / %+v", th, rth)
	}
	for i, kind := range []string{wire.KindReport, wire.KindFollowup, wire.KindReply} {
		if m := th.Messages[i]; m.Kind != kind || m.Seq != uint32(i) {
			t.Errorf("message %d: %+v", i, m)
		}
	}
	var ct bytes.Buffer
	if _, err := c.DownloadMessage(ctx, token, reply.ID, &ct); err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(&ct, keys.Identity)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(r); string(got) != "the reply" {
		t.Errorf("the defender read %q", got)
	}

	if err := c.DeleteThread(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Thread(ctx, token); !errors.Is(err, &wire.Error{Code: wire.CodeNoThread}) {
		t.Errorf("after deletion: %v", err)
	}
	if _, err := responder.ResponderThread(ctx, opened.ID); !errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) {
		t.Errorf("the responder after deletion: %v", err)
	}
}

func readIdentity(t *testing.T, path string) age.Identity {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil || len(ids) == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	return ids[0]
}

// newServer starts the demo server on a data folder that does not exist
// yet, so that the server creates it with the mode it requires.
func newServer(t *testing.T) *testserver.Server {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	return testserver.NewWithConfig(t, cfg)
}
