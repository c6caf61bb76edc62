package store

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/testutil/instants"
)

// TestTimesAtInstants runs the store's clock at each instant: events and
// audit entries carry the UTC hour, check-in deadlines move to the minute
// and fire just after deadline plus grace across day, month and year
// ends, and every time on disk is written in UTC, whatever the zone of
// the clock (a server's time.Local must not reach the database).
func TestTimesAtInstants(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			c := instants.NewClock(in.T)
			path := filepath.Join(t.TempDir(), "db")
			s, err := Open(path, Options{Now: c.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { s.Close() }()
			u := in.T.UTC()
			hour := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), 0, 0, 0, time.UTC)

			if err := s.AddEvents([]Event{{Hub: "h", Type: "submission.unread"}}); err != nil {
				t.Fatal(err)
			}
			if evs, err := s.Events(); err != nil || len(evs) != 1 || !evs[0].Created.Equal(hour) {
				t.Fatalf("events %+v %v, want one created at %v", evs, err, hour)
			}
			closed, err := s.NewUpload("h").Commit([]byte("ct"), Submission{Kind: "report", Status: StatusClosed, Received: hour.Add(-8 * 24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := s.DeleteExpired("h", closed.ID, in.T.Add(-7*24*time.Hour)); !ok || err != nil {
				t.Fatalf("DeleteExpired: %v %v", ok, err)
			}
			if audit, err := s.Audit("h"); err != nil || len(audit) != 1 || !audit[0].Time.Equal(hour) {
				t.Fatalf("audit %+v %v, want one entry at %v", audit, err, hour)
			}

			const grace = 30 * time.Second
			code := [32]byte{1}
			up := s.NewUpload("h")
			up.ArmCheckin(Checkin{Every: time.Minute, Grace: grace, Round: time.Minute, Deadline: RoundUp(in.T.Add(time.Minute), time.Minute)}, code, [32]byte{2})
			if _, err := up.Commit([]byte("instructions"), Submission{Kind: "checkin", Received: hour.In(in.T.Location())}); err != nil {
				t.Fatal(err)
			}
			at := in.T.Add(10 * time.Second)
			ck, err := s.CheckIn("h", code, at)
			if err != nil {
				t.Fatal(err)
			}
			a := at.Add(time.Minute).UTC()
			deadline := time.Date(a.Year(), a.Month(), a.Day(), a.Hour(), a.Minute()+1, 0, 0, time.UTC)
			if !ck.Deadline.Equal(deadline) {
				t.Fatalf("deadline %v, want %v", ck.Deadline, deadline)
			}
			if n, err := s.FireDue(deadline.Add(grace).In(in.T.Location())); n != 0 || err != nil {
				t.Fatalf("fired %d (%v) at deadline plus grace exactly", n, err)
			}
			if n, err := s.FireDue(deadline.Add(grace + time.Nanosecond).In(in.T.Location())); n != 1 || err != nil {
				t.Fatalf("fired %d (%v) just after deadline plus grace", n, err)
			}

			// On disk, in UTC.
			s.Close()
			if s, err = Open(path, Options{Now: c.Now}); err != nil {
				t.Fatal(err)
			}
			err = s.db.View(func(tx *bolt.Tx) error {
				for _, name := range [][]byte{bucketSubs, bucketCheckins, bucketAudit} {
					tx.Bucket(name).ForEachBucket(func(hub []byte) error {
						return tx.Bucket(name).Bucket(hub).ForEach(func(k, v []byte) error {
							checkUTC(t, string(name), v)
							return nil
						})
					})
				}
				return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
					checkUTC(t, "outbox", v)
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if cs, err := s.Checkins("h"); err != nil || len(cs) != 1 {
				t.Fatalf("after reopening: %v %v", cs, err)
			}
		})
	}
}

// zoned matches an RFC 3339 time with a zone offset (UTC is written Z).
var zoned = regexp.MustCompile(`\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d"`)

// checkUTC fails if a stored record holds a time with a zone offset.
func checkUTC(t *testing.T, what string, v []byte) {
	t.Helper()
	if zoned.Match(v) {
		t.Errorf("%s record has a time in a zone other than UTC: %s", what, v)
	}
}
