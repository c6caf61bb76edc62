package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

func TestAgainstServer(t *testing.T) {
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
	var ct bytes.Buffer
	w, err := age.Encrypt(&ct, rs...)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "hello hub")
	w.Close()
	created, err := c.Submit(ctx, "report", bytes.NewReader(ct.Bytes()))
	if err != nil {
		t.Fatalf("Submit: %v\n%s", err, srv.Logs())
	}
	if created.Size != int64(ct.Len()) || created.Hub != c.HubID() {
		t.Errorf("created = %+v", created)
	}

	// A file whose stanzas cannot be for the hub's recipients is refused
	// with a code. (The server cannot tell one post-quantum recipient from
	// another: it checks stanza types.)
	classic, _ := age.GenerateX25519Identity()
	var bad bytes.Buffer
	w, _ = age.Encrypt(&bad, classic.Recipient())
	w.Close()
	if _, err := c.Submit(ctx, "report", &bad); !errors.Is(err, &wire.Error{Code: wire.CodeRecipientMismatch}) {
		t.Errorf("Submit to a stranger: %v, want recipient_mismatch", err)
	}

	// Logging in with a stranger's key fails.
	other, _ := age.GenerateHybridIdentity()
	if err := c.Login(ctx, other); !errors.Is(err, &wire.Error{Code: wire.CodeBadChallenge}) {
		t.Errorf("Login with a stranger's key: %v, want bad_challenge", err)
	}

	data, err := os.ReadFile(srv.IdentityFile)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx, ids[0]); err != nil {
		t.Fatalf("Login: %v", err)
	}
	list, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].ID != created.ID || list[0].Status != wire.StatusNew {
		t.Fatalf("List = %+v", list)
	}
	var got bytes.Buffer
	if n, err := c.Download(ctx, created.ID, &got); err != nil || n != int64(ct.Len()) {
		t.Fatalf("Download = %d, %v", n, err)
	}
	if !bytes.Equal(got.Bytes(), ct.Bytes()) {
		t.Errorf("downloaded ciphertext differs")
	}
	if err := c.SetStatus(ctx, created.ID, wire.StatusClosed); err != nil {
		t.Fatal(err)
	}
	if list, _ := c.List(ctx); len(list) != 1 || list[0].Status != wire.StatusClosed {
		t.Errorf("after SetStatus, List = %+v", list)
	}
	if err := c.Delete(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Download(ctx, created.ID, io.Discard); !errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) {
		t.Errorf("Download after Delete: %v, want not_found", err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestManifestEndpointsAgainstServer(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	c, err := client.New(srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.VerifiedRecipients(ctx, client.Trust{Pins: client.NewPinStore(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	if v.Epoch != 1 || !v.FirstUse {
		t.Fatalf("Verified = %+v", v)
	}
	l, err := c.Manifests(ctx)
	if err != nil || l.Current != 1 || len(l.Manifests) != 1 || l.Manifests[0].Hash != manifest.Hash(v.Signed.Manifest) {
		t.Fatalf("Manifests = %+v, %v", l, err)
	}
	if _, err := c.ManifestAt(ctx, 2); !errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) {
		t.Errorf("ManifestAt(2) = %v, want not_found", err)
	}
	// Republishing epoch 1 is a replay.
	if _, err := c.PublishManifest(ctx, v.Signed); !errors.Is(err, &wire.Error{Code: wire.CodeEpochNotNext}) {
		t.Errorf("PublishManifest(epoch 1) = %v, want epoch_not_next", err)
	}

	var ct bytes.Buffer
	w, _ := age.Encrypt(&ct, v.Recipients...)
	io.WriteString(w, "at epoch 1")
	w.Close()
	created, err := c.SubmitEpoch(ctx, "report", v.Epoch, bytes.NewReader(ct.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SubmitEpoch(ctx, "report", 7, bytes.NewReader(ct.Bytes())); !errors.Is(err, &wire.Error{Code: wire.CodeUnknownEpoch}) {
		t.Errorf("SubmitEpoch(7) = %v, want unknown_epoch", err)
	}
	if _, err := c.Epochs(ctx); !errors.Is(err, client.ErrNotLoggedIn) {
		t.Errorf("Epochs before login: %v", err)
	}
	data, _ := os.ReadFile(srv.IdentityFile)
	ids, _ := age.ParseIdentities(bytes.NewReader(data))
	if err := c.Login(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	ec, err := c.Epochs(ctx)
	if err != nil || ec.Current != 1 || ec.Submissions["1"] != 1 {
		t.Errorf("Epochs = %+v, %v", ec, err)
	}
	if _, err := c.ReplaceCiphertext(ctx, created.ID, 1, bytes.NewReader(ct.Bytes())); !errors.Is(err, &wire.Error{Code: wire.CodeAlreadyCurrent}) {
		t.Errorf("ReplaceCiphertext at the current epoch = %v, want already_current", err)
	}
	if _, err := c.Audit(ctx); err != nil {
		t.Errorf("Audit: %v", err)
	}
}
