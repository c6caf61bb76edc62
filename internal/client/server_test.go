package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

func TestAgainstServer(t *testing.T) {
	srv := testserver.New(t)
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
