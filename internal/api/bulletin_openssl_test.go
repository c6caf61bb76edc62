package api_test

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/tool"
)

// TestBulletinSignatureWithOpenSSL checks a served document and signature
// with `openssl pkeyutl -verify -rawin` and the admin key exported as a
// standard PEM public key: the detached signature is plain Ed25519 that
// any tool can check. Skipped without OpenSSL 3 (failed under CI=true).
func TestBulletinSignatureWithOpenSSL(t *testing.T) {
	t.Parallel()
	openssl := tool.Need(t, "openssl", "apt-get install openssl")
	if out, _ := exec.Command(openssl, "version").Output(); !strings.HasPrefix(string(out), "OpenSSL 3") {
		tool.Missing(t, "openssl pkeyutl -rawin needs OpenSSL 3, have "+strings.TrimSpace(string(out)))
	}
	b := newBulletinServer(t)
	info := b.mustPublish(t, "it", b.it.AdminKey, testserver.NewAlert("difesa-it", "it-2026-001", "Alert"))

	spki, err := x509.MarshalPKIXPublicKey(rawKey(t, b.it.AdminKey.Public()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pub := write("admin.pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))
	doc := write("bulletin.xml", do(t, "GET", b.srv.URL+info.DocumentURL, "", "", nil).body)
	sig := write("bulletin.sig", do(t, "GET", b.srv.URL+info.SignatureURL, "", "", nil).body)
	verify := func(doc string) (string, error) {
		out, err := exec.Command(openssl, "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", doc, "-sigfile", sig).CombinedOutput()
		return string(out), err
	}
	if out, err := verify(doc); err != nil || !strings.Contains(out, "Signature Verified Successfully") {
		t.Fatalf("openssl does not verify the bulletin: %v\n%s", err, out)
	}
	served, _ := os.ReadFile(doc)
	tampered := write("tampered.xml", append(served, ' '))
	if out, err := verify(tampered); err == nil {
		t.Fatalf("openssl verifies a changed document:\n%s", out)
	}
}
