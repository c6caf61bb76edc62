package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"filippo.io/age"

	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
)

// What rekey does for case work (docs/case-record.md, "Rekey"): the
// blobs of a restricted case go to its responders still in the new
// manifest only, and case records and the hub record written to older
// epochs are sealed again.

// caseTargets finds, and caches by case, the recipients each case's
// blobs go to at v's epoch.
type caseTargets struct {
	c   *client.Client
	v   *client.Verified
	ids []age.Identity
	to  map[string][]age.Recipient
}

func newCaseTargets(c *client.Client, v *client.Verified, ids []age.Identity) *caseTargets {
	return &caseTargets{c: c, v: v, ids: ids, to: map[string][]age.Recipient{}}
}

// of returns the recipients of the case of s: the whole manifest's, or,
// for a restricted case, its responders who are still in the manifest.
// The restriction itself is first narrowed to them (the hub is told
// before anything is encrypted again), so that a responder who left does
// not get the case back by coming back.
func (t *caseTargets) of(ctx context.Context, s wire.Submission) ([]age.Recipient, error) {
	root := s.ID
	if s.Thread != "" {
		root = s.Thread
	}
	if to, ok := t.to[root]; ok {
		return to, nil
	}
	to := t.v.Recipients
	if s.Restricted {
		rs, err := t.c.GetRestriction(ctx, root)
		if err != nil {
			return nil, explainCaseError(fmt.Errorf("reading the restriction of %s: %w", root, err))
		}
		if rs, err = t.narrow(ctx, root, rs); err != nil {
			return nil, err
		}
		if to, err = restrictionRecipients(t.v, rs); err != nil {
			return nil, err
		}
	}
	t.to[root] = to
	return to, nil
}

// narrow drops from case root's restriction the keys that are not in the
// manifest any more.
func (t *caseTargets) narrow(ctx context.Context, root string, rs *wire.Restriction) (*wire.Restriction, error) {
	var keep []string
	for _, r := range t.v.Manifest.Recipients {
		if slices.Contains(rs.Keys, r.Key) {
			keep = append(keep, r.Key)
		}
	}
	slices.Sort(keep)
	if len(keep) == len(rs.Keys) || len(keep) == 0 {
		return rs, nil
	}
	nrs, err := t.c.Restrict(ctx, root, keep, rs.Version)
	if err != nil {
		return nil, explainCaseError(fmt.Errorf("narrowing the restriction of %s to the new recipient list: %w", root, err))
	}
	return nrs, nil
}

// rekeyCaseRecords seals again the case records of subs written to an
// older epoch than v's, then the hub record. It returns how many it
// wrote and how many it could not decrypt.
func rekeyCaseRecords(ctx context.Context, e *env, t *caseTargets, subs []wire.Submission) (done, failed int, err error) {
	for _, s := range subs {
		if s.Case == 0 || s.CaseEpoch >= t.v.Epoch {
			continue
		}
		to, err := t.of(ctx, s)
		if errors.Is(err, errNoMemberLeft) {
			continue
		}
		if err != nil {
			return done, failed, err
		}
		wrote, err := resealCase(ctx, t.c, t.ids, s.ID, to, t.v.Epoch, false)
		switch {
		case errors.Is(err, errCannotDecrypt):
			failed++
			e.printf("skipped the case record of %s: %s", clean(s.ID), clean(err.Error()))
		case client.IsRestricted(err), errors.Is(err, &wire.Error{Code: wire.CodeNotFound}):
			// restricted or deleted meanwhile
		case err != nil:
			return done, failed, err
		case wrote:
			done++
		}
	}
	wrote, err := rekeyHubRecord(ctx, t)
	if errors.Is(err, errCannotDecrypt) {
		failed++
		e.printf("skipped the hub's case settings: %s", clean(err.Error()))
		err = nil
	}
	if wrote {
		done++
	}
	return done, failed, err
}

// rekeyHubRecord seals the hub record again to v's recipients if it was
// written to an older epoch.
func rekeyHubRecord(ctx context.Context, t *caseTargets) (bool, error) {
	for range maxCaseWrites {
		f, err := t.c.GetHubRecordFile(ctx)
		if err != nil {
			return false, fmt.Errorf("reading the hub's case settings: %w", err)
		}
		if f.Ciphertext == nil || f.Epoch >= t.v.Epoch {
			return false, nil
		}
		h, err := caserecord.OpenHub(f.Ciphertext, t.ids...)
		if err != nil {
			return false, &decryptError{id: "case settings", err: err}
		}
		ct, err := caserecord.SealHub(h, t.v.Recipients)
		if err != nil {
			return false, fmt.Errorf("encrypting the hub's case settings: %w", err)
		}
		_, err = t.c.PutHubRecord(ctx, ct, f.Version)
		if errors.Is(err, client.ErrStaleVersion) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("writing the hub's case settings: %w", err)
		}
		return true, nil
	}
	return false, errorWithHints("the hub's case settings kept changing while they were written", "try again in a moment")
}
