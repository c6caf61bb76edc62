package casebook

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/vault"
)

// Errors of case work.
var (
	// ErrBadEdit means the change is not one the case record or the
	// hub's settings allow (a label outside the hub's set, a limit).
	ErrBadEdit = errors.New("casebook: the case record does not allow this change")

	// ErrNoLabel means the responder's key has no label in the hub's
	// verified recipient list: a change could not say who made it.
	ErrNoLabel = errors.New("casebook: your key has no label in the hub's recipient list")
)

// CaseEdit changes a case record: settings are the hub's (read from the
// hub just before), author the responder's label, hour the current hour.
type CaseEdit func(r *caserecord.Record, settings *caserecord.Hub, author, hour string) error

// EditCase changes the case record of a case at the hub, through the
// edit loop the CLI uses (internal/caseedit): encrypted here to the hub's
// verified recipients, written with the version read, and, when a
// colleague wrote first, merged with theirs and written again. It
// returns the number of writes (more than 1: a colleague's change was
// merged in).
func (b *Book) EditCase(ctx context.Context, hub, id string, edit CaseEdit) (int, error) {
	h, _, err := b.action(hub, id)
	if err != nil {
		return 0, err
	}
	var res caseedit.Result
	err = h.act.call(ctx, func(c *client.Client) error {
		v, author, err := b.author(ctx, h, c)
		if err != nil {
			return err
		}
		settings, _, err := caseedit.FetchHub(ctx, c, h.ids)
		if err != nil {
			return err
		}
		hour := caserecord.Hour(b.now())
		team := caseedit.Responders(v)
		if v, err = restrictedTo(ctx, c, v, id); err != nil { // restrict.go: its members only
			return err
		}
		res, err = caseedit.Write(ctx, c, id, h.ids, v.Recipients, func(r *caserecord.Record) error {
			was := r.Assignee
			if err := edit(r, settings, author, hour); err != nil {
				return err
			}
			if r.Assignee != was && r.Assignee != "" && !slices.Contains(team, r.Assignee) {
				return fmt.Errorf("%w: no responder of the hub is labelled so", caserecord.ErrMalformed)
			}
			return r.CheckHub(settings)
		})
		return err
	})
	if rerr := b.refused(h, id, err); rerr != nil {
		return 0, rerr
	}
	if err != nil {
		return 0, b.workErr(h, "change the case", err)
	}
	return res.Writes, b.keepWork(h, id, &caseWork{version: res.Version, rec: res.Record})
}

// EditSettings changes the hub's label set and sub-statuses at the hub;
// a colleague's change meanwhile is kept (edit is applied to theirs).
func (b *Book) EditSettings(ctx context.Context, hub string, edit func(*caserecord.Hub) error) error {
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
	var w *hubWork
	err = h.act.call(ctx, func(c *client.Client) error {
		v, author, err := b.author(ctx, h, c)
		if err != nil {
			return err
		}
		hr, version, _, err := caseedit.WriteHub(ctx, c, h.ids, v.Recipients, edit)
		if err != nil {
			return err
		}
		w = &hubWork{settings: hr, settingsVersion: version, me: author, team: caseedit.Responders(v)}
		return nil
	})
	if err != nil {
		return b.workErr(h, "change the case settings", err)
	}
	rec, err := settingsRecord(hub, w, b.now())
	if err != nil {
		return err
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if err := b.v.PutAll([]vault.Record{rec}); err != nil {
		return fmt.Errorf("casebook: unable to keep the case settings: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.models[hub]
	m.work.settings, m.work.settingsVersion, m.work.me, m.work.team = w.settings, w.settingsVersion, w.me, w.team
	b.notifyLocked([]Change{{Hub: hub, Kind: "settings"}})
	return nil
}

// author verifies the hub's recipient list and names the responder in it.
func (b *Book) author(ctx context.Context, h *hubConn, c *client.Client) (*client.Verified, string, error) {
	v, err := h.verify(ctx, c)
	if err != nil {
		return nil, "", err
	}
	author, err := caseedit.Author(v, h.ids)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNoLabel, err)
	}
	return v, author, nil
}

// workErr classifies the failure of a case-work action.
func (b *Book) workErr(h *hubConn, what string, err error) error {
	switch {
	case errors.Is(err, ErrNoLabel):
		return err
	case errors.Is(err, caserecord.ErrMalformed), errors.Is(err, caserecord.ErrNotInHub), errors.Is(err, caserecord.ErrTooLarge):
		return fmt.Errorf("%w: %w", ErrBadEdit, err)
	}
	return b.hubErr(h, what, err)
}

// keepWork keeps a case record just written, in the vault and in memory.
func (b *Book) keepWork(h *hubConn, id string, cw *caseWork) error {
	b.mu.RLock()
	e := b.models[h.id].entries[id]
	b.mu.RUnlock()
	kept := dayOf(b.now())
	if e != nil {
		if d := dayOf(receivedTime(e.sub.Received)); !d.IsZero() {
			kept = d
		}
	}
	rec, err := caseRecord(h.id, id, cw, kept)
	if err != nil {
		return err
	}
	b.writeMu.Lock()
	defer b.writeMu.Unlock()
	if err := b.v.PutAll([]vault.Record{rec}); err != nil {
		return fmt.Errorf("casebook: unable to keep the case record: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.models[h.id]
	if have := m.work.records[id]; have != nil && have.version > cw.version {
		return nil // a sync took a newer one meanwhile
	}
	m.work.records[id] = cw
	if e := m.entries[id]; e != nil {
		b.notifyLocked([]Change{b.changeLocked(h.id, m, e)})
		b.reorderLocked(h.id, m.caseOf(h.id, id))
	}
	return nil
}
