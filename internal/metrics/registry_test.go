package metrics

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/store"
)

func render(t *testing.T, r *Registry) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := r.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestTextFormat(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	c := r.Counter("x_total", "Things\\done\nhere.", "code")
	g := r.Gauge("y", "A gauge.")
	c.With(`a"b\c` + "\n").Inc()
	c.With("b").Add(2.5)
	c.With("b").Add(-7) // ignored
	g.With().Set(1e21)
	want := `# HELP x_total Things\\done\nhere.
# TYPE x_total counter
x_total{code="a\"b\\c\n"} 1
x_total{code="b"} 2.5
# HELP y A gauge.
# TYPE y gauge
y 1e+21
`
	if got := render(t, r); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRegistrationMistakesPanic(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		reg  func(r *Registry)
	}{
		{"bad name", func(r *Registry) { r.Gauge("1bad", "") }},
		{"duplicate", func(r *Registry) { r.Gauge("a", ""); r.Counter("a", "") }},
		{"bad label", func(r *Registry) { r.Gauge("a", "", "no-dash") }},
		{"reserved label", func(r *Registry) { r.Gauge("a", "", "__name") }},
		{"wrong label count", func(r *Registry) { r.Gauge("a", "", "x").With() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			tt.reg(NewRegistry())
		})
	}
}

func TestSnapshotOncePerPeriod(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 10, 0, 5, 0, time.UTC)
	r := NewRegistry()
	r.Now = func() time.Time { return now }
	c := r.Counter("refused_total", "", "code")
	runs := 0
	r.OnSnapshot(func() error { runs++; return nil })
	c.With("x").Inc()
	first := render(t, r)
	c.With("x").Inc()
	now = now.Add(59 * time.Minute)
	if got := render(t, r); got != first || runs != 1 {
		t.Fatalf("snapshot changed within the hour (%d runs):\n%s", runs, got)
	}
	now = now.Add(time.Minute)
	if got := render(t, r); !strings.Contains(got, `refused_total{code="x"} 2`) || runs != 2 {
		t.Fatalf("no new snapshot in the next hour (%d runs):\n%s", runs, got)
	}
}

func TestCollector(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ids []string
	for _, kind := range []string{"report", "report", "alert"} {
		up := st.NewUpload("h")
		up.Notify(store.Event{Type: kind + ".received"})
		sub, err := up.Commit(make([]byte, 700<<10), store.Submission{Kind: kind, Received: now.Truncate(time.Hour), Status: "new"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sub.ID.String())
	}
	c := New(Options{Store: st, Hubs: func() []string { return []string{"h"} }, Now: clock})
	c.Rejected("bad_armor")
	c.Rejected("bad_armor")
	c.Rejected(`evil"{label}` + ids[0])
	done := c.UploadStarted()
	done2 := c.UploadStarted()
	done()
	done() // twice is harmless
	done2()

	out := render(t, c.Registry)
	for _, want := range []string{
		`difesa_submissions{hub="h",kind="alert"} 1`,
		`difesa_submissions{hub="h",kind="report"} 2`,
		`difesa_stored_bytes{hub="h"} 2097152`, // 2100 KiB, rounded down
		`difesa_rejections_total{code="bad_armor"} 2`,
		`difesa_rejections_total{code="other"} 1`,
		`difesa_uploads_in_flight_peak 2`,
		`difesa_checkins{hub="h",state="armed"} 0`,
		// The events were raised this hour: not shown yet.
		`difesa_outbox_events{hub="h",state="pending"} 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	for _, id := range ids {
		if strings.Contains(out, id) {
			t.Errorf("submission id %s in the metrics", id)
		}
	}

	now = now.Add(time.Hour)
	out = render(t, c.Registry)
	for _, want := range []string{
		`difesa_outbox_events{hub="h",state="pending"} 3`,
		`difesa_uploads_in_flight_peak 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("next hour: no %q in\n%s", want, out)
		}
	}
}
