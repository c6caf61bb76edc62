package tortest_test

import (
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// TestOverOnionFailsUnderCIWithoutTor: TestOverOnion needs tor, and fails
// rather than skips under CI=true when it is missing.
func TestOverOnionFailsUnderCIWithoutTor(t *testing.T) {
	t.Parallel()
	tool.FailsWithoutPrograms(t, "TestOverOnion")
}
