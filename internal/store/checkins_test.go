package store

import (
	"errors"
	"testing"
	"time"
)

func eventTypes(t *testing.T, s *Store) []string {
	t.Helper()
	evs, err := s.Events()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if !e.Urgent {
			t.Errorf("check-in event %s is not urgent", e.Type)
		}
		out = append(out, e.Type)
	}
	return out
}

func TestCheckinTransitions(t *testing.T) {
	s, path := newTestStore(t)
	t0 := time.Date(2026, 11, 23, 10, 17, 0, 0, time.UTC)
	code, duress := [32]byte{1}, [32]byte{2}

	up := s.NewUpload("h")
	up.ArmCheckin(Checkin{Every: time.Hour, Grace: 10 * time.Minute, Deadline: t0.Add(time.Hour)}, code, duress)
	instr, err := up.Commit([]byte("instructions"), Submission{Kind: "checkin"})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		at     time.Duration // since t0
		do     func(now time.Time) error
		state  string
		events []string
	}{
		{"nothing due before the deadline", 65 * time.Minute, fire(s, 0), CheckinArmed, nil},
		{"check in", 66 * time.Minute, checkIn(s, code), CheckinArmed, nil},
		{"the deadline moved", 130 * time.Minute, fire(s, 0), CheckinArmed, nil},
		{"duress looks like a check-in", 131 * time.Minute, checkIn(s, duress), CheckinArmed, []string{"checkin.duress"}},
		{"missed after deadline plus grace", 131*time.Minute + 71*time.Minute, fire(s, 1), CheckinMissed, []string{"checkin.duress", "checkin.missed"}},
		{"fires once", 5 * time.Hour, fire(s, 0), CheckinMissed, []string{"checkin.duress", "checkin.missed"}},
		{"back", 6 * time.Hour, checkIn(s, code), CheckinArmed, []string{"checkin.duress", "checkin.missed", "checkin.resumed"}},
	}
	for _, st := range steps {
		if err := st.do(t0.Add(st.at)); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		cs, _ := s.Checkins("h")
		if c := cs[instr.ID]; c.State != st.state {
			t.Fatalf("%s: state %s, want %s", st.name, c.State, st.state)
		}
		if got := eventTypes(t, s); len(got) != len(st.events) {
			t.Fatalf("%s: events %v, want %v", st.name, got, st.events)
		}
	}
	cs, _ := s.Checkins("h")
	if c := cs[instr.ID]; !c.Deadline.Equal(t0.Add(7*time.Hour)) || c.Every != time.Hour {
		t.Fatalf("deadline %v", c.Deadline)
	}
	if next, _ := s.NextDeadline(); !next.Equal(t0.Add(7*time.Hour + 10*time.Minute)) {
		t.Fatalf("next deadline %v", next)
	}

	// A restart across a deadline: the timer fires once after start-up.
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if n, _ := s2.FireDue(t0.Add(9 * time.Hour)); n != 1 {
		t.Fatalf("fired %d after restart", n)
	}
	if n, _ := s2.FireDue(t0.Add(10 * time.Hour)); n != 0 {
		t.Fatalf("fired again: %d", n)
	}

	// Stopping with the duress code only raises the alarm.
	if err := s2.StopCheckin("h", duress); err != nil {
		t.Fatal(err)
	}
	if cs, _ := s2.Checkins("h"); len(cs) != 1 {
		t.Fatal("the duress code stopped the timer")
	}
	if err := s2.StopCheckin("h", code); err != nil {
		t.Fatal(err)
	}
	if cs, _ := s2.Checkins("h"); len(cs) != 0 {
		t.Fatal("stop left the timer")
	}
	if _, err := s2.Submission("h", instr.ID); !errors.Is(err, ErrNotFound) {
		t.Fatal("stop left the instructions")
	}
	if _, err := s2.CheckIn("h", code, t0); !errors.Is(err, ErrNoCheckin) {
		t.Fatalf("code after stop: %v", err)
	}
	if _, err := s2.CheckIn("other", duress, t0); !errors.Is(err, ErrNoCheckin) {
		t.Fatalf("code at another hub: %v", err)
	}
	if err := s2.Verify(); err != nil {
		t.Fatal(err)
	}
}

func fire(s *Store, want int) func(time.Time) error {
	return func(now time.Time) error {
		n, err := s.FireDue(now)
		if err == nil && n != want {
			return errors.New("fired " + string(rune('0'+n)) + " timers")
		}
		return err
	}
}

func checkIn(s *Store, code [32]byte) func(time.Time) error {
	return func(now time.Time) error {
		_, err := s.CheckIn("h", code, now)
		return err
	}
}
