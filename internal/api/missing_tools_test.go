package api_test

import (
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// TestBulletinSignatureWithOpenSSLFailsUnderCIWithoutOpenSSL: TestBulletinSignatureWithOpenSSL needs openssl, and fails
// rather than skips under CI=true when it is missing.
func TestBulletinSignatureWithOpenSSLFailsUnderCIWithoutOpenSSL(t *testing.T) {
	t.Parallel()
	tool.FailsWithoutPrograms(t, "TestBulletinSignatureWithOpenSSL")
}
