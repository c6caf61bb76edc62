package casebook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/sealed"
	"difesa.org/difesa/internal/vault"
	"difesa.org/difesa/internal/wire"
)

// MarkRead records that the case (every message of it) was opened.
func (b *Book) MarkRead(hub, id string) error {
	b.mu.Lock()
	k, m, err := b.caseLocked(hub, id)
	if err != nil {
		b.mu.Unlock()
		return err
	}
	changed := false
	for _, e := range k.msgs {
		if !m.read[e.sub.ID] {
			m.read[e.sub.ID] = true
			changed = true
		}
	}
	recs := stateRecords(hub, m, b.now())
	if changed {
		b.notifyLocked([]Change{{Hub: hub, ID: id, Kind: k.root.sub.Kind}})
		b.reorderLocked(hub, k)
	}
	b.mu.Unlock()
	if !changed {
		return nil
	}
	if err := b.v.PutAll(recs); err != nil {
		return fmt.Errorf("casebook: unable to keep what was read: %w", err)
	}
	return nil
}

// action finds the hub and the case of an action, refusing with
// [ErrReadOnly] when the hub is known to be unreachable.
func (b *Book) action(hub, id string) (*hubConn, *kase, error) {
	h, err := b.hubOf(hub)
	if err != nil {
		return nil, nil, err
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	k, _, err := b.caseLocked(hub, id)
	if err != nil {
		return nil, nil, err
	}
	if err := h.onlineErrLocked(); err != nil {
		return nil, nil, err
	}
	return h, k, nil
}

// hubErr records an action's failure to reach the hub, which makes the
// desk read-only for it, and wraps err with [ErrReadOnly] then.
func (b *Book) hubErr(h *hubConn, what string, err error) error {
	if err == nil {
		return nil
	}
	if unreachable(err) {
		b.contact(h, err)
		return fmt.Errorf("casebook: unable to %s: %w: %w", what, ErrReadOnly, err)
	}
	return fmt.Errorf("casebook: unable to %s: %w", what, err)
}

// verify checks the hub's signed recipient list as the CLI does, against
// the pin given or kept.
func (h *hubConn) verify(ctx context.Context, c *client.Client) (*client.Verified, error) {
	return c.VerifiedRecipients(ctx, client.Trust{Pins: h.pins, Fingerprint: h.pin})
}

func (b *Book) again(h *hubConn, c *client.Client) sealed.Again {
	return sealed.Again{
		Notice: func(n sealed.Notice) {
			b.logf("casebook: hub %s: sending again (%d, %s)", h.id, n.Kind, n.Code)
		},
		Verify: func(ctx context.Context) (*client.Verified, error) { return h.verify(ctx, c) },
	}
}

// Reply answers the defender of a case, end to end, as "difesa reply"
// does: encrypted here to the hub's verified recipients and to the
// defender's reply key, so that colleagues and the defender (with their
// codename) can read it and the server cannot.
func (b *Book) Reply(ctx context.Context, hub, id, text string, files []File) error {
	if strings.TrimSpace(text) == "" && len(files) == 0 {
		return errors.New("casebook: unable to reply: the reply is empty")
	}
	h, k, err := b.action(hub, id)
	if err != nil {
		return err
	}
	defender, err := sealed.ReplyRecipient(k.root.opened)
	if err != nil {
		return fmt.Errorf("casebook: unable to reply: %w: %w", ErrCannotReply, err)
	}
	atts := make([]bundle.Attachment, len(files))
	for i, f := range files {
		atts[i] = bundle.Attachment{Name: f.Name, Size: int64(len(f.Data)), Body: bytes.NewReader(f.Data)}
	}
	sb := sealed.Bundle{Env: bundle.NewEnvelope(bundle.KindReply, "", b.now()), Report: sealed.TextReport(text), Files: atts}
	if _, err := sb.Size(); err != nil {
		return fmt.Errorf("casebook: unable to reply: %w", err)
	}
	err = h.act.call(ctx, func(c *client.Client) error {
		th, err := c.ResponderThread(ctx, id)
		if err != nil {
			if errors.Is(err, &wire.Error{Code: wire.CodeNoThread}) {
				return fmt.Errorf("%w: %w", ErrCannotReply, err)
			}
			return err
		}
		v, err := h.verify(ctx, c)
		if err != nil {
			return err
		}
		if v, err = restrictedTo(ctx, c, v, th.ID); err != nil { // restrict.go: its members only
			return err
		}
		again := b.again(h, c)
		verify := again.Verify
		again.Verify = func(ctx context.Context) (*client.Verified, error) {
			v, err := verify(ctx)
			if err != nil {
				return nil, err
			}
			return restrictedTo(ctx, c, v, th.ID)
		}
		_, _, err = sealed.Send(ctx, again, v, []age.Recipient{defender}, sb,
			func(body io.Reader, epoch uint64) (*wire.SubmissionCreated, error) {
				return c.Reply(ctx, id, epoch, body)
			}, nil)
		return err
	})
	if rerr := b.refused(h, id, err); rerr != nil {
		return rerr
	}
	if err != nil {
		return b.hubErr(h, "reply", err)
	}
	h.kickSync()
	return nil
}

// SetStatus sets the triage status of a case at the hub, then locally.
func (b *Book) SetStatus(ctx context.Context, hub, id, status string) error {
	switch status {
	case wire.StatusNew, wire.StatusInProgress, wire.StatusClosed:
	default:
		return fmt.Errorf("casebook: unable to set the status: %q is not a status", status)
	}
	h, k, err := b.action(hub, id)
	if err != nil {
		return err
	}
	err = h.act.call(ctx, func(c *client.Client) error { return c.SetStatus(ctx, id, status) })
	if rerr := b.refused(h, id, err); rerr != nil {
		return rerr
	}
	if err != nil {
		return b.hubErr(h, "set the status", err)
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	b.mu.Lock()
	e := *k.root
	e.sub.Status = status
	b.mu.Unlock()
	meta, err := metaOf(e.sub, e.chunks, e.seq)
	if err != nil {
		return err
	}
	kept := dayOf(receivedTime(e.sub.Received))
	if kept.IsZero() {
		kept = dayOf(b.now())
	}
	if err := b.v.Put(bucketSub+hub, id, meta, kept); err != nil {
		return fmt.Errorf("casebook: unable to keep the status: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.models[hub]
	if _, ok := m.entries[id]; ok {
		m.entries[id] = &e
		b.notifyLocked([]Change{b.changeLocked(hub, m, &e)})
		b.reorderLocked(hub, m.caseOf(hub, id))
	}
	return nil
}

// Delete deletes every message of a case at the hub, for every responder
// and for good, then forgets the local copy. The sealed records' bytes
// stay in the vault file's free pages, still sealed, until the next purge
// rewrites it.
func (b *Book) Delete(ctx context.Context, hub, id string) error {
	h, k, err := b.action(hub, id)
	if err != nil {
		return err
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	for i := len(k.msgs) - 1; i >= 0; i-- {
		e := k.msgs[i]
		err := h.act.call(ctx, func(c *client.Client) error { return c.Delete(ctx, e.sub.ID) })
		if err != nil && !errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) {
			return b.hubErr(h, "delete", err)
		}
		if err := b.forget(h, e); err != nil {
			return err
		}
	}
	return nil
}

// Ack acknowledges an alarm, with an optional note for colleagues that
// is encrypted here to the hub's verified recipients, as "difesa ack"
// does.
func (b *Book) Ack(ctx context.Context, hub, alarmID, note string) error {
	if !submissionID.MatchString(alarmID) {
		return fmt.Errorf("%w: no alarm %q", ErrNotFound, alarmID)
	}
	if len(note) > sealed.MaxNoteText {
		return fmt.Errorf("casebook: unable to acknowledge: the note is %d bytes, more than %d", len(note), sealed.MaxNoteText)
	}
	h, err := b.hubOf(hub)
	if err != nil {
		return err
	}
	b.mu.RLock()
	err = h.onlineErrLocked()
	b.mu.RUnlock()
	if err != nil {
		return err
	}
	var a *wire.Alarm
	err = h.act.call(ctx, func(c *client.Client) error {
		var note0 []byte
		if note != "" {
			v, err := h.verify(ctx, c)
			if err != nil {
				return err
			}
			if note0, err = sealed.Note(note, v.Recipients); err != nil {
				return err
			}
		}
		var err error
		a, err = c.Ack(ctx, alarmID, note0)
		return err
	})
	if errors.Is(err, &wire.Error{Code: wire.CodeNoAlarm}) {
		return fmt.Errorf("%w: hub %q has no alarm %q", ErrNotFound, hub, alarmID)
	}
	if err != nil {
		return b.hubErr(h, "acknowledge", err)
	}
	if a.ID != alarmID {
		return fmt.Errorf("casebook: unable to acknowledge: the hub answered for another alarm")
	}
	b.takeAlarm(h, *a)
	return nil
}

// Usage says how much plaintext-derived data the desk holds (all of it
// sealed in the vault).
func (b *Book) Usage() (Usage, error) {
	u, err := b.v.Usage()
	if err != nil {
		return Usage{}, fmt.Errorf("casebook: unable to count: %w", err)
	}
	return Usage{Records: u.Records, Bytes: u.Bytes}, nil
}

// Purge forgets the local copy of the submissions that arrived more than
// olderThanDays days ago (by their UTC day) and returns how many. They are
// not downloaded again: they come back only if they change at the hub (a
// new status, a follow-up). The hub keeps them.
func (b *Book) Purge(olderThanDays int) (int, error) {
	if olderThanDays < 0 {
		return 0, fmt.Errorf("casebook: unable to purge: %d days", olderThanDays)
	}
	now := b.now()
	cut := dayOf(now).AddDate(0, 0, -olderThanDays)
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	before := b.count()
	// The cursors and alarms are kept today, so they outlive the purge.
	if err := b.keepState(now, false); err != nil {
		return 0, err
	}
	if _, err := b.v.Purge(cut); err != nil {
		return 0, fmt.Errorf("casebook: unable to purge: %w", err)
	}
	if err := b.reload(); err != nil {
		return 0, err
	}
	return before - b.count(), nil
}

// PurgeAll forgets the whole local copy and replaces the folder's data
// key. Only each hub's cursor is kept, so that the desk does not download
// again what it forgot.
func (b *Book) PurgeAll() error {
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if err := b.v.PurgeAll(); err != nil {
		return fmt.Errorf("casebook: unable to purge: %w", err)
	}
	b.mu.Lock()
	for id, m := range b.models {
		nm := newHubModel()
		nm.cursor = m.cursor
		b.models[id] = nm
	}
	b.idx = newIndex()
	b.notifyLocked([]Change{{Kind: "purge"}})
	b.mu.Unlock()
	return b.keepState(b.now(), true)
}

// keepState stores every hub's cursor and read set (and, unless
// cursorOnly, alarms and case settings) on now's day.
func (b *Book) keepState(now time.Time, cursorOnly bool) error {
	b.mu.RLock()
	var recs []vault.Record
	for id, m := range b.models {
		st := stateRecords(id, m, now)
		if cursorOnly {
			st = st[:1]
		}
		recs = append(recs, st...)
		if cursorOnly {
			continue
		}
		for _, a := range m.alarms {
			r, err := alarmRecord(id, a, now)
			if err != nil {
				b.mu.RUnlock()
				return err
			}
			recs = append(recs, r)
		}
		if m.work.settingsVersion > 0 || m.work.me != "" {
			r, err := settingsRecord(id, m.work, now)
			if err != nil {
				b.mu.RUnlock()
				return err
			}
			recs = append(recs, r)
		}
	}
	b.mu.RUnlock()
	return putBatched(b.v, recs)
}

// reload decrypts the vault into memory again.
func (b *Book) reload() error {
	b.mu.Lock()
	b.idx = newIndex()
	b.mu.Unlock()
	for _, h := range b.hubs {
		if err := b.load(h); err != nil {
			return err
		}
	}
	b.mu.Lock()
	b.notifyLocked([]Change{{Kind: "purge"}})
	b.mu.Unlock()
	return nil
}

// count is the number of submissions held.
func (b *Book) count() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	n := 0
	for _, m := range b.models {
		n += len(m.entries)
	}
	return n
}
