package casebook

import (
	"context"
	"fmt"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/vault"
	"difesa.org/difesa/internal/wire"
)

// syncAlarms replaces the local copy of h's alarms with the hub's.
func (b *Book) syncAlarms(ctx context.Context, h *hubConn, c *client.Client) error {
	list, err := c.Alarms(ctx)
	if err != nil {
		return err
	}
	now := b.now()
	var recs []vault.Record
	fresh := map[string]wire.Alarm{}
	for _, a := range list {
		if !submissionID.MatchString(a.ID) {
			continue
		}
		r, err := alarmRecord(h.id, a, now)
		if err != nil {
			return err
		}
		recs = append(recs, r)
		fresh[a.ID] = a
	}
	if err := putBatched(b.v, recs); err != nil {
		return err
	}
	b.mu.Lock()
	m := b.models[h.id]
	var gone []string
	var changes []Change
	for id := range m.alarms {
		if _, ok := fresh[id]; !ok {
			gone = append(gone, id)
		}
	}
	for id, a := range fresh {
		if o, ok := m.alarms[id]; !ok || o.State != a.State || o.Escalated != a.Escalated {
			changes = append(changes, Change{Hub: h.id, ID: a.ID, Urgent: a.State == wire.AlarmOpen, Kind: "alarm"})
		}
	}
	m.alarms = fresh
	b.notifyLocked(changes)
	b.mu.Unlock()
	for _, id := range gone {
		if err := b.v.Delete(bucketAlarms+h.id, id); err != nil {
			return fmt.Errorf("casebook: unable to forget an alarm: %w", err)
		}
	}
	return nil
}

// takeAlarm keeps an alarm the event stream replayed.
func (b *Book) takeAlarm(h *hubConn, a wire.Alarm) {
	r, err := alarmRecord(h.id, a, b.now())
	if err == nil {
		err = b.v.Put(r.Bucket, r.Key, r.Value, r.Kept)
	}
	if err != nil {
		b.logf("casebook: hub %s: unable to keep an alarm", h.id)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.models[h.id].alarms[a.ID] = a
	b.notifyLocked([]Change{{Hub: h.id, ID: a.ID, Urgent: a.State == wire.AlarmOpen, Kind: "alarm"}})
}
