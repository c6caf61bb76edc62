package web_test

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/chrome"
)

// TestBrowserLeavesNothingInTempDir runs a browser test, with a screenshot,
// in a temporary folder of its own (TMPDIR) and checks that the folder is
// empty once that test has ended: neither Chromium's profile and
// org.chromium.Chromium.* folders nor the screenshots stay behind.
func TestBrowserLeavesNothingInTempDir(t *testing.T) {
	chrome.Find(t)
	tmp, err := os.MkdirTemp("", "dfc-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	t.Setenv("TMPDIR", tmp)
	t.Setenv("DIFESA_ARTIFACTS", "")

	t.Run("browse", func(t *testing.T) {
		srv := testserver.New(t)
		ctx := newBrowser(t)
		step(t, ctx, "report page", chromedp.Navigate(srv.HubURL+"/report"), chromedp.WaitVisible("#epoch"))
		screenshot(t, ctx, "report-tempdir-check")
	})

	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if len(left) > 0 {
		t.Fatalf("a browser test left %d entries in the temporary folder: %v", len(left), left)
	}
}
