package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"difesa.org/difesa/internal/caserestrict"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

const rekeyUsage = `Usage:
    difesa rekey -hub URL -i IDENTITY [-i IDENTITY]... [-pin FINGERPRINT]

Re-encrypts the hub's stored submissions that are still encrypted to an
older list of responders, so that they are encrypted to the current list
only: responders who were removed can no longer read them, and those who
were added can.

Each submission is downloaded, decrypted on this computer with the given
identities, encrypted again to the hub's current, signed list of
recipients, and sent back; the hub swaps the new file in for the old one.
The decrypted report only ever passes through memory, never the disk.

Give with -i every identity needed: one that the current list holds (to
log in), and old ones that the older submissions are encrypted to. Keep
the old identities until "difesa admin status" shows no submission left at
older epochs.

It is safe to stop and run again: only what is still old is looked at. A
submission that none of the identities can decrypt is reported and skipped.

Case records and the hub's case settings are sealed again too. A
restricted case goes to those of its responders who are still in the
list, and only they can rekey it: for the others, rekey says how many
such cases it left. A restricted case none of whose responders is in the
list any more stays readable only with their old keys: rekey says so.

Options:
    -hub URL           The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY        A responder key file; repeat for several.
    -pin FINGERPRINT   The fingerprint of the hub's admin key, if difesa has
                       not pinned it yet.
    -proxy URL         Connect through a proxy, like socks5h://127.0.0.1:9050
                       for Tor (the default is $ALL_PROXY, if set).`

func runRekey(ctx context.Context, e *env, args []string) error {
	s, err := startVerified(ctx, e, "rekey", args)
	if err != nil {
		return err
	}
	defer s.logout()
	c, ids, v, rf := s.client, s.ids, s.hub, s.flags
	subs, err := c.List(ctx)
	if err != nil {
		return fmt.Errorf("listing submissions: %w", err)
	}
	var todo []wire.Submission
	for _, s := range subs {
		if s.Epoch < v.Epoch {
			todo = append(todo, s)
		}
	}
	targets := newCaseTargets(c, v, ids)
	if len(todo) == 0 {
		e.printf("every submission on hub %q is encrypted to the current recipients (epoch %d)", clean(c.HubID()), v.Epoch)
	} else {
		e.printf("%s to move to epoch %d", count(len(todo), "submission", "submissions"), v.Epoch)
	}
	done, failed, unreadable := 0, 0, 0
	defenders := replyKeys{}
	for i, s := range todo {
		to, err := targets.of(ctx, s) // a restricted case's responders, or everyone
		if errors.Is(err, errNoMemberLeft) {
			unreadable++
			e.printf("skipped %d/%d: %s: %s", i+1, len(todo), clean(s.ID), err)
			continue
		}
		if err != nil {
			return fmt.Errorf("rekeying %s: %w", clean(s.ID), err)
		}
		to = slices.Clone(to)
		if s.Kind == wire.KindReply {
			// A reply stays readable by the defender it answers.
			r, err := defenders.of(ctx, c, ids, s.ID)
			if err != nil {
				failed++
				e.printf("skipped %d/%d: reply %s: %s", i+1, len(todo), clean(s.ID), clean(err.Error()))
				continue
			}
			to = append(to, r)
		}
		err = rekeyOne(ctx, c, s.ID, ids, v.Epoch, to)
		switch {
		case err == nil:
			done++
			e.printf("rekeyed %d/%d", i+1, len(todo))
		case errors.Is(err, &wire.Error{Code: wire.CodeAlreadyCurrent}):
			done++
			e.printf("rekeyed %d/%d (%s was already moved)", i+1, len(todo), clean(s.ID))
		case errors.Is(err, &wire.Error{Code: wire.CodeNotFound}):
			done++
			e.printf("skipped %d/%d: %s was deleted meanwhile", i+1, len(todo), clean(s.ID))
		case client.IsRestricted(err):
			e.printf("skipped %d/%d: %s was restricted to other responders meanwhile: one of them rekeys it", i+1, len(todo), clean(s.ID))
		case errors.Is(err, errCannotDecrypt):
			failed++
			e.printf("skipped %d/%d: %s", i+1, len(todo), clean(err.Error()))
		case epochChange(err) != "":
			return withHints(fmt.Errorf("rekeying %s: %w", clean(s.ID), err),
				"the hub's recipients changed during the rekey; run the same command again")
		default:
			return withHints(fmt.Errorf("rekeying %s: %w", clean(s.ID), err),
				fmt.Sprintf("%d of %d moved; run the same command again to go on where it stopped", done, len(todo)))
		}
	}
	records, recordsFailed, err := rekeyCaseRecords(ctx, e, targets, subs)
	if err != nil {
		return withHints(fmt.Errorf("rekeying case records: %w", err), "run the same command again to go on where it stopped")
	}
	failed += recordsFailed
	if records > 0 {
		e.printf("sealed %s again to epoch %d", count(records, "case record", "case records"), v.Epoch)
	}
	others, lost, err := c.RestrictedCount(ctx)
	if err != nil {
		return fmt.Errorf("counting restricted cases: %w", err)
	}
	if others > 0 {
		e.printf("%s restricted to other responders left as they are: one of their responders rekeys them with \"difesa rekey\"", count(others, "case", "cases"))
	}
	if lost+unreadable > 0 {
		e.printf("%s: no remaining member can read it; it stays readable only with its responders' old keys", count(lost+unreadable, "restricted case", "restricted cases"))
	}
	if len(todo) == 0 {
		return nil
	}
	e.printf("moved %d of %s to epoch %d", done, count(len(todo), "submission", "submissions"), v.Epoch)
	if failed > 0 {
		return errorWithHints(fmt.Sprintf("%s could not be decrypted with %s", count(failed, "submission", "submissions"), rf.files()),
			"give with more -i the identities of the recipients they were sent to, then run the same command again",
			"until they are moved, keep those identities: the submissions are readable only with them")
	}
	return nil
}

// errCannotDecrypt marks a submission that the identities cannot decrypt,
// or whose ciphertext is damaged: it is skipped, not fatal.
var errCannotDecrypt = errors.New("cannot decrypt")

type decryptError struct {
	id  string
	err error
}

func (d *decryptError) Error() string {
	return fmt.Sprintf("submission %s: %s", clean(d.id), clean(d.err.Error()))
}

func (d *decryptError) Unwrap() []error { return []error{errCannotDecrypt, d.err} }

// replyKeys caches, per conversation, the defender's reply recipient from
// the conversation's opening report.
type replyKeys map[string]*age.HybridRecipient

// of returns the reply recipient of the defender of the conversation that
// reply id belongs to.
func (k replyKeys) of(ctx context.Context, c *client.Client, ids []age.Identity, id string) (*age.HybridRecipient, error) {
	th, err := c.ResponderThread(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("finding its conversation: %w", err)
	}
	if r, ok := k[th.ID]; ok {
		return r, nil
	}
	r, err := replyRecipientOf(ctx, c, ids, th.ID)
	if err != nil {
		return nil, err
	}
	k[th.ID] = r
	return r, nil
}

// rekeyOne encrypts one submission again to `to` at epoch
// ([caserestrict.Replace]: the plaintext never touches the disk).
func rekeyOne(ctx context.Context, c *client.Client, id string, ids []age.Identity, epoch uint64, to []age.Recipient) error {
	return cliDecryptError(caserestrict.Replace(ctx, c, id, ids, epoch, to))
}
