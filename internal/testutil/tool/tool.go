// Package tool finds the external programs that some tests need (tor,
// chromium, firefox-esr, xmllint, openssl, tar, …).
//
// On a developer's machine a missing program skips the test with a hint on
// how to install it. Under CI=true a missing program fails the test: CI
// installs every tool the suite uses, so a skip there would hide a test
// that never ran.
package tool

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run under CI (CI=true), where nothing a
// test needs may be missing.
func InCI() bool { return os.Getenv("CI") == "true" }

// Need returns the path of the program name, looked up in PATH. When it is
// missing, the test is skipped, or failed under CI; install says how to get
// it (for example "apt-get install libxml2-utils").
func Need(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	Missing(t, name+" is not installed: "+install)
	return ""
}

// Missing skips the test with why, or fails it under CI. Use it for a
// prerequisite that Need cannot look up (a file, a version).
func Missing(t testing.TB, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf(missingMessage+": %s", why)
		return
	}
	t.Skip(why)
}
