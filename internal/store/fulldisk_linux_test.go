//go:build linux

package store

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// fullDiskEnv, in the child of TestFullDiskLosesNothing, names the
// database to fill and the size its file may not grow past.
const fullDiskEnv = "DIFESA_STORE_FULL_DISK"

// TestFullDiskLosesNothing fills a database whose file may not grow
// (RLIMIT_FSIZE in a child process: the kernel refuses with EFBIG, as a
// full disk refuses with ENOSPC) and checks that every write is refused
// with an error [IsNoSpace] recognises, wrapped with what failed, and that
// after a restart with room again everything written before is there and
// the unfinished upload is gone.
func TestFullDiskLosesNothing(t *testing.T) {
	if v := os.Getenv(fullDiskEnv); v != "" {
		fillInChild(t, v)
		return
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "test.db")
	s, check := seedStore(t, path)
	s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestFullDiskLosesNothing$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), fullDiskEnv+"="+path+":"+strconv.FormatInt(fi.Size()+2<<20, 10))
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestFullDiskLosesNothing") {
		t.Fatalf("the child that fills the database: %v\n%s", err, out)
	}
	t.Logf("child:\n%s", out)
	check(t)
}

// fillInChild runs in the child process: it caps the size of files, then
// writes until the store refuses.
func fillInChild(t *testing.T, v string) {
	path, limit, _ := strings.Cut(v, ":")
	n, err := strconv.ParseUint(limit, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	up := s.NewUpload("h")
	chunk := make([]byte, ChunkSize)
	var werr error
	for i := 0; i < 64 && werr == nil; i++ {
		werr = up.WriteChunk(chunk)
	}
	if !IsNoSpace(werr) || !strings.HasPrefix(werr.Error(), "store: unable to write chunk ") {
		t.Fatalf("filling the database: %v, want a wrapped no-space error", werr)
	}
	t.Logf("chunk refused: %v", werr)
	_, err = up.Commit(make([]byte, ChunkSize), Submission{Kind: "report"})
	if !IsNoSpace(err) || !strings.HasPrefix(err.Error(), "store: unable to commit ") {
		t.Fatalf("committing on a full disk: %v, want a wrapped no-space error", err)
	}
	t.Logf("commit refused: %v", err)
	if err := up.Abort(); err != nil && !IsNoSpace(err) {
		t.Fatalf("aborting on a full disk: %v", err)
	} else {
		t.Logf("abort: %v", err)
	}
	if err := s.Verify(); err != nil {
		t.Fatalf("verify on a full disk: %v", err)
	}
}
