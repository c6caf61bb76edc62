package casebook

import (
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/testutil/instants"
)

// TestDueAtInstants: a follow-up day is a day of the responder's
// calendar: at the edges of days, months and years, in the zones
// furthest from UTC and in a process whose local zone is UTC+14, a case
// is due today on the clock's own day, overdue the day after, and not
// due the day before.
func TestDueAtInstants(t *testing.T) {
	if !instants.InZone(t, "Pacific/Kiritimati") {
		return
	}
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			f := newFixture(t)
			f.clock.Set(in.T)
			id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "x"}, nil, true)
			day := in.T.Format(time.DateOnly)
			colleagueWrite(t, f.responder(t), []age.Identity{f.id}, id, func(r *caserecord.Record) error {
				return r.Set(caserecord.FieldFollowUp, day, "Demo responder", caserecord.Hour(in.T))
			})
			b := f.open(t)
			syncAll(t, b)
			for _, step := range []struct {
				at             time.Time
				today, overdue int
				due            string
			}{
				{in.T, 1, 0, DueToday},
				{in.T.AddDate(0, 0, 1), 0, 1, DueOverdue},
				{in.T.AddDate(0, 0, -1), 0, 0, ""},
			} {
				f.clock.Set(step.at)
				p := mustInbox(t, b, Filter{})
				if p.Counts.DueToday != step.today || p.Counts.Overdue != step.overdue || p.Items[0].Due != step.due {
					t.Fatalf("at %s, follow-up %s: counts %+v, due %q", step.at, day, p.Counts, p.Items[0].Due)
				}
				if n := mustInbox(t, b, Filter{Due: true}).Total; n != step.today+step.overdue {
					t.Fatalf("at %s: the due filter finds %d", step.at, n)
				}
			}
		})
	}
}
