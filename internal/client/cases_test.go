package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// caseCanary is in the plaintext of every record the test writes: it
// must reach neither the server's database nor its logs.
const caseCanary = "CANARY-assignee-lawyer-label-torture-7f3a"

func sealRecord(t *testing.T, c *client.Client, text string) []byte {
	t.Helper()
	rs, err := c.Recipients(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rs...)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, caseCanary+" "+text)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func loggedIn(t *testing.T, srv *testserver.Server) *client.Client {
	t.Helper()
	c, err := client.New(srv.HubURL, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(srv.IdentityFile)
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
	return c
}

// TestCaseRecordsAgainstServer drives the case record methods against a
// real difesad: create, stale write, CAS, the hub record; then checks the
// database file and the logs for the canary, and that a restart keeps the
// versions.
func TestCaseRecordsAgainstServer(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	srv := testserver.NewWithConfig(t, cfg)

	anon, _ := client.New(srv.HubURL, client.Options{})
	if _, _, err := anon.GetCase(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa"); !errors.Is(err, client.ErrNotLoggedIn) {
		t.Fatalf("GetCase before login: %v", err)
	}
	created, err := anon.Submit(ctx, "report", bytes.NewReader(sealRecord(t, anon, "report")))
	if err != nil {
		t.Fatal(err)
	}
	c := loggedIn(t, srv)

	if ct, v, err := c.GetCase(ctx, created.ID); ct != nil || v != 0 || err != nil {
		t.Fatalf("GetCase of a case without a record: %d bytes, %d, %v", len(ct), v, err)
	}
	if _, _, err := c.GetCase(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa"); !errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) {
		t.Fatalf("GetCase of an unknown submission: %v", err)
	}
	v1 := sealRecord(t, c, "assignee: lawyer")
	if v, err := c.PutCase(ctx, created.ID, v1, 0); err != nil || v != 1 {
		t.Fatalf("create: %d, %v", v, err)
	}
	v2 := sealRecord(t, c, "labels: torture, detention")
	_, err = c.PutCase(ctx, created.ID, v2, 0)
	var stale *client.StaleVersionError
	if !errors.As(err, &stale) || stale.Current != 1 || !errors.Is(err, client.ErrStaleVersion) || !errors.Is(err, &wire.Error{Code: wire.CodeStaleVersion}) {
		t.Fatalf("stale create: %v", err)
	}
	if v, err := c.PutCase(ctx, created.ID, v2, stale.Current); err != nil || v != 2 {
		t.Fatalf("CAS on 1: %d, %v", v, err)
	}
	if ct, v, err := c.GetCase(ctx, created.ID); err != nil || v != 2 || !bytes.Equal(ct, v2) {
		t.Fatalf("GetCase: %d bytes, %d, %v", len(ct), v, err)
	}
	big := sealRecord(t, c, string(make([]byte, wire.MaxCaseRecordSize)))
	if _, err := c.PutCase(ctx, created.ID, big, 2); !errors.Is(err, &wire.Error{Code: wire.CodeCaseTooLarge}) {
		t.Fatalf("oversize: %v", err)
	}

	if ct, v, err := c.GetHubRecord(ctx); ct != nil || v != 0 || err != nil {
		t.Fatalf("GetHubRecord before any: %d bytes, %d, %v", len(ct), v, err)
	}
	hub1 := sealRecord(t, c, "labels: torture, detention, disappearance")
	if v, err := c.PutHubRecord(ctx, hub1, 0); err != nil || v != 1 {
		t.Fatalf("PutHubRecord: %d, %v", v, err)
	}
	if _, err := c.PutHubRecord(ctx, hub1, 0); !errors.Is(err, client.ErrStaleVersion) {
		t.Fatalf("stale PutHubRecord: %v", err)
	}

	// Stop the server: the database holds the ciphertext, never the
	// plaintext; the logs hold neither.
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.Instance.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}
	db, err := os.ReadFile(filepath.Join(cfg.DataDir, daemon.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(db, v2) || !bytes.Contains(db, hub1) {
		t.Fatal("the database does not hold the records' ciphertext")
	}
	if bytes.Contains(db, []byte(caseCanary)) {
		t.Error("the canary is in the database")
	}
	if logs := srv.Logs(); bytes.Contains([]byte(logs), []byte(caseCanary)) {
		t.Errorf("the canary is in the logs:\n%s", logs)
	}

	// A restart keeps the records and their versions.
	srv = testserver.NewWithConfig(t, cfg)
	c = loggedIn(t, srv)
	if ct, v, err := c.GetCase(ctx, created.ID); err != nil || v != 2 || !bytes.Equal(ct, v2) {
		t.Fatalf("GetCase after a restart: %d bytes, %d, %v", len(ct), v, err)
	}
	if ct, v, err := c.GetHubRecord(ctx); err != nil || v != 1 || !bytes.Equal(ct, hub1) {
		t.Fatalf("GetHubRecord after a restart: %d bytes, %d, %v", len(ct), v, err)
	}
	if v, err := c.PutCase(ctx, created.ID, v1, 2); err != nil || v != 3 {
		t.Fatalf("CAS after a restart: %d, %v", v, err)
	}
}
