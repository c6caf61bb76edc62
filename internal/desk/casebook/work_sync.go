package casebook

import (
	"context"
	"errors"
	"sync"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/vault"
	"difesa.org/difesa/internal/wire"
)

// syncWork takes in the case work that changed at the hub: the case
// records whose version in the hub's listing is newer than the local
// copy's (the listing carries it; nothing else is fetched), and the hub
// record and who the responder is when they may have changed (at start,
// and on a case-settings.changed event).
func (b *Book) syncWork(ctx context.Context, h *hubConn, c *client.Client) error {
	b.mu.RLock()
	m := b.models[h.id]
	var want []wire.Submission
	for id, e := range m.entries {
		if e.sub.Case == 0 {
			continue
		}
		if have := m.work.records[id]; have != nil && have.version >= e.sub.Case {
			continue
		}
		want = append(want, e.sub)
	}
	stale := m.work.stale
	b.mu.RUnlock()
	var settings *hubWork
	if stale {
		var err error
		if settings, err = b.fetchSettings(ctx, h, c); err != nil {
			return err
		}
	}
	if len(want) == 0 && settings == nil {
		return nil
	}
	now := b.now()
	got := make([]*caseWork, len(want))
	var mu sync.Mutex
	var firstErr error
	var refused []string
	parallel(len(want), func(i int) {
		if ctx.Err() != nil {
			return
		}
		ct, version, err := c.GetCase(ctx, want[i].ID)
		switch {
		case err != nil && unreachable(err):
			mu.Lock()
			firstErr = cmpErr(firstErr, err)
			mu.Unlock()
			return
		case client.IsRestricted(err):
			mu.Lock()
			refused = append(refused, want[i].ID)
			mu.Unlock()
			return
		case err != nil:
			// Refused (deleted meanwhile, or not for this responder):
			// tried again when it changes.
			b.logf("casebook: hub %s: a case record could not be fetched (%s)", h.id, errorCode(err))
			return
		case ct == nil:
			return
		}
		cw := &caseWork{version: version}
		if cw.rec, err = caserecord.Open(ct, h.ids...); err != nil {
			cw.rec, cw.err = nil, "casebook: the case record cannot be read: "+errorKind(err)
		}
		got[i] = cw
	})
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, id := range refused {
		if err := b.dropCase(h, id); err != nil { // restrict.go
			return err
		}
	}
	var recs []vault.Record
	for i, cw := range got {
		if cw == nil {
			continue
		}
		kept := dayOf(receivedTime(want[i].Received))
		if kept.IsZero() {
			kept = dayOf(now)
		}
		r, err := caseRecord(h.id, want[i].ID, cw, kept)
		if err != nil {
			return err
		}
		recs = append(recs, r)
	}
	if settings != nil {
		r, err := settingsRecord(h.id, settings, now)
		if err != nil {
			return err
		}
		recs = append(recs, r)
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if err := putBatched(b.v, recs); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m = b.models[h.id] // a purge may have replaced it
	var changes []Change
	for i, cw := range got {
		if cw == nil {
			continue
		}
		if have := m.work.records[want[i].ID]; have != nil && have.version > cw.version {
			continue // written here meanwhile
		}
		m.work.records[want[i].ID] = cw
		if e := m.entries[want[i].ID]; e != nil {
			changes = append(changes, b.changeLocked(h.id, m, e))
		}
	}
	if settings != nil {
		m.work.settings, m.work.settingsVersion = settings.settings, settings.settingsVersion
		m.work.me, m.work.team, m.work.stale = settings.me, settings.team, false
		changes = append(changes, Change{Hub: h.id, Kind: "settings"})
	}
	b.notifyLocked(changes)
	return nil
}

// fetchSettings reads the hub record and who the responder is in the
// hub's verified manifest. A manifest that does not verify leaves the
// responder unnamed (the desk cannot write case records then) without
// failing the sync.
func (b *Book) fetchSettings(ctx context.Context, h *hubConn, c *client.Client) (*hubWork, error) {
	hr, version, err := caseedit.FetchHub(ctx, c, h.ids)
	if err != nil {
		if unreachable(err) {
			return nil, err
		}
		b.logf("casebook: hub %s: the case settings could not be read (%s)", h.id, errorCode(err))
		hr, version = caserecord.NewHub(), 0
	}
	w := &hubWork{settings: hr, settingsVersion: version}
	v, err := h.verifyForRead(ctx, c)
	if err != nil {
		if unreachable(err) {
			return nil, err
		}
		b.logf("casebook: hub %s: the recipient list does not verify; case work is read-only", h.id)
		return w, nil
	}
	w.team = caseedit.Responders(v)
	w.me, _ = caseedit.Author(v, h.ids)
	return w, nil
}

// verifyForRead checks the hub's signed recipient list to learn who is
// who on the hub. It does not pin the admin key on first use: a sync
// must not decide what the first reply or "difesa inbox" would (the
// pin is taken then, as the CLI does); an existing pin is checked.
func (h *hubConn) verifyForRead(ctx context.Context, c *client.Client) (*client.Verified, error) {
	if h.pins != nil {
		if _, ok, err := h.pins.Get(h.url); err == nil && ok {
			return h.verify(ctx, c)
		}
	}
	return c.VerifiedRecipients(ctx, client.Trust{Fingerprint: h.pin})
}

// settingsChanged asks the next sync of h to fetch the hub record again.
func (b *Book) settingsChanged(h *hubConn) {
	b.mu.Lock()
	b.models[h.id].work.stale = true
	b.mu.Unlock()
}

// errorCode is the API error code of err, for a log line, or "error".
func errorCode(err error) string {
	var we *wire.Error
	if errors.As(err, &we) && we.Code != "" {
		return we.Code
	}
	return "error"
}

// errorKind names, without any content, why a record did not open.
func errorKind(err error) string {
	switch {
	case errors.Is(err, caserecord.ErrTooLarge):
		return "too large"
	case errors.Is(err, caserecord.ErrMalformed):
		return "malformed"
	}
	return "not encrypted to your keys"
}
