// Package checkin runs defenders' dead-man timers: it wakes up when the next
// deadline (plus grace) passes and marks the timer missed, which raises an
// urgent notification in the same transaction (see store.FireDue).
//
// The timers themselves live in the store, so they survive restarts: a
// deadline that passed while the server was down fires once, right after
// start-up.
package checkin

import (
	"context"
	"log/slog"
	"time"

	"difesa.org/difesa/internal/store"
)

// MaxSleep bounds how long the scheduler sleeps without looking again, so a
// timer armed meanwhile is never late by more than this (Poke shortens it).
const MaxSleep = time.Minute

// Scheduler fires due timers.
type Scheduler struct {
	Store *store.Store
	Log   *slog.Logger
	// Now and After replace the clock, for tests.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	// Fired is called after timers or escalation steps fired (to wake the
	// notification worker).
	Fired func()
	// Escalation is each hub's escalation of unacknowledged alarms; hubs
	// not listed get the defaults (escalate.go).
	Escalation map[string]Escalation

	poke chan struct{}
	esc  escalator
}

// Poke makes the scheduler look again now (after a timer was armed or
// moved).
func (s *Scheduler) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// Run fires due timers until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.After == nil {
		s.After = time.After
	}
	if s.poke == nil {
		s.poke = make(chan struct{}, 1)
	}
	for {
		n, err := s.Store.FireDue(s.Now())
		if err != nil {
			s.Log.Error("check-in timers", "err", err)
		}
		// Escalation steps, like timers, are not logged: the line's
		// stamp would date the alarm.
		e, nextStep, err := s.EscalateDue(s.Now())
		if err != nil {
			s.Log.Error("alarm escalation", "err", err)
		}
		n += e
		if n > 0 {
			// No log line: written now, it would date the defender's
			// last check-in to the second (journald stamps each line).
			// The alarm goes out through the outbox and the inbox.
			if s.Fired != nil {
				s.Fired()
			}
		}
		sleep := MaxSleep
		next, err := s.Store.NextDeadline()
		if err != nil {
			next = time.Time{}
		}
		if !nextStep.IsZero() && (next.IsZero() || nextStep.Before(next)) {
			next = nextStep
		}
		if !next.IsZero() {
			if d := next.Sub(s.Now()) + 10*time.Millisecond; d < sleep {
				sleep = max(d, 10*time.Millisecond)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.poke:
		case <-s.After(sleep):
		}
	}
}

// NewScheduler returns a scheduler over st; Poke works before Run.
func NewScheduler(st *store.Store, log *slog.Logger) *Scheduler {
	return &Scheduler{Store: st, Log: log, poke: make(chan struct{}, 1)}
}
