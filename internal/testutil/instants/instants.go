// Package instants gives tests the moments at which code that rounds or
// windows by wall time goes wrong, and a settable clock to put them there.
//
// A suite whose result depends on when it runs is a defect: a test that
// reads the real clock passes at 10:17 and fails at 23:59, on the last day
// of a month, or in a time zone that is not UTC. Code that rounds to the
// hour, counts days or aligns windows takes a clock (a `now func()
// time.Time` field or option); its tests run it at each of [All].
//
// Zoned instants stand for a server whose time.Local is that zone:
// time.Now returns times in time.Local, so a clock returning them
// exercises the same code paths in-process, without changing time.Local
// under parallel tests. To run a whole package under another zone, set TZ
// for the test process (TZ=Pacific/Kiritimati go test ./internal/...).
package instants

import (
	"sync"
	"testing"
	"time"
	// Embedded, so that the zones load on a machine without tzdata.
	_ "time/tzdata"
)

// Instant is a named moment.
type Instant struct {
	Name string
	T    time.Time
}

// Zone loads a time zone or fails the test.
func Zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("instants: unable to load time zone %s: %v", name, err)
	}
	return loc
}

// All returns the instants every time-sensitive test runs at: the start,
// the half and the end of a day, noon, the ends of a month and a year, a
// leap day, and the same kind of moments in the zones furthest ahead of
// UTC (Pacific/Kiritimati, UTC+14) and at a half-hour offset behind it
// (America/St_Johns, UTC−3:30 in winter).
func All(t testing.TB) []Instant {
	t.Helper()
	kiritimati, stJohns := Zone(t, "Pacific/Kiritimati"), Zone(t, "America/St_Johns")
	utc := func(y int, m time.Month, d, h, min, s int) time.Time {
		return time.Date(y, m, d, h, min, s, 0, time.UTC)
	}
	return []Instant{
		{"00:00 UTC", utc(2026, 11, 23, 0, 0, 0)},
		{"00:30 UTC", utc(2026, 11, 23, 0, 30, 0)},
		{"12:00 UTC", utc(2026, 11, 23, 12, 0, 0)},
		{"23:59 UTC", utc(2026, 11, 23, 23, 59, 0)},
		{"month end 23:59 UTC", utc(2027, 1, 31, 23, 59, 0)},
		{"month start 00:00 UTC", utc(2027, 2, 1, 0, 0, 0)},
		{"year end 23:59:59 UTC", utc(2026, 12, 31, 23, 59, 59)},
		{"leap day 23:59:30 UTC", utc(2028, 2, 29, 23, 59, 30)},
		{"Kiritimati new year 00:00", time.Date(2027, 1, 1, 0, 0, 0, 0, kiritimati)},
		{"Kiritimati 23:59", time.Date(2026, 11, 23, 23, 59, 0, 0, kiritimati)},
		{"St John's 00:00", time.Date(2026, 11, 23, 0, 0, 0, 0, stJohns)},
		{"St John's year end 23:59:59", time.Date(2026, 12, 31, 23, 59, 59, 0, stJohns)},
		{"St John's 12:00 (summer, UTC−2:30)", time.Date(2027, 7, 1, 12, 0, 0, 0, stJohns)},
	}
}

// Clock is a clock a test sets and moves, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
