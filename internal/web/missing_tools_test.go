package web_test

import (
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// TestBrowserScreenshotsFailsUnderCIWithoutChromium: TestBrowserScreenshots needs chromium, and fails
// rather than skips under CI=true when it is missing.
func TestBrowserScreenshotsFailsUnderCIWithoutChromium(t *testing.T) {
	t.Parallel()
	tool.FailsWithoutPrograms(t, "TestBrowserScreenshots")
}
