package bundle

import (
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// TestSystemTarFailsUnderCIWithoutTar: TestSystemTar needs tar, and fails
// rather than skips under CI=true when it is missing.
func TestSystemTarFailsUnderCIWithoutTar(t *testing.T) {
	t.Parallel()
	tool.FailsWithoutPrograms(t, "TestSystemTar")
}
