// Package ratelimit limits how often something may happen, globally and per
// hub, without knowing who asks.
//
// Behind a Tor onion service every client arrives from the same address, so
// limits per IP address mean nothing (and would require keeping addresses).
// What can be limited is the total rate of an action, overall and per hub:
// that bounds how fast anyone can guess codenames, whoever they are.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Bucket is a token bucket: Burst events at once, refilled at Rate per
// second.
type Bucket struct {
	Rate  float64
	Burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
	now    func() time.Time
}

// NewBucket returns a full bucket.
func NewBucket(rate, burst float64, now func() time.Time) *Bucket {
	if now == nil {
		now = time.Now
	}
	return &Bucket{Rate: rate, Burst: burst, tokens: burst, last: now(), now: now}
}

// Take takes one token. If none is left it returns false and how long until
// one is.
func (b *Bucket) Take() (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refillLocked()
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration(math.Ceil((1 - b.tokens) / b.Rate * float64(time.Second)))
	return false, wait
}

// giveBack returns a token taken in vain.
func (b *Bucket) giveBack() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = math.Min(b.Burst, b.tokens+1)
}

func (b *Bucket) refillLocked() {
	now := b.now()
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(b.Burst, b.tokens+el*b.Rate)
	}
	b.last = now
}

// Limiter combines a global bucket with one bucket per key (a hub id).
type Limiter struct {
	global *Bucket
	rate   float64
	burst  float64
	now    func() time.Time

	mu   sync.Mutex
	keys map[string]*Bucket
}

// NewLimiter allows globalRate events per second overall (bursts of
// globalBurst) and keyRate per key (bursts of keyBurst).
func NewLimiter(globalRate, globalBurst, keyRate, keyBurst float64, now func() time.Time) *Limiter {
	return &Limiter{
		global: NewBucket(globalRate, globalBurst, now),
		rate:   keyRate, burst: keyBurst, now: now,
		keys: map[string]*Bucket{},
	}
}

// Allow reports whether one more event for key may happen now, and if not,
// when to try again. The number of keys is the number of hubs, so the map
// stays small.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	kb := l.keys[key]
	if kb == nil {
		kb = NewBucket(l.rate, l.burst, l.now)
		l.keys[key] = kb
	}
	l.mu.Unlock()
	ok, wait := kb.Take()
	if !ok {
		return false, wait
	}
	if ok, wait := l.global.Take(); !ok {
		kb.giveBack()
		return false, wait
	}
	return true, 0
}
