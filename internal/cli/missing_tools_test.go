package cli_test

import (
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// TestAgeAndTarFailsUnderCIWithoutTar: TestAgeAndTar needs tar, and fails
// rather than skips under CI=true when it is missing.
func TestAgeAndTarFailsUnderCIWithoutTar(t *testing.T) {
	t.Parallel()
	tool.FailsWithoutPrograms(t, "TestAgeAndTar")
}
