package vault

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"
)

// TestStolenLaptop takes the desk folder as a thief would, without the
// responder's identity: nothing in it opens, and no plaintext shows.
func TestStolenLaptop(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	v := openTest(t, dir, id)
	const canary = "CANARY-7f3a-the-witness-lives-at-via-roma-12"
	mustPut(t, v, "reports", "sub_01", []byte("report: "+canary), day)
	mustPut(t, v, "threads", "sub_01", bytes.Repeat([]byte(canary), 2000), day)
	mustPut(t, v, "index", "t:0001", []byte(canary), day)
	mustPut(t, v, "drafts", "sub_01", []byte(canary+" draft"), day)
	if err := v.Delete("drafts", "sub_01"); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	for _, needle := range [][]byte{[]byte(canary), []byte("CANARY"), []byte("via-roma")} {
		if f := fileHolds(t, dir, needle); len(f) > 0 {
			t.Errorf("%q is readable in %v", needle, f)
		}
	}
	if f := fileHolds(t, dir, []byte(id.String())); len(f) > 0 {
		t.Errorf("the identity is in %v", f)
	}

	thief := newIdentity(t)
	if _, err := Open(dir, []age.Identity{thief}, thief.Recipient()); !errors.Is(err, ErrForeignIdentity) {
		t.Errorf("Open with the thief's identity: %v", err)
	}
	wrapped, err := os.ReadFile(filepath.Join(dir, keyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := age.Decrypt(bytes.NewReader(wrapped), thief); err == nil {
		b, _ := io.ReadAll(r)
		t.Errorf("the key file opened without the identity: %d bytes", len(b))
	}
	// Every file in the folder is one of the two the vault documents.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != keyFileName && e.Name() != dbFileName {
			t.Errorf("unexpected file %s in the desk folder", e.Name())
		}
	}
	// The owner still reads everything.
	v = openTest(t, dir, id)
	if got := mustGet(t, v, "index", "t:0001"); string(got) != canary {
		t.Errorf("owner reads %q", got)
	}
}
