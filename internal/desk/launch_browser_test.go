package desk

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// The desk opened from a local file that refreshes to its address (what
// "difesa desk" hands the system opener) ends on the inbox with its
// session: the SameSite=Strict cookie set by a navigation another origin
// started is sent once the desk's own page moves on to "/".
func TestBrowserOpenedFromLaunchPage(t *testing.T) {
	b := newBrowser(t)
	d := newDesk(t)
	page := filepath.Join(t.TempDir(), "desk.html")
	os.WriteFile(page, []byte(`<!doctype html><meta http-equiv="refresh" content="0;url=`+d.Address()+`">`), 0o600)
	b.step(t, "launch page", chromedp.Navigate("file://"+page), chromedp.WaitVisible("#items"))
	if u := b.eval(t, `location.href`); u != d.Origin()+"/" {
		t.Fatalf("ended at %s", u)
	}
}
