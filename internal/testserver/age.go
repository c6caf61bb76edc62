package testserver

import (
	"bytes"
	"io"
	"os"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// Encrypt returns an age file of plaintext for recipients, ASCII-armored or
// not, as a defender's client would make it.
func Encrypt(t testing.TB, plaintext []byte, armored bool, recipients ...age.Recipient) []byte {
	t.Helper()
	var buf bytes.Buffer
	var dst io.Writer = &buf
	var aw io.WriteCloser
	if armored {
		aw = armor.NewWriter(&buf)
		dst = aw
	}
	w, err := age.Encrypt(dst, recipients...)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plaintext)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if aw != nil {
		if err := aw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// LoadIdentity reads the post-quantum identity in an identity file, such as
// the demo hub's responder identity (Server.IdentityFile).
func LoadIdentity(t testing.TB, path string) *age.HybridIdentity {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	id, ok := ids[0].(*age.HybridIdentity)
	if !ok {
		t.Fatalf("%s is not a post-quantum identity", path)
	}
	return id
}
