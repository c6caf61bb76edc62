package daemon

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

func TestRetention(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := t0
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	commit := func(hub, status string) store.ID {
		t.Helper()
		sub, err := st.NewUpload(hub).Commit([]byte("ct"), store.Submission{Kind: "report", Status: status, Received: now.Truncate(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	closedOld := commit("a", wire.StatusClosed)
	unreadOld := commit("a", wire.StatusNew)
	commit("a", wire.StatusNew)
	inProgress := commit("a", wire.StatusInProgress)
	otherHub := commit("b", wire.StatusClosed) // hub b keeps everything
	now = t0.Add(10 * 24 * time.Hour)
	closedRecent := commit("a", wire.StatusClosed)

	cfg := config.Default()
	cfg.Hubs = []config.Hub{
		{ID: "a", DeleteClosedAfter: config.Duration(7 * 24 * time.Hour), WarnUnreadAfter: config.Duration(72 * time.Hour)},
		{ID: "b"},
	}
	var logs bytes.Buffer
	r := newRetention(cfg, st, NewLogger(&logs, "text", "info"))
	r.now = func() time.Time { return now }
	if len(r.policies) != 1 {
		t.Fatalf("policies: %+v", r.policies)
	}

	exists := func(hub string, id store.ID) bool {
		_, err := st.Submission(hub, id)
		return err == nil
	}
	// Six days after: nothing is old enough to go.
	now = t0.Add(6 * 24 * time.Hour)
	r.runOnce()
	if !exists("a", closedOld) || !strings.Contains(logs.String(), "hub=a count=2") || strings.Contains(logs.String(), "deleted") {
		t.Fatalf("after 6 days:\n%s", logs.String())
	}
	logs.Reset()
	now = t0.Add(7*24*time.Hour + time.Hour)
	r.runOnce()
	for _, tt := range []struct {
		name string
		hub  string
		id   store.ID
		want bool
	}{
		{"closed and old", "a", closedOld, false},
		{"unread", "a", unreadOld, true},
		{"in progress", "a", inProgress, true},
		{"closed recently", "a", closedRecent, true},
		{"hub without retention", "b", otherHub, true},
	} {
		if exists(tt.hub, tt.id) != tt.want {
			t.Errorf("%s: exists %v, want %v", tt.name, !tt.want, tt.want)
		}
	}
	out := logs.String()
	if !strings.Contains(out, `deleted closed submissions" hub=a count=1`) || !strings.Contains(out, `still unread" hub=a count=2`) {
		t.Fatalf("logs:\n%s", out)
	}
	for _, id := range []store.ID{closedOld, unreadOld, closedRecent} {
		if strings.Contains(out, id.String()) {
			t.Fatalf("id in the log: %s", out)
		}
	}
	audit, err := st.Audit("a")
	if err != nil || len(audit) != 1 || audit[0].Event != "retention.deleted" || !audit[0].Time.Equal(now.Truncate(time.Hour)) {
		t.Fatalf("audit: %+v %v", audit, err)
	}
	// Responders were reminded of the two unread submissions at each of
	// the two runs, a day and an hour apart, with content-free events; a
	// few hours later, not again; a day later, again.
	unreadEvents := func() int {
		t.Helper()
		evs, err := st.Events()
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range evs {
			if ev.Type == wire.EventSubmissionUnread && ev.Hub == "a" && !ev.Urgent {
				n++
			}
		}
		return n
	}
	if n := unreadEvents(); n != 4 {
		t.Fatalf("%d reminders after the first runs, want 4", n)
	}
	now = t0.Add(7*24*time.Hour + 5*time.Hour)
	r.runOnce()
	if n := unreadEvents(); n != 4 {
		t.Fatalf("%d reminders four hours later, want still 4", n)
	}
	now = t0.Add(8*24*time.Hour + 2*time.Hour)
	r.runOnce()
	if n := unreadEvents(); n != 6 {
		t.Fatalf("%d reminders a day later, want 6", n)
	}

	// Reopened between the listing and the deletion: kept.
	if ok, err := st.DeleteExpired("a", inProgress, now); ok || err != nil {
		t.Fatalf("deleted a submission in progress: %v", err)
	}
}
