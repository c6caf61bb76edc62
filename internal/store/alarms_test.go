package store

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
)

// alarmStore opens a store at path with clock.
func alarmStore(t *testing.T, path string, clock *instants.Clock) *Store {
	t.Helper()
	s, err := Open(path, Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func armTimer(t *testing.T, s *Store, hub string, deadline time.Time, code, duress [32]byte) Submission {
	t.Helper()
	up := s.NewUpload(hub)
	up.ArmCheckin(Checkin{Every: time.Hour, Grace: 10 * time.Minute, Deadline: deadline}, code, duress)
	sub, err := up.Commit([]byte("instructions"), Submission{Kind: "checkin"})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

func marksOf(a Alarm) []string {
	var out []string
	for _, m := range a.Marks {
		out = append(out, m.Mark)
	}
	return out
}

func onlyAlarm(t *testing.T, s *Store, hub string) Alarm {
	t.Helper()
	list, err := s.Alarms(hub)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 {
		t.Fatalf("%d alarms, want 1: %+v", len(list), list)
	}
	return list[0]
}

// TestAlarmMissedThenDuressSurvivesRestart: a miss opens an alarm in the
// FireDue transaction, a duress check-in after it keeps the missed mark
// (the old code re-armed the timer and the miss vanished), a normal
// check-in adds a mark and closes nothing, and all of it survives the
// store being reopened.
func TestAlarmMissedThenDuressSurvivesRestart(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 10, 17, 0, 0, time.UTC)
	clock := instants.NewClock(t0)
	path := filepath.Join(t.TempDir(), "test.db")
	s := alarmStore(t, path, clock)
	code, duress := [32]byte{1}, [32]byte{2}
	instr := armTimer(t, s, "h", t0.Add(time.Hour), code, duress)

	clock.Set(t0.Add(2 * time.Hour))
	if n, err := s.FireDue(clock.Now()); err != nil || n != 1 {
		t.Fatalf("fired %d: %v", n, err)
	}
	a := onlyAlarm(t, s, "h")
	if a.Kind != AlarmMissed || a.State != AlarmOpen || a.Submission != instr.ID || !slices.Equal(marksOf(a), []string{MarkMissed}) {
		t.Fatalf("after the miss: %+v", a)
	}
	if !a.Opened.Equal(t0.Add(2 * time.Hour).Truncate(time.Hour)) {
		t.Fatalf("opened %v, want the hour", a.Opened)
	}

	clock.Set(t0.Add(3 * time.Hour))
	if _, err := s.CheckIn("h", duress, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if got := eventTypes(t, s); slices.Contains(got, "checkin.resumed") {
		t.Fatalf("a duress check-in raised checkin.resumed: %v", got)
	}
	s.Close()
	s = alarmStore(t, path, clock)
	a = onlyAlarm(t, s, "h")
	if a.Kind != AlarmDuress || a.State != AlarmOpen || !slices.Equal(marksOf(a), []string{MarkMissed, MarkDuress}) {
		t.Fatalf("after duress and a restart: %+v", a)
	}

	clock.Set(t0.Add(4 * time.Hour))
	if _, err := s.CheckIn("h", code, clock.Now()); err != nil {
		t.Fatal(err)
	}
	a = onlyAlarm(t, s, "h")
	if a.State != AlarmOpen || !slices.Equal(marksOf(a), []string{MarkMissed, MarkDuress, MarkCheckedIn}) {
		t.Fatalf("a normal check-in closed or lost marks: %+v", a)
	}
	if h := a.Marks[2].Hour; !h.Equal(t0.Add(4 * time.Hour).Truncate(time.Hour)) {
		t.Fatalf("checked-in mark at %v, want the hour", h)
	}
}

// TestAlarmDuressAlone: a duress check-in on a timer with no alarm opens
// one, and so does stopping with the duress code; a stop with the normal
// code marks the open alarm and keeps it.
func TestAlarmDuressAlone(t *testing.T) {
	t0 := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)
	clock := instants.NewClock(t0)
	s := alarmStore(t, filepath.Join(t.TempDir(), "test.db"), clock)
	code, duress := [32]byte{1}, [32]byte{2}
	armTimer(t, s, "h", t0.Add(time.Hour), code, duress)
	if err := s.StopCheckin("h", duress); err != nil {
		t.Fatal(err)
	}
	a := onlyAlarm(t, s, "h")
	if a.Kind != AlarmDuress || !slices.Equal(marksOf(a), []string{MarkDuress}) {
		t.Fatalf("%+v", a)
	}
	if err := s.StopCheckin("h", code); err != nil {
		t.Fatal(err)
	}
	a = onlyAlarm(t, s, "h")
	if a.State != AlarmOpen || !slices.Equal(marksOf(a), []string{MarkDuress, MarkStopped}) {
		t.Fatalf("after the stop: %+v", a)
	}
}

// TestAlarmAlertAndAcknowledge: an alert's commit opens its alarm; an
// acknowledgement closes it once, is audited with the label and the hour
// and never the note, and an unknown id is ErrNoAlarm.
func TestAlarmAlertAndAcknowledge(t *testing.T) {
	t0 := time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC)
	clock := instants.NewClock(t0)
	s := alarmStore(t, filepath.Join(t.TempDir(), "test.db"), clock)
	up := s.NewUpload("h")
	up.OpenAlarm(AlarmAlert)
	sub, err := up.Commit([]byte("alert"), Submission{Kind: "alert"})
	if err != nil {
		t.Fatal(err)
	}
	report := s.NewUpload("h")
	if _, err := report.Commit([]byte("report"), Submission{Kind: "report"}); err != nil {
		t.Fatal(err)
	}
	a := onlyAlarm(t, s, "h")
	if a.Kind != AlarmAlert || a.Submission != sub.ID || a.State != AlarmOpen {
		t.Fatalf("%+v", a)
	}
	clock.Set(t0.Add(time.Hour))
	note := []byte("age-encryption.org/v1 pretend")
	got, first, err := s.Acknowledge("h", a.ID, "desk one", note)
	if err != nil || !first || got.State != AlarmAcknowledged || got.By != "desk one" || !got.Acknowledged.Equal(t0.Add(time.Hour).Truncate(time.Hour)) {
		t.Fatalf("ack: %+v %v %v", got, first, err)
	}
	if _, first, err := s.Acknowledge("h", a.ID, "desk two", nil); err != nil || first {
		t.Fatalf("second ack: first %v, %v", first, err)
	}
	if a = onlyAlarm(t, s, "h"); a.By != "desk one" || string(a.Note) != string(note) {
		t.Fatalf("the second ack changed the alarm: %+v", a)
	}
	log, err := s.Audit("h")
	if err != nil {
		t.Fatal(err)
	}
	var acks []AuditEvent
	for _, ev := range log {
		if ev.Event == "alarm.acknowledged" {
			acks = append(acks, ev)
		}
	}
	if len(acks) != 1 || acks[0].Alarm != a.ID.String() || acks[0].By != "desk one" || !acks[0].Time.Equal(t0.Add(time.Hour).Truncate(time.Hour)) {
		t.Fatalf("audit: %+v", acks)
	}
	if _, _, err := s.Acknowledge("h", NewID(), "x", nil); !errors.Is(err, ErrNoAlarm) {
		t.Fatalf("unknown id: %v", err)
	}
	if _, _, err := s.Acknowledge("h", a.ID, "x", make([]byte, MaxAlarmNote+1)); err == nil {
		t.Fatal("an oversized note was accepted")
	}
}

// TestAlarmsOrderAndPaging: open alarms first, newest first, and paging
// walks them all once.
func TestAlarmsOrderAndPaging(t *testing.T) {
	clock := instants.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	s := alarmStore(t, filepath.Join(t.TempDir(), "test.db"), clock)
	var ids []ID
	for range 5 {
		up := s.NewUpload("h")
		up.OpenAlarm(AlarmAlert)
		if _, err := up.Commit([]byte("a"), Submission{Kind: "alert"}); err != nil {
			t.Fatal(err)
		}
		list, _ := s.Alarms("h")
		ids = append(ids, list[0].ID)
	}
	if _, _, err := s.Acknowledge("h", ids[4], "d", nil); err != nil {
		t.Fatal(err)
	}
	want := []ID{ids[3], ids[2], ids[1], ids[0], ids[4]}
	var got []ID
	var cur *AlarmCursor
	for pages := 0; ; pages++ {
		page, next, more, err := s.AlarmsAfter("h", cur, 2)
		if err != nil || pages > 5 {
			t.Fatal(err, pages)
		}
		for _, a := range page {
			got = append(got, a.ID)
		}
		cur = &next
		if !more {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

// TestAlarmMarksBounded: a defender checking in again and again with an
// alarm open does not grow it.
func TestAlarmMarksBounded(t *testing.T) {
	a := Alarm{}
	a.mark(MarkMissed, time.Time{})
	for i := range 100 {
		a.mark([]string{MarkCheckedIn, MarkDuress}[i%2], time.Time{})
	}
	if len(a.Marks) > MaxAlarmMarks || a.Marks[0].Mark != MarkMissed {
		t.Fatalf("%d marks, first %v", len(a.Marks), a.Marks[0])
	}
}
