package instants

import (
	"testing"
	"time"
)

func TestZonesAreWhatTheNamesSay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		zone   string
		at     time.Time
		offset int // seconds east of UTC
	}{
		{"Pacific/Kiritimati", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), 14 * 3600},
		{"America/St_Johns", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), -(3*3600 + 1800)},
		{"America/St_Johns", time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC), -(2*3600 + 1800)},
	} {
		if _, off := tt.at.In(Zone(t, tt.zone)).Zone(); off != tt.offset {
			t.Errorf("%s at %v: offset %d s, want %d", tt.zone, tt.at, off, tt.offset)
		}
	}
	seen := map[string]bool{}
	for _, in := range All(t) {
		if seen[in.Name] || in.T.IsZero() {
			t.Errorf("instant %q repeated or zero", in.Name)
		}
		seen[in.Name] = true
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)
	c := NewClock(t0)
	c.Advance(time.Second)
	if got := c.Now(); !got.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("advanced to %v", got)
	}
	c.Set(t0)
	if !c.Now().Equal(t0) {
		t.Fatal("Set did not move the clock")
	}
}

func TestInZone(t *testing.T) {
	if !InZone(t, "America/St_Johns") {
		return
	}
	name, _ := time.Now().Zone()
	if name != "NST" && name != "NDT" {
		t.Fatalf("zone %s, want Newfoundland time", name)
	}
}
