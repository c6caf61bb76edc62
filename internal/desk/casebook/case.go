package casebook

import (
	"fmt"
	"slices"

	"difesa.org/difesa/internal/wire"
)

// Case returns the case whose opening message is id on hub, with its
// whole conversation, or [ErrNotFound].
func (b *Book) Case(hub, id string) (*Case, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	k, m, err := b.caseLocked(hub, id)
	if err != nil {
		return nil, err
	}
	c := &Case{Item: k.item(m), CanReply: k.root.replyKey() != "", Err: k.root.err, Work: workOf(hub, id, m)}
	c.Due = dueOn(c.FollowUp, today(b.now()))
	c.Restriction = b.restrictionOfLocked(hub, k)
	o := k.root.opened
	c.Fields = fields(o)
	c.Narrative = narrative(o)
	if h, err := b.hubOf(hub); err == nil {
		c.Answers = answers(o, h.adminKey(), hub)
	}
	n := 0
	c.Attachments, n = attachments(k.root, n)
	c.Thread = []Message{}
	for _, e := range k.msgs[1:] {
		msg := Message{From: "defender", ID: e.sub.ID, Day: dayString(e.sub.Received), Text: narrative(e.opened)}
		if e.sub.Kind == wire.KindReply {
			msg.From = "hub"
		}
		if e.err != "" && msg.Text == "" {
			msg.Text = "[" + e.err + "]"
		}
		msg.Attachments, n = attachments(e, n)
		c.Thread = append(c.Thread, msg)
	}
	c.Alarms = []Alarm{}
	for _, a := range m.alarms {
		if k.has(a.Submission) {
			c.Alarms = append(c.Alarms, alarmOf(hub, a))
		}
	}
	slices.SortFunc(c.Alarms, alarmOrder)
	return c, nil
}

// caseLocked finds a case; the caller holds b.mu.
func (b *Book) caseLocked(hub, id string) (*kase, *hubModel, error) {
	if b.closed {
		return nil, nil, ErrClosed
	}
	m := b.models[hub]
	if m == nil {
		return nil, nil, fmt.Errorf("%w: no hub %q", ErrNotFound, hub)
	}
	k := m.caseOf(hub, id)
	if k == nil {
		return nil, nil, fmt.Errorf("%w: no case %q on hub %q", ErrNotFound, id, hub)
	}
	return k, m, nil
}

func (k *kase) has(id string) bool {
	for _, e := range k.msgs {
		if e.sub.ID == id {
			return true
		}
	}
	return false
}

// attachments lists e's files, numbered from n.
func attachments(e *entry, n int) ([]Attachment, int) {
	out := []Attachment{}
	for _, f := range e.files {
		out = append(out, Attachment{N: n, Name: f.name, Size: f.size, SHA256: f.sha, Image: f.image})
		n++
	}
	return out, n
}
