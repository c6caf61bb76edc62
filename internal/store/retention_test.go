package store

import (
	"testing"
	"time"
)

func TestDeleteExpired(t *testing.T) {
	s, _ := newTestStore(t)
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	cutoff := day.Add(24 * time.Hour)
	commit := func(status string, received time.Time) ID {
		t.Helper()
		up := s.NewUpload("h")
		up.WriteChunk(make([]byte, ChunkSize))
		sub, err := up.Commit([]byte("tail"), Submission{Kind: "report", Status: status, Received: received})
		if err != nil {
			t.Fatal(err)
		}
		return sub.ID
	}
	oldClosed := commit(StatusClosed, day)
	oldNew := commit("new", day)
	recentClosed := commit(StatusClosed, cutoff)

	up := s.NewUpload("h")
	up.ArmCheckin(Checkin{Every: time.Hour, Deadline: day.Add(time.Hour)}, [32]byte{1}, [32]byte{2})
	instr, err := up.Commit([]byte("instructions"), Submission{Kind: "checkin", Received: day})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus("h", instr.ID, StatusClosed); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		id   ID
		want bool
	}{
		{"closed and old", oldClosed, true},
		{"already gone", oldClosed, false},
		{"still new", oldNew, false},
		{"closed at the cutoff", recentClosed, false},
		{"check-in instructions", instr.ID, false},
		{"unknown", NewID(), false},
	}
	for _, tt := range tests {
		got, err := s.DeleteExpired("h", tt.id, cutoff)
		if err != nil || got != tt.want {
			t.Errorf("%s: deleted %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if _, err := s.Submission("h", oldClosed); err != ErrNotFound {
		t.Fatalf("expired submission still there: %v", err)
	}
	if n := countChunks(t, s); n != 2*2+1 {
		t.Fatalf("%d chunks left, want 5 (the deleted one's two gone)", n)
	}
	log, err := s.Audit("h")
	if err != nil || len(log) != 1 || log[0].Event != "retention.deleted" || log[0].Submission != oldClosed.String() {
		t.Fatalf("audit log: %+v %v", log, err)
	}
}
