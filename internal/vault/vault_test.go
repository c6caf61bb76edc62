package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"
)

// day is a fixed coarse day: the tests never read the machine's clock.
var day = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)

func newIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func openTest(t testing.TB, dir string, id *age.X25519Identity) *Vault {
	t.Helper()
	v, err := Open(dir, []age.Identity{id}, id.Recipient())
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func mustPut(t testing.TB, v *Vault, bucket, key string, value []byte, kept time.Time) {
	t.Helper()
	if err := v.Put(bucket, key, value, kept); err != nil {
		t.Fatalf("Put(%s, %s): %v", bucket, key, err)
	}
}

func mustGet(t testing.TB, v *Vault, bucket, key string) []byte {
	t.Helper()
	got, ok, err := v.Get(bucket, key)
	if err != nil || !ok {
		t.Fatalf("Get(%s, %s) = %v, %v", bucket, key, ok, err)
	}
	return got
}

func TestRoundTripAcrossOpens(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "desk")
	id := newIdentity(t)
	v := openTest(t, dir, id)
	mustPut(t, v, "reports", "sub_01", []byte("first"), day)
	mustPut(t, v, "reports", "sub_02", []byte{}, day)
	mustPut(t, v, "drafts", "sub_01", []byte("draft"), day)
	mustPut(t, v, "reports", "sub_01", []byte("replaced"), day)
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	v = openTest(t, dir, id)
	if got := mustGet(t, v, "reports", "sub_01"); string(got) != "replaced" {
		t.Errorf("reports/sub_01 = %q", got)
	}
	if got := mustGet(t, v, "reports", "sub_02"); len(got) != 0 {
		t.Errorf("reports/sub_02 = %q", got)
	}
	if got := mustGet(t, v, "drafts", "sub_01"); string(got) != "draft" {
		t.Errorf("drafts/sub_01 = %q", got)
	}
	if _, ok, err := v.Get("reports", "sub_99"); ok || err != nil {
		t.Errorf("missing key: %v, %v", ok, err)
	}
	if _, ok, err := v.Get("nothing", "sub_01"); ok || err != nil {
		t.Errorf("missing bucket: %v, %v", ok, err)
	}
	keys, err := v.Keys("reports")
	if err != nil || !slices.Equal(keys, []string{"sub_01", "sub_02"}) {
		t.Errorf("Keys = %q, %v", keys, err)
	}
	if err := v.Delete("reports", "sub_01"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := v.Get("reports", "sub_01"); ok {
		t.Error("deleted record still there")
	}
	u, err := v.Usage()
	if err != nil || u.Records != 2 || u.Bytes != int64(2*recordOverhead+len("draft")) {
		t.Errorf("Usage = %+v, %v", u, err)
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "desk")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	id := newIdentity(t)
	v := openTest(t, dir, id)
	mustPut(t, v, "reports", "sub_01", []byte("x"), day)
	v.Close()
	// Restored from a backup with loose modes: tightened again on open.
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, keyFileName), 0o644)
	os.Chmod(filepath.Join(dir, dbFileName), 0o644)
	openTest(t, dir, id)
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{dir, 0o700}, {filepath.Join(dir, keyFileName), 0o600}, {filepath.Join(dir, dbFileName), 0o600}} {
		st, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != c.mode {
			t.Errorf("%s: mode %v, want %v", filepath.Base(c.path), st.Mode().Perm(), c.mode)
		}
	}
}

func TestWrongIdentity(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	owner := newIdentity(t)
	v := openTest(t, dir, owner)
	mustPut(t, v, "reports", "sub_01", []byte("x"), day)
	v.Close()

	other := newIdentity(t)
	_, err := Open(dir, []age.Identity{other}, other.Recipient())
	if !errors.Is(err, ErrForeignIdentity) {
		t.Fatalf("Open with another identity: %v, want ErrForeignIdentity", err)
	}
	if err.Error() != "vault: this desk folder belongs to another identity" {
		t.Errorf("message %q", err)
	}
	if _, err := Open(dir, nil, nil); !errors.Is(err, ErrForeignIdentity) {
		t.Errorf("Open with no identity: %v", err)
	}
	// The owner's key file is untouched by the failed attempts.
	openTest(t, dir, owner)
}

func TestRecipientMustMatchIdentities(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := newIdentity(t), newIdentity(t)
	if _, err := Open(dir, []age.Identity{a}, b.Recipient()); err == nil {
		t.Fatal("Open locked the folder to a recipient whose identity it does not hold")
	}
	if _, err := os.Stat(filepath.Join(dir, keyFileName)); !os.IsNotExist(err) {
		t.Errorf("a key file was left: %v", err)
	}
}

func TestSecondDeskRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id := newIdentity(t)
	openTest(t, dir, id)
	if _, err := Open(dir, []age.Identity{id}, id.Recipient()); !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: %v, want ErrInUse", err)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	v := openTest(t, t.TempDir(), newIdentity(t))
	if err := v.Put("reports", "k", make([]byte, MaxValueSize+1), day); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized value: %v", err)
	}
	for _, name := range []string{"", "has space", "Überfall", "a/b", "x\x00", string(make([]byte, MaxNameLen+1))} {
		if err := v.Put(name, "k", nil, day); !errors.Is(err, ErrBadName) {
			t.Errorf("bucket %q: %v", name, err)
		}
		if err := v.Put("reports", name, nil, day); !errors.Is(err, ErrBadName) {
			t.Errorf("key %q: %v", name, err)
		}
	}
	if u, _ := v.Usage(); u.Records != 0 {
		t.Errorf("refused values were stored: %+v", u)
	}
}

// rawPut writes a stored value directly, as someone with the folder but
// without the key could.
func rawPut(t *testing.T, v *Vault, bucket, key string, raw []byte) {
	t.Helper()
	err := v.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), raw)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func rawGet(t *testing.T, v *Vault, bucket, key string) []byte {
	t.Helper()
	var raw []byte
	v.db.View(func(tx *bolt.Tx) error {
		raw = append([]byte(nil), tx.Bucket([]byte(bucket)).Get([]byte(key))...)
		return nil
	})
	return raw
}

func TestTamperedRecord(t *testing.T) {
	t.Parallel()
	v := openTest(t, t.TempDir(), newIdentity(t))
	mustPut(t, v, "reports", "sub_01", []byte("the report"), day)
	raw := rawGet(t, v, "reports", "sub_01")
	for i := range raw {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x01
		rawPut(t, v, "reports", "sub_01", bad)
		if _, _, err := v.Get("reports", "sub_01"); !errors.Is(err, ErrTampered) {
			t.Fatalf("flipped byte %d: %v, want ErrTampered", i, err)
		}
	}
	for _, bad := range [][]byte{{}, raw[:recordOverhead-1], raw[:len(raw)-1], append(bytes.Clone(raw), 0)} {
		rawPut(t, v, "reports", "sub_01", bad)
		if _, _, err := v.Get("reports", "sub_01"); !errors.Is(err, ErrTampered) {
			t.Fatalf("%d bytes: %v, want ErrTampered", len(bad), err)
		}
	}
}

func TestSwappedRecords(t *testing.T) {
	t.Parallel()
	v := openTest(t, t.TempDir(), newIdentity(t))
	mustPut(t, v, "reports", "sub_01", []byte("about A"), day)
	mustPut(t, v, "reports", "sub_02", []byte("about B"), day)
	mustPut(t, v, "drafts", "sub_01", []byte("draft A"), day)
	a := rawGet(t, v, "reports", "sub_01")
	b := rawGet(t, v, "reports", "sub_02")
	d := rawGet(t, v, "drafts", "sub_01")

	// Same bucket, other key.
	rawPut(t, v, "reports", "sub_01", b)
	rawPut(t, v, "reports", "sub_02", a)
	for _, k := range []string{"sub_01", "sub_02"} {
		if _, _, err := v.Get("reports", k); !errors.Is(err, ErrTampered) {
			t.Errorf("swapped reports/%s: %v", k, err)
		}
	}
	// Same key, other bucket.
	rawPut(t, v, "reports", "sub_01", d)
	if _, _, err := v.Get("reports", "sub_01"); !errors.Is(err, ErrTampered) {
		t.Errorf("draft moved to reports: %v", err)
	}
	// Bucket and key boundaries are unambiguous: "ab"/"c" is not "a"/"bc".
	mustPut(t, v, "ab", "c", []byte("x"), day)
	rawPut(t, v, "a", "bc", rawGet(t, v, "ab", "c"))
	if _, _, err := v.Get("a", "bc"); !errors.Is(err, ErrTampered) {
		t.Errorf("record moved across the bucket/key boundary: %v", err)
	}
	// Re-dating a record (to survive or to hasten a purge) is caught too.
	redated := rawGet(t, v, "drafts", "sub_01")
	redated[4]++
	rawPut(t, v, "drafts", "sub_01", redated)
	if _, _, err := v.Get("drafts", "sub_01"); !errors.Is(err, ErrTampered) {
		t.Errorf("re-dated record: %v", err)
	}
}
