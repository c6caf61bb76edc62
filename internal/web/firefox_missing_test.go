package web_test

import (
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// TestFirefoxFailsUnderCIWithoutFirefox: TestFirefox needs firefox-esr, and
// fails rather than skips under CI=true when it is missing.
func TestFirefoxFailsUnderCIWithoutFirefox(t *testing.T) {
	t.Parallel()
	tool.FailsWithoutPrograms(t, "TestFirefox")
}
