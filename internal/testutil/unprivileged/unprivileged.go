//go:build unix

// Package unprivileged runs a test as an unprivileged user when the tests
// run as root (as CI does): root ignores file permissions, so a test of
// what they refuse proves nothing as root.
package unprivileged

import (
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// Rerun reports whether the caller, the test named test, must hand over:
// as root it runs that test again, alone, in a child process as the user
// nobody, fails t unless it passed there, and returns true; the caller
// then returns. Otherwise it returns false and the test goes on.
func Rerun(t *testing.T, test string) bool {
	t.Helper()
	if os.Geteuid() != 0 {
		return false
	}
	cmd := Command(t, test)
	if cmd == nil {
		return true
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("%s as nobody (uid %d): %v\n%s", test, cmd.SysProcAttr.Credential.Uid, err, out)
	}
	return true
}

// Command returns a command that runs the test named test of the running
// test binary, alone, as the user nobody, with env added to a minimal
// environment: the other user of a test that plays one. It needs root
// (only root can start a process as another user): otherwise, or without
// the user nobody, it marks t with [tool.Missing] and returns nil.
func Command(t *testing.T, test string, env ...string) *exec.Cmd {
	t.Helper()
	if os.Geteuid() != 0 {
		tool.Missing(t, "playing another user of this computer needs root, to start a process as the user nobody")
		return nil
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		tool.Missing(t, "running a test as an unprivileged user needs the user nobody: "+err.Error())
		return nil
	}
	uid, err1 := strconv.ParseUint(nobody.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(nobody.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		t.Fatalf("unprivileged: user nobody has uid %q, gid %q", nobody.Uid, nobody.Gid)
	}
	// The test binary sits in go test's private folder: copy it where
	// nobody can run it.
	dir, err := os.MkdirTemp("", "difesa-unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	exe := filepath.Join(dir, "test")
	if err := copyExecutable(exe); err != nil {
		t.Fatalf("unprivileged: unable to copy the test binary: %v", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TMPDIR=" + os.TempDir(), "HOME=" + dir}, env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	return cmd
}

// copyExecutable copies the running test binary to path, mode 0755.
func copyExecutable(path string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	src, err := os.Open(self)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
