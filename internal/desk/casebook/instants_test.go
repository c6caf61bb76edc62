package casebook

import (
	"testing"
	"time"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/testutil/instants"
)

// TestAtInstants: at the edges of days, months and years, in the zones
// furthest from UTC, and in a process whose local zone is UTC+14, a
// case's month and day, the last sync's hour and purging all follow the
// UTC day.
func TestAtInstants(t *testing.T) {
	if !instants.InZone(t, "Pacific/Kiritimati") {
		return
	}
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			f := newFixture(t)
			f.clock.Set(in.T)
			id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "at " + in.Name}, nil, true)
			b := f.open(t)
			syncAll(t, b)
			utc := in.T.UTC()
			c, err := b.Case(demoHub, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.Month != utc.Format("2006-01") || c.Day != utc.Format(time.DateOnly) {
				t.Fatalf("month %q day %q, want the UTC %s", c.Month, c.Day, utc.Format(time.DateOnly))
			}
			if p := mustInbox(t, b, Filter{Month: utc.Format("2006-01")}); p.Total != 1 {
				t.Fatalf("the month filter finds %d", p.Total)
			}
			if st := b.Status()[0]; st.LastSyncHour != utc.Truncate(time.Hour).Format("2006-01-02 15:00") {
				t.Fatalf("last sync hour %q at %s", st.LastSyncHour, utc)
			}
			if n, err := b.Purge(0); err != nil || n != 0 {
				t.Fatalf("Purge(0) the same UTC day = %d, %v", n, err)
			}
			// The next UTC day, however near.
			f.clock.Set(utc.Truncate(24 * time.Hour).Add(24 * time.Hour))
			if n, err := b.Purge(0); err != nil || n != 1 {
				t.Fatalf("Purge(0) the next UTC day = %d, %v", n, err)
			}
		})
	}
}
