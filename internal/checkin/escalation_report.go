package checkin

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"difesa.org/difesa/internal/store"
)

// HubEscalations is what `difesad outbox` shows of one hub's escalations:
// counts and steps, never when an alarm opened or a step fires.
type HubEscalations struct {
	Hub string
	// Pending is how many open alarms have steps left; Done how many
	// reached the cap and wait for an acknowledgement only.
	Pending, Done int
	// NextStep is the lowest next step of the pending ones (1 is the
	// first escalation), Steps the hub's cap, Interval how long the next
	// step waits after the one before.
	NextStep, Steps int
	Interval        string
}

// PendingEscalations counts the open alarms of every hub by escalation
// state, with the hubs' policies (hubs not listed: the defaults).
func PendingEscalations(st *store.Store, policies map[string]Escalation) ([]HubEscalations, error) {
	open, err := st.OpenAlarms()
	if err != nil {
		return nil, err
	}
	s := &Scheduler{Escalation: policies}
	by := map[string]*HubEscalations{}
	for _, a := range open {
		pol := s.policy(a.Hub)
		h := by[a.Hub]
		if h == nil {
			h = &HubEscalations{Hub: a.Hub, Steps: pol.Steps}
			by[a.Hub] = h
		}
		if a.Escalated >= pol.Steps {
			h.Done++
			continue
		}
		h.Pending++
		if h.NextStep == 0 || a.Escalated+1 < h.NextStep {
			h.NextStep = a.Escalated + 1
			h.Interval = pol.Interval(h.NextStep).String()
		}
	}
	out := make([]HubEscalations, 0, len(by))
	for _, h := range by {
		out = append(out, *h)
	}
	slices.SortFunc(out, func(a, b HubEscalations) int { return cmp.Compare(a.Hub, b.Hub) })
	return out, nil
}

// WriteEscalations writes the counts as a table, or a line saying there
// are none.
func WriteEscalations(w io.Writer, list []HubEscalations) error {
	if len(list) == 0 {
		_, err := fmt.Fprintln(w, "no open alarms: no escalation pending")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HUB\tESCALATING\tNEXT STEP\tWAITS\tAT CAP")
	for _, h := range list {
		next, waits := "-", "-"
		if h.Pending > 0 {
			next, waits = fmt.Sprintf("%d of %d", h.NextStep, h.Steps), h.Interval
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\n", h.Hub, h.Pending, next, waits, h.Done)
	}
	return tw.Flush()
}
