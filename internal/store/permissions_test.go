package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"difesa.org/difesa/internal/testutil/unprivileged"
)

// TestOpenWithoutPermission opens a database where the file system says
// no: a folder the server may not write, a database file it may only
// read. Each refusal wraps os.ErrPermission and names the file; nothing
// is lost, and a read-only open still reads. As root, which ignores
// permissions, the test runs as nobody.
func TestOpenWithoutPermission(t *testing.T) {
	if unprivileged.Rerun(t, "TestOpenWithoutPermission") {
		return
	}
	t.Parallel()
	dir := t.TempDir()

	// A new database in a folder the server may not write.
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o700) })
	path := filepath.Join(locked, "test.db")
	_, err := Open(path, Options{})
	wantWrapped(t, err, os.ErrPermission, "unable to open "+path)

	// A database file the server may only read.
	path = filepath.Join(dir, "test.db")
	s, check := seedStore(t, path)
	s.Close()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	wantWrapped(t, err, os.ErrPermission, "unable to open "+path)
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("a read-only open of a read-only file: %v", err)
	}
	if subs, err := r.Submissions("h"); err != nil || len(subs) != 1 {
		t.Fatalf("reading a read-only file: %d submissions, %v", len(subs), err)
	}
	r.Close()
	// Compaction needs to write next to the file, and to replace it.
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	_, _, err = Compact(path)
	wantWrapped(t, err, os.ErrPermission, "unable to create "+path+".compact")
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".compact"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed compaction left its target: %v", err)
	}
	check(t)
}
