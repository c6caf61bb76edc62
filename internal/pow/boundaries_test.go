package pow

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// These tests pin the exact edges of the strict parser and of the spent
// set; each was written for a mutant (a flipped comparison) that the other
// tests let live.

// TestParseLengthLimit: a header of exactly MaxHeaderLen bytes is parsed
// (and found malformed for what it is), one byte more is refused as too
// long.
func TestParseLengthLimit(t *testing.T) {
	t.Parallel()
	for _, parse := range []struct {
		name string
		f    func(string) error
	}{
		{"ParseChallenge", func(s string) error { _, err := ParseChallenge(s); return err }},
		{"ParseHeader", func(s string) error { _, _, err := ParseHeader(s); return err }},
	} {
		at := parse.f(strings.Repeat("a", MaxHeaderLen))
		over := parse.f(strings.Repeat("a", MaxHeaderLen+1))
		if !errors.Is(at, ErrMalformed) || strings.Contains(at.Error(), "long") {
			t.Errorf("%s at the limit: %v, want malformed but not too long", parse.name, at)
		}
		if !errors.Is(over, ErrMalformed) || !strings.Contains(over.Error(), "long") {
			t.Errorf("%s over the limit: %v, want too long", parse.name, over)
		}
	}
}

func TestValidHubEdges(t *testing.T) {
	t.Parallel()
	for hub, want := range map[string]bool{
		strings.Repeat("a", 32): true, strings.Repeat("a", 33): false, "": false,
		"a": true, "z": true, "0": true, "9": true, "a-b": true, "0-": true, "-a": false,
		"`": false, "{": false, "/": false, ":": false, "A": false, "Z": false, "_": false, ".": false,
		"a`": false, "a{": false, "a/": false, "a:": false,
	} {
		if got := validHub(hub); got != want {
			t.Errorf("validHub(%q) = %v, want %v", hub, got, want)
		}
	}
}

func TestCanonicalUintEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    string
		max  int
		want uint64
		ok   bool
	}{
		{"0", 2, 0, true}, {"7", 2, 7, true}, {"32", 2, 32, true},
		{"00", 2, 0, false}, {"01", 2, 0, false}, {"", 2, 0, false},
		{"123", 2, 0, false}, {"999999999999", 12, 999999999999, true}, {"1000000000000", 12, 0, false},
		{"1a", 2, 0, false}, {"/", 2, 0, false}, {":", 2, 0, false}, {"+1", 2, 0, false}, {"-1", 2, 0, false},
	}
	for _, tt := range tests {
		got, ok := canonicalUint(tt.s, tt.max)
		if ok != tt.ok || got != tt.want {
			t.Errorf("canonicalUint(%q, %d) = %d, %v; want %d, %v", tt.s, tt.max, got, ok, tt.want, tt.ok)
		}
	}
}

// TestIssuerDefaults: a zero TTL or spent limit means the default, not
// zero.
func TestIssuerDefaults(t *testing.T) {
	t.Parallel()
	clk := newClock()
	is := NewIssuer(0, 0, clk.now)
	if is.TTL() != DefaultTTL || is.maxSpent != DefaultMaxSpent {
		t.Fatalf("TTL %v, max spent %d", is.TTL(), is.maxSpent)
	}
	c, err := is.Issue("demo", 1)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Expires.Equal(clk.now().Add(DefaultTTL)) {
		t.Fatalf("expires %v, want %v", c.Expires, clk.now().Add(DefaultTTL))
	}
}

// TestSpentSetSweep pins when expired entries go: every sweepEvery
// seconds, and when the set is full at most once a second; an entry goes
// at the second it expires.
func TestSpentSetSweep(t *testing.T) {
	t.Parallel()
	id := func(b byte) [16]byte { return [16]byte{b} }
	s := &spentSet{m: map[[16]byte]int64{}}
	const t0 = 1_000_000
	// The first spend sweeps (nextSweep 0) and schedules the next at
	// t0+sweepEvery.
	if err := s.spend(id(1), t0+1, t0, 2); err != nil {
		t.Fatal(err)
	}
	if s.lastSweep != t0 || s.nextSweep != t0+sweepEvery {
		t.Fatalf("sweep at %d, next %d", s.lastSweep, s.nextSweep)
	}
	// Full, in the same second as the last sweep: no sweep, busy, even
	// with an entry that a sweep would drop (it expires this second).
	if err := s.spend(id(2), t0, t0, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.spend(id(3), t0+5, t0, 2); !errors.Is(err, ErrBusy) {
		t.Fatalf("full set, same second: %v", err)
	}
	// Full, a second later, exactly when both entries expire: they go.
	if err := s.spend(id(3), t0+5, t0+1, 2); err != nil {
		t.Fatalf("full set of expired entries a second later: %v", err)
	}
	if len(s.m) != 1 || s.lastSweep != t0+1 {
		t.Fatalf("%d entries, last sweep %d", len(s.m), s.lastSweep)
	}
	// Not full: no sweep before nextSweep, a sweep at it.
	if err := s.spend(id(4), t0+100, t0+5, 3); err != nil {
		t.Fatal(err)
	}
	if _, kept := s.m[id(3)]; !kept {
		t.Fatal("an entry expired at t0+5 went before the scheduled sweep")
	}
	if err := s.spend(id(5), t0+100, t0+1+sweepEvery, 3); err != nil {
		t.Fatal(err)
	}
	if _, kept := s.m[id(3)]; kept {
		t.Fatal("the scheduled sweep kept an expired entry")
	}
	if s.nextSweep != t0+1+2*sweepEvery {
		t.Fatalf("next sweep %d", s.nextSweep)
	}
}

// TestParseHeaderWithoutNonce: a challenge sent without its nonce is told
// what the header must look like.
func TestParseHeaderWithoutNonce(t *testing.T) {
	t.Parallel()
	c, err := NewIssuer(time.Minute, 0, newClock().now).Issue("demo", 1)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ParseHeader(c.String())
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "<challenge> <nonce>") {
		t.Fatalf("a challenge without its nonce: %v", err)
	}
}

// TestNewGateRealClock: a gate made without a clock uses the real one.
func TestNewGateRealClock(t *testing.T) {
	t.Parallel()
	g := NewGate(DefaultPolicy, nil)
	done := g.Started()
	if l := g.Load(); l.InFlight != 1 || l.PerMinute != 1 {
		t.Fatalf("load %+v, want one upload in flight, one this minute", l)
	}
	done()
	if ok, _ := g.AdmitForm(); !ok {
		t.Fatal("the first form was refused")
	}
}
