package tool

import (
	"os"
	"testing"
	"time"
)

// RemoveDir removes the folder an external program (a browser) used,
// after it exited: a child process of it (a crash handler, a content
// process) may still write there for a moment, so a removal that fails is
// tried again for up to 5 s before the test fails.
func RemoveDir(t testing.TB, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := os.RemoveAll(dir)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("tool: unable to remove the folder %s: %v", dir, err)
			return
		}
		time.Sleep(20 * time.Millisecond) // the other process has no signal to wait for
	}
}
