package daemon_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"difesa.org/difesa/internal/daemon"
)

// clockEnv, in a child started with DIFESA_TEST_SERVE=1, names a file
// holding the time the child's server reads (Unix nanoseconds): the
// parent test sets it with a [childClock], so that a real difesad process
// runs at chosen instants and its timers fire when the test says.
const clockEnv = "DIFESA_TEST_CLOCK"

// clockPollEnv, when set (a duration), bounds in real time how long the
// child's timers wait. A test that moves the clock without first waiting
// for a scheduler pass needs it: the scheduler computes a timer's length
// from a time it read before calling After, and if the parent moved the
// clock in between, the timer's end lies past the instant the scheduler
// meant (by as much as the move). A test of what wakes the scheduler must
// not set it: with it, the scheduler wakes by itself.
const clockPollEnv = "DIFESA_TEST_CLOCK_POLL"

// childOptions are the child's start options: its clock, if the parent
// gave one.
func childOptions() daemon.StartOptions {
	path := os.Getenv(clockEnv)
	if path == "" {
		return daemon.StartOptions{}
	}
	c := &fileClock{path: path}
	c.poll, _ = time.ParseDuration(os.Getenv(clockPollEnv))
	return daemon.StartOptions{Now: c.Now, After: c.After}
}

// fileClock is the child's side: the time in the file, read at each call.
type fileClock struct {
	path   string
	mu     sync.Mutex
	last   time.Time
	passes int
	poll   time.Duration
}

func (c *fileClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, err := os.ReadFile(c.path)
	if err == nil {
		if ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil {
			c.last = time.Unix(0, ns).UTC()
		}
	}
	return c.last
}

// After fires once the file's time has moved d past now, or after d of
// real time (at most the clock's poll, when the parent set one), whichever
// comes first (early is harmless to the scheduler, which looks at the
// clock again). The check-in scheduler calls it at the
// end of each pass: it counts them in the file's ".passes" companion, so
// that the parent can wait for a pass (see [childClock.WaitPasses]).
func (c *fileClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.passes++
	tmp := c.path + ".passes.new"
	if os.WriteFile(tmp, []byte(strconv.Itoa(c.passes)), 0o600) == nil {
		os.Rename(tmp, c.path+".passes")
	}
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	until := c.Now().Add(d)
	real := time.Now().Add(d)
	if c.poll > 0 && c.poll < d {
		real = time.Now().Add(c.poll)
	}
	go func() {
		for {
			if now := c.Now(); !now.Before(until) || time.Now().After(real) {
				ch <- now
				return
			}
			time.Sleep(2 * time.Millisecond) // the clock's own resolution, not a wait for the test
		}
	}()
	return ch
}

// childClock is the parent's side of a child's clock.
type childClock struct {
	t    *testing.T
	path string
	now  time.Time
}

func newChildClock(t *testing.T, start time.Time) *childClock {
	c := &childClock{t: t, path: filepath.Join(t.TempDir(), "clock")}
	c.Set(start)
	return c
}

// Env is the environment entry that gives a child this clock.
func (c *childClock) Env() string { return clockEnv + "=" + c.path }

func (c *childClock) Now() time.Time { return c.now }

// Set moves the child's clock to at, atomically.
func (c *childClock) Set(at time.Time) {
	c.t.Helper()
	tmp := c.path + ".new"
	if err := os.WriteFile(tmp, []byte(strconv.FormatInt(at.UnixNano(), 10)), 0o600); err != nil {
		c.t.Fatal(err)
	}
	if err := os.Rename(tmp, c.path); err != nil {
		c.t.Fatal(err)
	}
	c.now = at
}

// ResetPasses forgets the passes counted, before a child starts.
func (c *childClock) ResetPasses() {
	c.t.Helper()
	if err := os.Remove(c.path + ".passes"); err != nil && !os.IsNotExist(err) {
		c.t.Fatal(err)
	}
}

// Passes returns how many passes the child's check-in scheduler has made
// since it started.
func (c *childClock) Passes() int {
	b, _ := os.ReadFile(c.path + ".passes")
	n, _ := strconv.Atoi(string(b))
	return n
}

// WaitPasses waits, at most 20 s, until the child's check-in scheduler
// has made n passes since it started.
func (c *childClock) WaitPasses(n int) {
	c.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c.Passes() >= n {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the child's scheduler made no %d passes in 20 s", n)
		}
		time.Sleep(2 * time.Millisecond) // polling the child's file, which has no other signal
	}
}

// Advance moves the child's clock d forward.
func (c *childClock) Advance(d time.Duration) { c.Set(c.now.Add(d)) }
