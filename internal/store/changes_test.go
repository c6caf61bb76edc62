package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func fill(t testing.TB, s *Store, hub string, n int, received time.Time) []Submission {
	t.Helper()
	subs, bodies := make([]Submission, n), make([][]byte, n)
	for i := range subs {
		subs[i] = Submission{Kind: "report", Received: received, Status: "new", Epoch: 1}
		bodies[i] = []byte(fmt.Sprint("ciphertext ", i))
	}
	out, err := s.AddBatch(hub, subs, bodies)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// listAll pages through hub's submissions, limit at a time.
func listAll(t *testing.T, s *Store, hub string, limit int, between func(page int)) []Submission {
	t.Helper()
	var all []Submission
	var after uint64
	for page := 0; ; page++ {
		p, err := s.SubmissionsAfter(hub, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Submissions) > limit {
			t.Fatalf("page of %d, limit %d", len(p.Submissions), limit)
		}
		all = append(all, p.Submissions...)
		if !p.More {
			return all
		}
		after = p.Next
		if between != nil {
			between(page)
		}
	}
}

func TestSubmissionsAfterPagesEveryoneOnce(t *testing.T) {
	s, _ := newTestStore(t)
	hour := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	subs := fill(t, s, "h", 2500, hour)
	fill(t, s, "other", 10, hour)
	// While a client pages: one submission already listed changes, one not
	// yet listed is deleted.
	changed, deleted := subs[10], subs[2000]
	got := listAll(t, s, "h", 1000, func(page int) {
		if page == 0 {
			if err := s.SetStatus("h", changed.ID, StatusClosed); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete("h", deleted.ID); err != nil {
				t.Fatal(err)
			}
		}
	})
	if len(got) != 2500 { // 2,500 − the deleted one + the changed one again
		t.Fatalf("listed %d", len(got))
	}
	last := map[ID]Submission{}
	for i, sub := range got {
		if sub.Hub != "h" || sub.ID == deleted.ID {
			t.Fatalf("listed %s of %q", sub.ID, sub.Hub)
		}
		if _, dup := last[sub.ID]; dup && sub.ID != changed.ID {
			t.Fatalf("%s listed twice", sub.ID)
		}
		if i > 0 && sub.Change <= got[i-1].Change {
			t.Fatalf("not in change order at %d", i)
		}
		last[sub.ID] = sub
	}
	if c := last[changed.ID]; c.Status != StatusClosed || c.Serial != changed.Serial {
		t.Fatalf("the changed submission: %+v", c)
	}
	for i := 1; i < len(subs); i++ {
		if subs[i].Serial <= subs[i-1].Serial {
			t.Fatalf("serials out of order at %d", i)
		}
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestSubmissionsAfterCursorAhead(t *testing.T) {
	s, _ := newTestStore(t)
	fill(t, s, "h", 3, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		hub   string
		after uint64
		err   error
	}{
		{"h", 0, nil}, {"h", 3, nil}, {"h", 4, ErrCursorAhead}, {"h", 1<<64 - 1, ErrCursorAhead},
		{"empty", 0, nil}, {"empty", 1, ErrCursorAhead},
	} {
		if _, err := s.SubmissionsAfter(tt.hub, tt.after, 10); !errors.Is(err, tt.err) {
			t.Errorf("%s after %d: %v, want %v", tt.hub, tt.after, err, tt.err)
		}
	}
	if _, _, _, err := s.AuditAfter("h", 1, 10); !errors.Is(err, ErrCursorAhead) {
		t.Errorf("audit after 1 of none: %v", err)
	}
}

// A page, and a conversation, are read without the rest of the hub: the
// work does not grow with the inbox.
func TestReadsDoNotGrowWithTheInbox(t *testing.T) {
	s, _ := newTestStore(t)
	hour := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	up := s.NewUpload("h")
	up.OpenThread([32]byte{7})
	root, err := up.Commit([]byte("report"), Submission{Kind: "report", Received: hour})
	if err != nil {
		t.Fatal(err)
	}
	measure := func() (page, thread float64) {
		page = testing.AllocsPerRun(5, func() {
			if p, err := s.SubmissionsAfter("h", 0, 10); err != nil || len(p.Submissions) != 10 {
				t.Fatal(len(p.Submissions), err)
			}
		})
		thread = testing.AllocsPerRun(5, func() {
			if m, err := s.Thread("h", root.ID); err != nil || len(m) != 1 {
				t.Fatal(len(m), err)
			}
		})
		return page, thread
	}
	fill(t, s, "h", 100, hour)
	smallPage, smallThread := measure()
	fill(t, s, "h", 20_000, hour)
	bigPage, bigThread := measure()
	t.Logf("allocations with 100 and 20,100 submissions: page %v, %v; conversation %v, %v", smallPage, bigPage, smallThread, bigThread)
	// A B+tree one level deeper costs a few allocations per lookup; reading
	// every record would cost tens of thousands.
	if bigPage > 3*smallPage || bigThread > 3*smallThread {
		t.Fatalf("reads grow with the inbox: page %v → %v allocations, conversation %v → %v", smallPage, bigPage, smallThread, bigThread)
	}
}

// A database written before the change index (by an older difesad) is
// indexed when opened: serials in order of arrival, conversations found.
func TestOpenIndexesOldRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	early := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	up := s.NewUpload("h")
	up.OpenThread([32]byte{9})
	root, err := up.Commit([]byte("report"), Submission{Kind: "report", Received: early.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	join := s.NewUpload("h")
	join.JoinThread(root.ID)
	if _, err := join.Commit([]byte("followup"), Submission{Kind: "followup", Received: early.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	fill(t, s, "h", 5, early)
	// Make it look as an older difesad left it: no indexes, no serials.
	err = s.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketChanges, bucketThreadMsgs, bucketThreadRoots} {
			if err := tx.DeleteBucket(b); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(b); err != nil {
				return err
			}
		}
		b := tx.Bucket(bucketSubs).Bucket([]byte("h"))
		return b.ForEach(func(k, v []byte) error {
			var rec map[string]any
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			delete(rec, "serial")
			delete(rec, "change")
			nv, _ := json.Marshal(rec)
			return b.Put(k, nv)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	// A check of the file as it is (difesad check, read-only) finds nothing
	// wrong: the indexes are built at the next start.
	if err := s.Verify(); err != nil {
		t.Fatalf("Verify of a database without indexes: %v", err)
	}
	s.Close()

	s, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	got := listAll(t, s, "h", 1000, nil)
	if len(got) != 7 {
		t.Fatalf("listed %d", len(got))
	}
	for i, sub := range got {
		if sub.Serial != uint64(i+1) {
			t.Fatalf("submission %d has serial %d", i, sub.Serial)
		}
		if i > 0 && sub.Received.Before(got[i-1].Received) {
			t.Fatalf("serials not in order of arrival at %d", i)
		}
	}
	if msgs, err := s.Thread("h", root.ID); err != nil || len(msgs) != 2 || msgs[1].Kind != "followup" {
		t.Fatalf("conversation after indexing: %d messages, %v", len(msgs), err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketThreadRoots).Bucket([]byte("h")).Get(root.ID[:]); len(v) != 32 || v[0] != 9 {
			return fmt.Errorf("verifier of the conversation: %x", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Verify finds a submission missing from its index, and a stale entry.
func TestVerifyIndexes(t *testing.T) {
	s, _ := newTestStore(t)
	subs := fill(t, s, "h", 3, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketChanges).Bucket([]byte("h"))
		if err := b.Delete(changeKey(subs[0].Change)); err != nil {
			return err
		}
		return b.Put(changeKey(99), subs[1].ID[:])
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(); err == nil || !strings.Contains(err.Error(), "not in the change index") {
		t.Fatalf("Verify: %v", err)
	}
}

func TestAuditAfterPages(t *testing.T) {
	s, _ := newTestStore(t)
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i := range 2500 {
			if err := s.audit(tx, "h", AuditEvent{Event: "submission.deleted", Submission: fmt.Sprint(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var all []AuditEvent
	var after uint64
	for pages := 1; ; pages++ {
		evs, next, more, err := s.AuditAfter("h", after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, evs...)
		if !more {
			if pages != 3 || next != 2500 {
				t.Fatalf("%d pages, next %d", pages, next)
			}
			break
		}
		after = next
	}
	for i, ev := range all {
		if ev.Submission != fmt.Sprint(i) {
			t.Fatalf("event %d is %q", i, ev.Submission)
		}
	}
}

// A check-in that is missed, and one that resumes, is listed as changed
// since: its state is part of the listing.
func TestCheckinStateIsAChange(t *testing.T) {
	s, _ := newTestStore(t)
	t0 := time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC)
	code := [32]byte{1}
	up := s.NewUpload("h")
	up.ArmCheckin(Checkin{Every: time.Hour, Grace: 10 * time.Minute, Deadline: t0.Add(time.Hour)}, code, [32]byte{2})
	instr, err := up.Commit([]byte("instructions"), Submission{Kind: "checkin"})
	if err != nil {
		t.Fatal(err)
	}
	fill(t, s, "h", 3, t0)
	since := func(after uint64) Page {
		t.Helper()
		p, err := s.SubmissionsAfter("h", after, 100)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	cursor := since(0).Next
	if n, err := s.FireDue(t0.Add(2 * time.Hour)); err != nil || n != 1 {
		t.Fatalf("FireDue: %d %v", n, err)
	}
	p := since(cursor)
	if len(p.Submissions) != 1 || p.Submissions[0].ID != instr.ID || p.Checkins[instr.ID] != CheckinMissed {
		t.Fatalf("changed since the check-in was missed: %+v %v", p.Submissions, p.Checkins)
	}
	if _, err := s.CheckIn("h", code, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	p = since(p.Next)
	if len(p.Submissions) != 1 || p.Checkins[instr.ID] != CheckinArmed {
		t.Fatalf("changed since the check-in resumed: %+v %v", p.Submissions, p.Checkins)
	}
	if err := s.Verify(); err != nil {
		t.Fatal(err)
	}
}
