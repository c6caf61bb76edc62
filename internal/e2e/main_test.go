package e2e

import (
	"os"
	"testing"

	"difesa.org/difesa/internal/client"
)

// TestMain keeps the tests away from the user's own pins (and from each
// other's: packages run in parallel, and a loopback port one test's hub
// had may come back to another hub with other keys). A test that pins
// without a folder of its own (isolatePins) fails: this one cannot be
// created.
func TestMain(m *testing.M) {
	if os.Getenv(client.ConfigDirEnv) == "" {
		os.Setenv(client.ConfigDirEnv, "/dev/null/difesa-tests-must-call-isolatePins")
	}
	os.Exit(m.Run())
}

// isolatePins gives the test a pin folder of its own.
func isolatePins(t *testing.T) {
	t.Setenv(client.ConfigDirEnv, t.TempDir())
}
