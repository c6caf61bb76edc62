package daemon

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/wire"
)

// TestUnreadReminderOncePerDay runs retention hourly, as its ticker does,
// from each of the instants, with the small delays a real ticker has
// between a tick and the pass reading the clock: the pass a day after a
// reminder reminds again, even when it reads the clock a moment earlier
// in its hour than the reminding pass did. Before the fix such a pass was
// 2 s short of 24 hours, and the reminder slipped to the 25th hour, and
// further every day.
func TestUnreadReminderOncePerDay(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			c := instants.NewClock(in.T)
			st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: c.Now})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			received := in.T.UTC().Truncate(time.Hour).Add(-4 * 24 * time.Hour)
			if _, err := st.NewUpload("a").Commit([]byte("ct"), store.Submission{Kind: "report", Status: wire.StatusNew, Received: received}); err != nil {
				t.Fatal(err)
			}
			cfg := config.Default()
			cfg.Hubs = []config.Hub{{ID: "a", WarnUnreadAfter: config.Duration(72 * time.Hour)}}
			r := newRetention(cfg, st, NewLogger(&bytes.Buffer{}, "text", "info"))
			r.now = c.Now

			var reminded []int
			for tick := 0; tick <= 49; tick++ {
				delay := 2 * time.Second
				switch {
				case tick == 0:
					delay = 3 * time.Second
				case tick%24 == 0:
					delay = time.Second
				}
				c.Set(in.T.Add(time.Duration(tick)*r.every + delay))
				before := countUnreadEvents(t, st)
				r.runOnce()
				if countUnreadEvents(t, st) > before {
					reminded = append(reminded, tick)
				}
			}
			if len(reminded) != 3 || reminded[0] != 0 || reminded[1] != 24 || reminded[2] != 48 {
				t.Fatalf("reminded at hours %v, want [0 24 48]", reminded)
			}
		})
	}
}

func countUnreadEvents(t *testing.T, st *store.Store) int {
	t.Helper()
	evs, err := st.Events()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Type == wire.EventSubmissionUnread {
			n++
		}
	}
	return n
}

// TestRetentionCutoffAtInstants deletes a closed submission exactly when
// its age, counted from its rounded arrival time (an hour, or a day for a
// hub that chose one), passes delete_closed_after, wherever in the day,
// month or year that falls, and in whatever zone the server's clock is.
func TestRetentionCutoffAtInstants(t *testing.T) {
	t.Parallel()
	const keep = 7 * 24 * time.Hour
	for _, in := range instants.All(t) {
		for _, gran := range []time.Duration{time.Hour, 24 * time.Hour} {
			t.Run(in.Name+"/"+gran.String(), func(t *testing.T) {
				t.Parallel()
				c := instants.NewClock(in.T)
				st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: c.Now})
				if err != nil {
					t.Fatal(err)
				}
				defer st.Close()
				received := in.T.UTC().Truncate(gran)
				sub, err := st.NewUpload("a").Commit([]byte("ct"), store.Submission{Kind: "report", Status: wire.StatusClosed, Received: received})
				if err != nil {
					t.Fatal(err)
				}
				cfg := config.Default()
				cfg.Hubs = []config.Hub{{ID: "a", DeleteClosedAfter: config.Duration(keep)}}
				r := newRetention(cfg, st, NewLogger(&bytes.Buffer{}, "text", "info"))
				r.now = c.Now
				for _, step := range []struct {
					at   time.Time
					kept bool
				}{
					{received.Add(keep - time.Second), true},
					{received.Add(keep), true},
					{received.Add(keep + time.Second), false},
				} {
					c.Set(step.at.In(in.T.Location()))
					r.runOnce()
					if _, err := st.Submission("a", sub.ID); (err == nil) != step.kept {
						t.Fatalf("at %v (received %v): kept %v, want %v", step.at, received, err == nil, step.kept)
					}
				}
			})
		}
	}
}
