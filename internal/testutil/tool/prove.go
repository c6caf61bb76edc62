package tool

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// missingMessage starts what [Missing] reports under CI.
const missingMessage = "CI=true and a prerequisite is missing"

// FailsWithoutPrograms proves that the test named test, of the running test
// binary, fails under CI=true when the programs it needs are missing: it
// runs that test alone in a child process with CI=true and a PATH that holds
// nothing, and fails t unless the child failed through [Missing]. Programs
// found by an absolute path are out of its reach.
func FailsWithoutPrograms(t *testing.T, test string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("tool: unable to find the test binary: %v", err)
	}
	cmd := exec.Command(exe, "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") && !strings.HasPrefix(kv, "CI=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "CI=true", "PATH="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), missingMessage) {
		t.Fatalf("%s with CI=true and an empty PATH: want a failure for a missing program, got (err %v):\n%s", test, err, out)
	}
}
