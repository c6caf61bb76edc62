package pow

import (
	"sync"
	"sync/atomic"
	"time"

	"difesa.org/difesa/internal/ratelimit"
)

// Load is what the difficulty is computed from.
type Load struct {
	// InFlight is the number of uploads being received now.
	InFlight int
	// PerMinute is the number of uploads started in the last minute.
	PerMinute int
}

// Policy turns a [Load] into a difficulty. Work is asked for once either
// measure reaches its threshold; each doubling of the load beyond it adds
// one bit (doubling the work), up to MaxBits. The zero Policy never asks.
type Policy struct {
	// InFlight and PerMinute are the thresholds of [Load]'s two measures;
	// 0 leaves a measure out.
	InFlight, PerMinute int
	// MinBits is the difficulty at the threshold; MaxBits the ceiling, 0
	// to never ask for work.
	MinBits, MaxBits int
	// FormsPerMinute is how many uploads through the form without
	// JavaScript are admitted a minute, without work, while work is asked
	// for (bursts of as many). 0 admits none.
	FormsPerMinute int
}

// DefaultPolicy is difesad's default (config: pow_*; docs/pow.md). At 12
// to 15 bits a browser without JIT solves in a fraction of a second to a
// few seconds.
var DefaultPolicy = Policy{InFlight: 8, PerMinute: 20, MinBits: 12, MaxBits: 15, FormsPerMinute: 6}

// GraceBits is how much easier than the current difficulty a challenge
// may be and still be accepted: the load may rise between the moment a
// client got its challenge and the moment it presents the solution.
const GraceBits = 2

// Bits is the difficulty asked for at load l, 0 for none.
func (p Policy) Bits(l Load) int {
	if p.MaxBits <= 0 {
		return 0
	}
	steps := -1
	for _, m := range [...]struct{ v, at int }{{l.InFlight, p.InFlight}, {l.PerMinute, p.PerMinute}} {
		if m.at <= 0 || m.v < m.at {
			continue
		}
		s := 0
		for f := m.v / m.at; f >= 2; f /= 2 {
			s++
		}
		steps = max(steps, s)
	}
	if steps < 0 {
		return 0
	}
	return min(max(p.MinBits, 1)+steps, p.MaxBits, MaxBits)
}

// Gate measures the load of uploads, decides the difficulty, issues
// challenges and redeems their solutions. It is safe for concurrent use.
type Gate struct {
	policy Policy
	issuer *Issuer
	now    func() time.Time
	forms  *ratelimit.Bucket
	meter  meter
	load   atomic.Pointer[func() Load]
}

// NewGate returns a gate with a fresh key; now defaults to time.Now.
func NewGate(p Policy, now func() time.Time) *Gate {
	if now == nil {
		now = time.Now
	}
	g := &Gate{policy: p, issuer: NewIssuer(DefaultTTL, DefaultMaxSpent, now), now: now}
	if p.FormsPerMinute > 0 {
		g.forms = ratelimit.NewBucket(float64(p.FormsPerMinute)/60, float64(p.FormsPerMinute), now)
	}
	return g
}

// Policy returns the gate's policy.
func (g *Gate) Policy() Policy { return g.policy }

// TTL is how long the gate's challenges live.
func (g *Gate) TTL() time.Duration { return g.issuer.TTL() }

// SetLoad replaces the measured load by what f says, or goes back to the
// measure if f is nil. For tests, and for forcing work on by hand.
func (g *Gate) SetLoad(f func() Load) {
	if f == nil {
		g.load.Store(nil)
		return
	}
	g.load.Store(&f)
}

// Load returns the current load.
func (g *Gate) Load() Load {
	if f := g.load.Load(); f != nil {
		return (*f)()
	}
	return g.meter.load(g.now())
}

// Bits returns the difficulty asked for now, 0 for none.
func (g *Gate) Bits() int { return g.policy.Bits(g.Load()) }

// Started counts an upload in flight until done is called.
func (g *Gate) Started() (done func()) {
	g.meter.start(g.now())
	var once sync.Once
	return func() { once.Do(g.meter.done) }
}

// Challenge issues a challenge for hub at bits.
func (g *Gate) Challenge(hub string, bits int) (*Challenge, error) {
	return g.issuer.Issue(hub, bits)
}

// Redeem checks proof ("<challenge> <nonce>") for hub while bits are asked
// for, accepting challenges up to [GraceBits] easier, and marks it used.
func (g *Gate) Redeem(hub, proof string, bits int) error {
	return g.issuer.Redeem(hub, proof, max(1, bits-GraceBits))
}

// AdmitForm takes one of the uploads reserved for the form without
// JavaScript; if none is left it says how long until one is.
func (g *Gate) AdmitForm() (bool, time.Duration) {
	if g.forms == nil {
		return false, time.Minute
	}
	return g.forms.Take()
}

// meter counts uploads in flight and started in the last minute, in
// one-second slots.
type meter struct {
	mu       sync.Mutex
	inFlight int
	slots    [60]struct {
		sec int64
		n   int
	}
}

func (m *meter) start(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.inFlight++
	sec := now.Unix()
	s := &m.slots[uint64(sec)%uint64(len(m.slots))]
	if s.sec != sec {
		s.sec, s.n = sec, 0
	}
	s.n++
}

func (m *meter) done() {
	m.mu.Lock()
	m.inFlight--
	m.mu.Unlock()
}

func (m *meter) load(now time.Time) Load {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := Load{InFlight: m.inFlight}
	sec := now.Unix()
	for _, s := range m.slots {
		if s.sec > sec-int64(len(m.slots)) && s.sec <= sec {
			l.PerMinute += s.n
		}
	}
	return l
}
