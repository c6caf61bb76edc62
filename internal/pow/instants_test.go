package pow

import (
	"errors"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
)

// TestChallengeAcrossBoundaries issues challenges due to expire 0.6 s
// after each instant, which the format's whole seconds make the instant
// itself, and redeems them as the clock crosses it (a minute, hour, day,
// month or year boundary): valid before, expired from it on; redeemed
// once, remembered while valid.
func TestChallengeAcrossBoundaries(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			issued := in.T.Add(-DefaultTTL + 600*time.Millisecond)
			c := &clock{t: issued}
			is := NewIssuer(DefaultTTL, 0, c.now)
			proof, other := issue(t, is, "demo", 4), issue(t, is, "demo", 4)
			for _, step := range []struct {
				at    time.Time
				proof string
				want  error
			}{
				{in.T.Add(-time.Second), proof, nil},
				{in.T.Add(-time.Nanosecond), proof, ErrSpent},
				{in.T.Add(-time.Nanosecond), other, nil},
				{in.T, proof, ErrExpired},
				{in.T.Add(time.Hour), proof, ErrExpired},
			} {
				c.mu.Lock()
				c.t = step.at
				c.mu.Unlock()
				if err := is.Redeem("demo", step.proof, 4); !errors.Is(err, step.want) {
					t.Fatalf("at %v (expiry %v): %v, want %v", step.at.UTC(), in.T.UTC(), err, step.want)
				}
			}
		})
	}
}

// TestLoadAcrossBoundaries counts uploads started in the last minute as
// the minute, hour, day, month or year turns.
func TestLoadAcrossBoundaries(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			c := &clock{t: in.T.Add(-time.Second)}
			g := NewGate(DefaultPolicy, c.now)
			for range 3 {
				g.Started()()
			}
			c.advance(time.Second)
			for range 2 {
				g.Started()()
			}
			for _, step := range []struct {
				after time.Duration
				want  int
			}{{0, 5}, {58 * time.Second, 5}, {59 * time.Second, 2}, {60 * time.Second, 0}} {
				c.mu.Lock()
				c.t = in.T.Add(step.after)
				c.mu.Unlock()
				if got := g.Load(); got.PerMinute != step.want || got.InFlight != 0 {
					t.Errorf("%v after: load %+v, want %d a minute", step.after, got, step.want)
				}
			}
		})
	}
}
