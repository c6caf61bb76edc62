package e2e

import (
	"io"
	"os"
	"testing"

	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/daemon"
)

// roleEnv makes the test binary a program of its own in a child process:
// "difesad" (the server, its standard error also written whole to the
// file named by logEnv) or "difesa" (the command line). The tests of
// processes_test.go run it so.
const (
	roleEnv = "DIFESA_E2E_ROLE"
	logEnv  = "DIFESA_E2E_LOG"
)

// TestMain keeps the tests away from the user's own pins (and from each
// other's: packages run in parallel, and a loopback port one test's hub
// had may come back to another hub with other keys). A test that pins
// without a folder of its own (isolatePins) fails: this one cannot be
// created.
func TestMain(m *testing.M) {
	switch os.Getenv(roleEnv) {
	case "difesa":
		os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	case "difesad":
		os.Exit(serveChild())
	}
	if os.Getenv(client.ConfigDirEnv) == "" {
		os.Setenv(client.ConfigDirEnv, "/dev/null/difesa-tests-must-call-isolatePins")
	}
	os.Exit(m.Run())
}

// serveChild runs difesad, every line it logs kept in the file logEnv
// names as well as on standard error.
func serveChild() int {
	var stderr io.Writer = os.Stderr
	if path := os.Getenv(logEnv); path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			os.Stderr.WriteString("e2e: unable to open the log file: " + err.Error() + "\n")
			return 1
		}
		defer f.Close()
		stderr = io.MultiWriter(f, os.Stderr)
	}
	return daemon.Main(os.Args[1:], os.Stdout, stderr, os.Getenv)
}

// isolatePins gives the test a pin folder of its own.
func isolatePins(t *testing.T) {
	t.Setenv(client.ConfigDirEnv, t.TempDir())
}
