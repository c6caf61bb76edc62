package vault

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCompactLeavesNoDeletedKey: after Delete the record's key may stay
// in the file's free pages; after Compact it does not, and the records
// kept are still there.
func TestCompactLeavesNoDeletedKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "v")
	v := openTest(t, dir, newIdentity(t))
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, k := range []string{"goneaaaaaaaaaaaaaaaaaaaaaa", "keptaaaaaaaaaaaaaaaaaaaaaa"} {
		if err := v.Put("sub:team", k, bytes.Repeat([]byte("x"), 5000), day); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Delete("sub:team", "goneaaaaaaaaaaaaaaaaaaaaaa"); err != nil {
		t.Fatal(err)
	}
	if err := v.Compact(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, dbFileName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("goneaaaaaaaaaaaaaaaaaaaaaa")) {
		t.Error("the deleted record's key is still in the file")
	}
	if _, ok, err := v.Get("sub:team", "keptaaaaaaaaaaaaaaaaaaaaaa"); err != nil || !ok {
		t.Errorf("the kept record: %v %v", ok, err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if err := v.Compact(); err != ErrClosed {
		t.Errorf("Compact after Close: %v", err)
	}
}
