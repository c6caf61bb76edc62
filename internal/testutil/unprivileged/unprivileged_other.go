//go:build !unix

package unprivileged

import (
	"os/exec"
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// Rerun reports false: tests here do not run as root.
func Rerun(t *testing.T, test string) bool { return false }

// Command marks t with [tool.Missing] and returns nil: no other user
// can be played here.
func Command(t *testing.T, test string, env ...string) *exec.Cmd {
	tool.Missing(t, "playing another user of this computer needs a unix system")
	return nil
}
