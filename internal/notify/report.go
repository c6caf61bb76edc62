package notify

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"difesa.org/difesa/internal/store"
)

// Report summarises the outbox, for `difesad outbox`.
type Report struct {
	Hubs []HubReport
}

// HubReport is one hub's part of the outbox.
type HubReport struct {
	Hub string
	// Events is how many events of the hub are in the outbox.
	Events   int
	Channels []ChannelReport
}

// ChannelReport counts one channel's deliveries of the events still in the
// outbox. Events leave the outbox once every channel of their hub has
// delivered them (or 72 hours after they were created, if one failed), so
// Delivered counts only those kept for another channel.
type ChannelReport struct {
	Channel string
	// Waiting events have no batch yet: their window has not ended.
	Waiting int
	// Pending events are in a batch that has not been delivered yet.
	Pending   int
	Delivered int
	Failed    int
	// Attempts is the most attempts any pending batch has had.
	Attempts int
	// LastError is the error of the most recent failed attempt.
	LastError string
}

// OutboxReport reads the outbox and counts, per hub and channel, what is
// waiting, pending, delivered and failed. hubs (may be nil) names the
// configured channels, so that those with nothing recorded yet show too.
func OutboxReport(s *store.Store, hubs map[string]Hub) (Report, error) {
	evs, err := s.Events()
	if err != nil {
		return Report{}, err
	}
	byHub := map[string]*HubReport{}
	channel := func(h *HubReport, name string) *ChannelReport {
		for i := range h.Channels {
			if h.Channels[i].Channel == name {
				return &h.Channels[i]
			}
		}
		h.Channels = append(h.Channels, ChannelReport{Channel: name})
		return &h.Channels[len(h.Channels)-1]
	}
	hub := func(id string) *HubReport {
		h := byHub[id]
		if h == nil {
			h = &HubReport{Hub: id}
			byHub[id] = h
			for _, c := range hubs[id].Channels {
				channel(h, c.Name)
			}
		}
		return h
	}
	for id := range hubs {
		hub(id)
	}
	for _, ev := range evs { // oldest first: the last error seen is the latest
		h := hub(ev.Hub)
		h.Events++
		for _, c := range hubs[ev.Hub].Channels {
			if ev.Deliveries[c.Name] == nil && c.wants(ev.Type) {
				channel(h, c.Name).Waiting++
			}
		}
		for name, d := range ev.Deliveries {
			c := channel(h, name)
			switch d.State {
			case store.DeliveryDelivered:
				c.Delivered++
			case store.DeliveryFailed:
				c.Failed++
			default:
				if d.Batch == "" {
					c.Waiting++
				} else {
					c.Pending++
					c.Attempts = max(c.Attempts, d.Attempts)
				}
			}
			if d.LastError != "" {
				c.LastError = d.LastError
			}
		}
	}
	var r Report
	for _, h := range byHub {
		slices.SortFunc(h.Channels, func(a, b ChannelReport) int { return strings.Compare(a.Channel, b.Channel) })
		r.Hubs = append(r.Hubs, *h)
	}
	slices.SortFunc(r.Hubs, func(a, b HubReport) int { return strings.Compare(a.Hub, b.Hub) })
	return r, nil
}

// WriteTo writes the report as a table, then the last errors.
func (r Report) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	tw := tabwriter.NewWriter(cw, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "HUB\tCHANNEL\tWAITING\tPENDING\tDELIVERED\tFAILED\tATTEMPTS")
	for _, h := range r.Hubs {
		if len(h.Channels) == 0 {
			fmt.Fprintf(tw, "%s\t(no channel)\t%d\t\t\t\t\n", h.Hub, h.Events)
		}
		for _, c := range h.Channels {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\n", h.Hub, c.Channel, c.Waiting, c.Pending, c.Delivered, c.Failed, c.Attempts)
		}
	}
	tw.Flush()
	for _, h := range r.Hubs {
		for _, c := range h.Channels {
			if c.LastError != "" {
				fmt.Fprintf(cw, "\n%s/%s: last error: %s\n", h.Hub, c.Channel, c.LastError)
			}
		}
	}
	return cw.n, cw.err
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
