package store

import (
	"fmt"
	"reflect"
	"testing"
)

// The outbox cache must always say what the database says: after appends,
// updates and deletions in any order, a store that reads the file afresh
// sees the same events; and callers may change what Events returns.
func TestOutboxCacheMatchesDatabase(t *testing.T) {
	s, _ := newTestStore(t)
	appendEvent := func(i int) {
		up := s.NewUpload("h")
		up.Notify(Event{Hub: "h", Type: fmt.Sprintf("t%d", i), Urgent: i%2 == 0})
		if _, err := up.Commit([]byte("c"), Submission{Kind: "report"}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(step string) {
		t.Helper()
		got, err := s.Events()
		if err != nil {
			t.Fatal(err)
		}
		// Read the same file through a store with an empty cache.
		other := &Store{db: s.db, now: s.now}
		want, err := other.Events()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: cached outbox %v, database %v", step, got, want)
		}
	}

	for i := range 5 {
		appendEvent(i)
	}
	check("after appends")
	evs, _ := s.Events()
	evs[0].Deliveries = map[string]*Delivery{"changed": {State: DeliveryFailed}} // the caller's copy
	check("after a caller changed its copy")

	err := s.UpdateEvents([]uint64{evs[1].Seq(), evs[3].Seq()}, func(ev *Event) bool {
		if ev.Type == "t1" {
			return true
		}
		ev.Deliveries = map[string]*Delivery{"hook": {State: DeliveryPending, Batch: "b1"}}
		return false
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after an update and a deletion")

	appendEvent(5)
	// Update one the cache has not read yet, then one it has.
	all, _ := (&Store{db: s.db, now: s.now}).Events()
	last := all[len(all)-1].Seq()
	appendEvent(6)
	s.UpdateEvents([]uint64{last + 1}, func(*Event) bool { return true })
	s.UpdateEvents([]uint64{evs[0].Seq()}, func(ev *Event) bool {
		ev.Deliveries = map[string]*Delivery{"hook": {State: DeliveryDelivered}}
		return false
	})
	check("after changes on both sides of the cache's horizon")
	if got, _ := s.Events(); len(got) != 5 {
		t.Errorf("%d events left, want 5", len(got))
	}
}
