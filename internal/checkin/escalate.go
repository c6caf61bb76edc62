package checkin

import (
	"fmt"
	"time"

	"difesa.org/difesa/internal/store"
)

// Escalation defaults and limits (a hub's escalate_after and
// escalate_steps).
const (
	DefaultEscalateAfter = 10 * time.Minute
	MinEscalateAfter     = time.Minute
	MaxEscalateAfter     = 24 * time.Hour
	DefaultEscalateSteps = 5
	MaxEscalateSteps     = 10
)

// Escalation is how a hub's unacknowledged alarms are notified again:
// After the alarm opened, then at twice the previous interval (10m, 20m,
// 40m …), at most Steps times.
type Escalation struct {
	After time.Duration
	Steps int
}

// withDefaults fills unset fields.
func (e Escalation) withDefaults() Escalation {
	if e.After == 0 {
		e.After = DefaultEscalateAfter
	}
	if e.Steps == 0 {
		e.Steps = DefaultEscalateSteps
	}
	return e
}

// Validate checks the limits; zero fields mean the defaults.
func (e Escalation) Validate() error {
	if e.After != 0 && (e.After < MinEscalateAfter || e.After > MaxEscalateAfter) {
		return fmt.Errorf("escalate_after: %v is not between %v and %v", e.After, MinEscalateAfter, MaxEscalateAfter)
	}
	if e.Steps < 0 || e.Steps > MaxEscalateSteps {
		return fmt.Errorf("escalate_steps: %d is not between 1 and %d", e.Steps, MaxEscalateSteps)
	}
	return nil
}

// Interval returns how long after step-1 (0: the alarm opening) step
// fires: After, doubled at each step.
func (e Escalation) Interval(step int) time.Duration {
	e = e.withDefaults()
	return e.After << (step - 1)
}

// escalator fires escalation steps. When each alarm's next step is due is
// held in memory only, counted from when this process saw the alarm at
// its current step (opening or the last step; after a restart, the
// start-up): a restart delays the next step by at most one interval and
// never repeats one (the step is in the store).
type escalator struct {
	seen map[store.ID]seenAt
}

type seenAt struct {
	at   time.Time
	step int
}

// EscalateDue makes one pass (Run calls it): it fires the escalation
// steps due at now and returns how many fired and when the next is due
// (zero: none).
func (s *Scheduler) EscalateDue(now time.Time) (int, time.Time, error) {
	if s.esc.seen == nil {
		s.esc.seen = map[store.ID]seenAt{}
	}
	open, err := s.Store.OpenAlarms()
	if err != nil {
		return 0, time.Time{}, err
	}
	fired := 0
	var next time.Time
	live := make(map[store.ID]bool, len(open))
	for _, a := range open {
		live[a.ID] = true
		pol := s.policy(a.Hub)
		if a.Escalated >= pol.Steps {
			continue
		}
		seen, ok := s.esc.seen[a.ID]
		if !ok || seen.step != a.Escalated {
			seen = seenAt{at: now, step: a.Escalated}
			s.esc.seen[a.ID] = seen
		}
		due := seen.at.Add(pol.Interval(a.Escalated + 1))
		if now.Before(due) {
			if next.IsZero() || due.Before(next) {
				next = due
			}
			continue
		}
		ok, err := s.Store.Escalate(a.Hub, a.ID, a.Escalated+1)
		if err != nil {
			return fired, next, err
		}
		if !ok {
			continue
		}
		fired++
		s.esc.seen[a.ID] = seenAt{at: now, step: a.Escalated + 1}
		if a.Escalated+1 < pol.Steps {
			if due := now.Add(pol.Interval(a.Escalated + 2)); next.IsZero() || due.Before(next) {
				next = due
			}
		}
	}
	for id := range s.esc.seen {
		if !live[id] {
			delete(s.esc.seen, id)
		}
	}
	return fired, next, nil
}

func (s *Scheduler) policy(hub string) Escalation {
	if p, ok := s.Escalation[hub]; ok {
		return p.withDefaults()
	}
	return Escalation{}.withDefaults()
}
