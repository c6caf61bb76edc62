package export

import (
	"bytes"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"
)

// TestWriteDirLeavesNothingOnFailure: a folder export that fails halfway
// (here a file-size limit, as a full disk would) removes the case folder it
// had begun, so that nothing half-written stays behind and the next
// attempt is not refused as "exists". The write runs in a child process,
// the only one the limit applies to.
func TestWriteDirLeavesNothingOnFailure(t *testing.T) {
	const env = "DIFESA_TEST_EXPORT_FSIZE_DIR"
	if dir := os.Getenv(env); dir != "" {
		signal.Ignore(syscall.SIGXFSZ) // the write fails with EFBIG instead
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			t.Fatal(err)
		}
		lim.Cur = 64 << 10
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			t.Fatal(err)
		}
		c := testCase()
		c.Attachments = append(c.Attachments, Attachment{"big.bin", bytes.Repeat([]byte{1}, 1<<20)})
		if _, err := WriteDir(dir, c); err == nil {
			t.Fatal("WriteDir wrote 1 MiB past a 64 KiB file-size limit")
		}
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteDirLeavesNothingOnFailure$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}
