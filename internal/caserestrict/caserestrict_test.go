package caserestrict

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
)

// TestApplyAndReencrypt: on a real hub of two responders, Apply
// restricts a case to one, Reencrypt seals its report to that one only,
// and both run again change and write nothing (a half-done run
// finishes, a finished one is left alone); lifting opens it to both.
func TestApplyAndReencrypt(t *testing.T) {
	var ids [2]*age.HybridIdentity
	var keys []string
	for i := range ids {
		id, err := age.GenerateHybridIdentity()
		if err != nil {
			t.Fatal(err)
		}
		ids[i], keys = id, append(keys, id.Recipient().String())
	}
	cfg := config.Default()
	cfg.Hubs = append(cfg.Hubs, testserver.NewHub(t, "team", keys...).Config)
	srv := testserver.NewWithOptions(t, cfg, testserver.Options{})
	ctx := context.Background()
	c, err := client.New(srv.Instance.HubURL("team"), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ct := testserver.Encrypt(t, []byte("canary-plaintext"), false, ids[0].Recipient(), ids[1].Recipient())
	sc, err := c.Submit(ctx, "report", bytes.NewReader(ct))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	v, err := c.VerifiedRecipients(ctx, client.Trust{})
	if err != nil {
		t.Fatal(err)
	}
	noReply := func(context.Context, string) (age.Recipient, error) { return nil, errors.New("no reply expected") }
	read := func(id age.Identity) error {
		var buf bytes.Buffer
		if _, err := c.Download(ctx, sc.ID, &buf); err != nil {
			return err
		}
		_, err := age.Decrypt(&buf, id)
		return err
	}

	only := []string{keys[0]}
	for run, wantMoved := range []int{1, 0} {
		rs, err := Apply(ctx, c, sc.ID, only)
		if err != nil || rs.Version != 1 {
			t.Fatalf("run %d: Apply: %+v %v", run, rs, err)
		}
		to, err := caseedit.RestrictionRecipients(v, rs)
		if err != nil || len(to) != 1 {
			t.Fatalf("run %d: recipients %v %v", run, to, err)
		}
		moved, err := Reencrypt(ctx, c, []age.Identity{ids[0]}, v, sc.ID, to, noReply)
		if err != nil || moved != wantMoved {
			t.Fatalf("run %d: Reencrypt: %d %v", run, moved, err)
		}
	}
	if err := read(ids[0]); err != nil {
		t.Errorf("the member cannot read the report: %v", err)
	}
	if err := read(ids[1]); err == nil {
		t.Error("the outsider's key still decrypts the report")
	}

	rs, err := Apply(ctx, c, sc.ID, nil)
	if err != nil || len(rs.Keys) != 0 || rs.Version != 2 {
		t.Fatalf("lift: %+v %v", rs, err)
	}
	if moved, err := Reencrypt(ctx, c, []age.Identity{ids[0]}, v, sc.ID, v.Recipients, noReply); err != nil || moved != 1 {
		t.Fatalf("lift: Reencrypt: %d %v", moved, err)
	}
	if err := read(ids[1]); err != nil {
		t.Errorf("after the lift the other responder cannot read the report: %v", err)
	}
}
