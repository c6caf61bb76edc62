package notify

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadSecretsTwice: the configuration reads secret files, and the
// worker reads them again; the second read must not see "both set".
func TestReadSecretsTwice(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "hook.secret"), []byte("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"), 0o600)
	c := ChannelConfig{Name: "hook", Type: TypeWebhook, URL: "http://127.0.0.1:1/", SecretFile: "hook.secret"}
	if err := c.ReadSecrets(dir); err != nil {
		t.Fatal(err)
	}
	if err := c.ReadSecrets(""); err != nil {
		t.Fatalf("second read: %v", err)
	}
	if c.Secret != "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" || c.SecretFile != "" {
		t.Fatalf("secret %q, file %q", c.Secret, c.SecretFile)
	}
}
