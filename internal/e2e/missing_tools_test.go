package e2e

import (
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// TestStockToolsRecoverASubmissionFailsUnderCIWithoutTar: TestStockToolsRecoverASubmission needs tar, and fails
// rather than skips under CI=true when it is missing.
func TestStockToolsRecoverASubmissionFailsUnderCIWithoutTar(t *testing.T) {
	t.Parallel()
	tool.FailsWithoutPrograms(t, "TestStockToolsRecoverASubmission")
}
