package store

import (
	"errors"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestRestrictionLifecycle: a restriction is compare-and-swap on its
// version (lifting included), audited, shown by Restrictions while it
// holds, and deleted with its case, with the case record's epoch: a
// deleted case leaves nothing behind.
func TestRestrictionLifecycle(t *testing.T) {
	s, _ := newTestStore(t)
	up := s.NewUpload("hub1")
	sub, err := up.Commit([]byte("age"), Submission{Epoch: 1})
	if err != nil {
		t.Fatal(err)
	}
	hour := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	if _, err := s.PutCase("hub1", sub.ID, 0, []byte("case"), 1, hour, "Ana"); err != nil {
		t.Fatal(err)
	}
	keys := []string{"age1a", "age1b"}
	r, err := s.SetRestriction("hub1", sub.ID, 0, keys, hour, "Ana")
	if err != nil || r.Version != 1 || !slices.Equal(r.Keys, keys) {
		t.Fatalf("SetRestriction = %+v, %v", r, err)
	}
	var stale *StaleVersionError
	if _, err := s.SetRestriction("hub1", sub.ID, 0, []string{"age1c"}, hour, "Bo"); !errors.As(err, &stale) || stale.Current != 1 {
		t.Fatalf("a stale change: %v", err)
	}
	root, got, err := s.Restriction("hub1", sub.ID)
	if err != nil || root != sub.ID || !got.Allows("age1b") || got.Allows("age1c") || !got.Updated.Equal(hour) {
		t.Fatalf("Restriction = %v %+v %v", root, got, err)
	}
	if m, err := s.Restrictions("hub1"); err != nil || len(m) != 1 || !slices.Equal(m[sub.ID], keys) {
		t.Fatalf("Restrictions = %v, %v", m, err)
	}
	if m, _ := s.Restrictions("hub2"); len(m) != 0 {
		t.Fatalf("another hub's restrictions: %v", m)
	}
	// Lifted: version 2, no keys, not listed.
	if r, err = s.SetRestriction("hub1", sub.ID, 1, nil, hour, "Ana"); err != nil || r.Version != 2 || r.Restricted() {
		t.Fatalf("lift = %+v, %v", r, err)
	}
	if m, _ := s.Restrictions("hub1"); len(m) != 0 {
		t.Fatalf("restrictions after the lift: %v", m)
	}
	if rec, err := s.Case("hub1", sub.ID); err != nil || rec.Epoch != 1 {
		t.Fatalf("case record epoch: %+v %v", rec, err)
	}
	if _, err := s.SetRestriction("hub1", sub.ID, 2, keys, hour, "Ana"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("hub1", sub.ID); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Restrictions("hub1"); len(m) != 0 {
		t.Fatalf("restrictions after the delete: %v", m)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		for _, top := range [][]byte{bucketRestrictions, bucketCaseEpochs} {
			if v := nestedGet(tx, top, "hub1", sub.ID[:]); v != nil {
				t.Errorf("%s still holds the deleted case", top)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetRestriction("hub1", sub.ID, 0, keys, hour, "Ana"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("restricting a deleted case: %v", err)
	}
}
