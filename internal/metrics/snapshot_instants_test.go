package metrics

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
)

// openStore opens a store whose events are created at the clock's hour.
func openStore(t *testing.T, now func() time.Time) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func raise(t *testing.T, st *store.Store, typ string, urgent bool) {
	t.Helper()
	if err := st.AddEvents([]store.Event{{Hub: "h", Type: typ, Urgent: urgent}}); err != nil {
		t.Fatal(err)
	}
}

func wantLine(t *testing.T, out, line string) {
	t.Helper()
	if !strings.Contains(out, line+"\n") {
		t.Errorf("no %q in\n%s", line, out)
	}
}

// TestOutboxSnapshotAtTheHour takes a snapshot as the clock passes the
// hour: the first reading (the snapshot's period) is a nanosecond before
// it, the next ones after. An urgent event raised in that last hour must
// not show: the snapshot is the hour's, and the event is of that hour.
// Before the fix the collector read the clock again, found the next hour,
// and showed the duress check-in of the hour just ending, within the
// hour it was raised in.
func TestOutboxSnapshotAtTheHour(t *testing.T) {
	t.Parallel()
	hour := time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)
	st := openStore(t, func() time.Time { return hour.Add(59 * time.Minute) })
	raise(t, st, "checkin.duress", true)

	// The clock's readings, the last one repeated.
	var mu sync.Mutex
	readings := []time.Time{hour.Add(time.Hour - time.Nanosecond), hour.Add(time.Hour)}
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now := readings[0]
		if len(readings) > 1 {
			readings = readings[1:]
		}
		return now
	}
	c := New(Options{Store: st, Hubs: func() []string { return []string{"h"} }, Now: clock})
	wantLine(t, render(t, c.Registry), `difesa_outbox_events{hub="h",state="pending"} 0`)
	// The next hour's snapshot shows it.
	wantLine(t, render(t, c.Registry), `difesa_outbox_events{hub="h",state="pending"} 1`)
}

// TestSnapshotHourAtInstants scrapes at each instant: the snapshot counts
// the events of the hours before the instant's, not of its own hour, and
// stays the same until the next hour (in UTC, whatever the zone; in
// America/St_Johns an hour starts at :30 local time).
func TestSnapshotHourAtInstants(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			c := instants.NewClock(in.T.Add(-time.Hour))
			st := openStore(t, c.Now)
			raise(t, st, "report.received", false) // the hour before
			c.Set(in.T)
			raise(t, st, "alert.received", true) // this hour
			m := New(Options{Store: st, Hubs: func() []string { return []string{"h"} }, Now: c.Now})
			pending := `difesa_outbox_events{hub="h",state="pending"} `
			wantLine(t, render(t, m.Registry), pending+"1")

			next := in.T.Truncate(time.Hour).Add(time.Hour)
			c.Set(next.Add(-time.Nanosecond).In(in.T.Location()))
			raise(t, st, "followup.received", false) // still this hour
			wantLine(t, render(t, m.Registry), pending+"1")
			c.Set(next.In(in.T.Location()))
			wantLine(t, render(t, m.Registry), pending+"3")
		})
	}
}
