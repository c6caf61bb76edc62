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

// TestStolenLaptopPassphraseKey: the thief takes the whole laptop, the
// desk folder and the responder's key file protected with a passphrase
// (age -p, as difesa keygen -passphrase writes it). Without the
// passphrase, neither the key nor the vault opens.
func TestStolenLaptopPassphraseKey(t *testing.T) {
	t.Parallel()
	laptop := t.TempDir()
	id := newIdentity(t)
	scrypt, err := age.NewScryptRecipient("only the responder knows this")
	if err != nil {
		t.Fatal(err)
	}
	scrypt.SetWorkFactor(10)
	var keyFile bytes.Buffer
	w, _ := age.Encrypt(&keyFile, scrypt)
	w.Write([]byte(id.String() + "\n"))
	w.Close()
	if err := os.WriteFile(filepath.Join(laptop, "difesa-identity.age"), keyFile.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	const canary = "CANARY-passphrase-laptop-4411"
	v := openTest(t, filepath.Join(laptop, "desk"), id)
	mustPut(t, v, "reports", "sub_01", []byte(canary), day)
	v.Close()

	if f := fileHolds(t, laptop, []byte(canary)); len(f) > 0 {
		t.Errorf("the canary is readable in %v", f)
	}
	if f := fileHolds(t, laptop, []byte("AGE-SECRET-KEY")); len(f) > 0 {
		t.Errorf("a secret key is readable in %v", f)
	}
	for _, guess := range []string{"", "password", "only the responder knows"} {
		guessID, err := age.NewScryptIdentity(guess)
		if err != nil {
			continue
		}
		if _, err := age.Decrypt(bytes.NewReader(keyFile.Bytes()), guessID); err == nil {
			t.Errorf("the key file opened with %q", guess)
		}
	}
	// With the passphrase, the responder's desk opens as before.
	right, _ := age.NewScryptIdentity("only the responder knows this")
	r, err := age.Decrypt(bytes.NewReader(keyFile.Bytes()), right)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(r)
	if err != nil {
		t.Fatal(err)
	}
	v, err = Open(filepath.Join(laptop, "desk"), ids, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if got := mustGet(t, v, "reports", "sub_01"); string(got) != canary {
		t.Errorf("got %q", got)
	}
}
