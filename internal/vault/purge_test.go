package vault

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
)

func TestPurgeOlderThan(t *testing.T) {
	t.Parallel()
	for _, at := range instants.All(t) {
		t.Run(at.Name, func(t *testing.T) {
			t.Parallel()
			v := openTest(t, t.TempDir(), newIdentity(t))
			now := at.T
			cut := now.AddDate(0, 0, -30)
			mustPut(t, v, "reports", "old", []byte("old"), now.AddDate(0, 0, -31))
			mustPut(t, v, "threads", "old", []byte("old"), now.AddDate(0, 0, -400))
			mustPut(t, v, "reports", "cutday", []byte("kept"), cut)
			mustPut(t, v, "reports", "new", []byte("new"), now)
			n, err := v.Purge(cut)
			if err != nil || n != 2 {
				t.Fatalf("Purge = %d, %v; want 2", n, err)
			}
			for _, k := range []struct{ b, k string }{{"reports", "old"}, {"threads", "old"}} {
				if _, ok, _ := v.Get(k.b, k.k); ok {
					t.Errorf("%s/%s survived the purge", k.b, k.k)
				}
			}
			for _, k := range []string{"cutday", "new"} {
				mustGet(t, v, "reports", k)
			}
			if n, err := v.Purge(cut); n != 0 || err != nil {
				t.Errorf("second Purge = %d, %v", n, err)
			}
		})
	}
}

func TestOnlyTheDayIsStored(t *testing.T) {
	t.Parallel()
	v := openTest(t, t.TempDir(), newIdentity(t))
	kiritimati := instants.Zone(t, "Pacific/Kiritimati")
	// 2026-11-24 05:00 at UTC+14 is 2026-11-23 15:00 UTC.
	for i, kept := range []time.Time{
		time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 23, 23, 59, 59, 999, time.UTC),
		time.Date(2026, 11, 24, 5, 0, 0, 0, kiritimati),
	} {
		key := fmt.Sprint("k", i)
		mustPut(t, v, "reports", key, []byte("x"), kept)
		r, err := decodeRecord(rawGet(t, v, "reports", key))
		if err != nil {
			t.Fatal(err)
		}
		if want := uint32(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC).Unix() / 86400); r.day != want {
			t.Errorf("kept %v stored as day %d, want %d", kept, r.day, want)
		}
	}
}

// fileHolds reports whether any file under dir contains needle.
func fileHolds(t *testing.T, dir string, needle []byte) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, needle) {
			found = append(found, filepath.Base(path))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestPurgeLeavesNoFreePages checks that a purged record's ciphertext is
// not left in bbolt's free pages.
func TestPurgeLeavesNoFreePages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v := openTest(t, dir, newIdentity(t))
	mustPut(t, v, "reports", "keep", bytes.Repeat([]byte("k"), 3000), day)
	mustPut(t, v, "reports", "old", bytes.Repeat([]byte("o"), 3000), day.AddDate(0, 0, -90))
	sealed := rawGet(t, v, "reports", "old")[recordOverhead : recordOverhead+64]
	if len(fileHolds(t, dir, sealed)) == 0 {
		t.Fatal("test broken: the sealed record is not in the folder before the purge")
	}
	if n, err := v.Purge(day.AddDate(0, 0, -30)); n != 1 || err != nil {
		t.Fatalf("Purge = %d, %v", n, err)
	}
	if f := fileHolds(t, dir, sealed); len(f) > 0 {
		t.Errorf("the purged record's ciphertext is still in %v", f)
	}
	mustGet(t, v, "reports", "keep")
	mustPut(t, v, "reports", "after", []byte("x"), day)
}

func TestPurgeAll(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	v := openTest(t, dir, id)
	for i := range 20 {
		mustPut(t, v, "reports", fmt.Sprint("sub_", i), bytes.Repeat([]byte{byte(i)}, 2000), day)
	}
	sealed := rawGet(t, v, "reports", "sub_7")[recordOverhead : recordOverhead+64]
	oldKey, err := os.ReadFile(filepath.Join(dir, keyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.PurgeAll(); err != nil {
		t.Fatal(err)
	}
	if u, err := v.Usage(); err != nil || u != (Usage{}) {
		t.Errorf("Usage after PurgeAll = %+v, %v", u, err)
	}
	if f := fileHolds(t, dir, sealed); len(f) > 0 {
		t.Errorf("a purged record's ciphertext is still in %v", f)
	}
	if f := fileHolds(t, dir, oldKey); len(f) > 0 {
		t.Errorf("the old wrapped data key is still in %v", f)
	}
	mustPut(t, v, "reports", "sub_new", []byte("after"), day)
	v.Close()
	v = openTest(t, dir, id)
	if got := mustGet(t, v, "reports", "sub_new"); string(got) != "after" {
		t.Errorf("after PurgeAll and reopen: %q", got)
	}
}
