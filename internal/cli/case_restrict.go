package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"filippo.io/age"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserestrict"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
)

// Restricted cases (docs/case-record.md, "Restricted cases"): "difesa
// case restrict ID LABEL..." and "difesa case unrestrict ID". The hub is
// told first, so that it refuses the case to the others at once; then
// every blob of the case (the submission, each message of its
// conversation, its case record) is encrypted again to the case's
// responders, or to the whole hub when the restriction is lifted. A stop
// half-way leaves some blobs encrypted as before, which the same command
// run again finishes: it looks only at what is not yet as it should be.

// restrictedHint tells an outsider what a refusal means.
const restrictedHint = "the case is restricted to other responders of the hub: ask one of them"

// runCaseRestrict runs "case restrict ID LABEL..." and "case unrestrict ID".
func runCaseRestrict(ctx context.Context, e *env, sub string, rf *responderFlags, pos []string) error {
	if len(pos) == 0 {
		return usageErrorf("case", "expected a submission id").hint("list the ids with \"difesa inbox\"")
	}
	id, labels := pos[0], pos[1:]
	if err := checkID("case", id); err != nil {
		return err
	}
	switch {
	case sub == "restrict" && len(labels) == 0:
		return usageErrorf("case", "case restrict expects the labels of the responders who may read the case, yours among them").hint(
			"for example: difesa case restrict -hub URL -i key.txt ID \"Responder 1\" \"Lawyer\"",
			"to lift a restriction: difesa case unrestrict -hub URL -i key.txt ID")
	case sub == "unrestrict" && len(labels) > 0:
		return usageErrorf("case", "case unrestrict expects only the case's id")
	}
	c, ids, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	v, err := verifyHub(ctx, e, c, rf.pin)
	if err != nil {
		return err
	}
	var keys []string
	if sub == "restrict" {
		if keys, err = keysOfLabels(v, ids, labels); err != nil {
			return err
		}
	}
	rs, err := caserestrict.Apply(ctx, c, id, keys)
	if errors.Is(err, client.ErrStaleVersion) {
		return errorWithHints(fmt.Sprintf("someone changed the restriction of %s meanwhile", id),
			"look at it again (difesa case show) and run the command again if it is still what you want")
	}
	if err != nil {
		return explainCaseError(err)
	}
	to, err := restrictionRecipients(v, rs)
	if err != nil {
		return err
	}
	moved, err := reencryptCase(ctx, e, c, ids, v, id, to)
	if err != nil {
		return withHints(err, "the hub already refuses the case as the restriction says; run the same command again to encrypt the rest")
	}
	if sub == "restrict" {
		e.printf("case %s is restricted to %s (%s encrypted again)", id, cleanList(labels), count(moved, "file", "files"))
	} else {
		e.printf("case %s is open to all the hub's responders again (%s encrypted again)", id, count(moved, "file", "files"))
	}
	return nil
}

// keysOfLabels returns the keys of the responders labelled labels in the
// verified manifest, sorted: each label once, each one the manifest has,
// the caller's own among them.
func keysOfLabels(v *client.Verified, ids []age.Identity, labels []string) ([]string, error) {
	byLabel := map[string]string{}
	var known []string
	for _, r := range v.Manifest.Recipients {
		if r.Label != "" {
			byLabel[r.Label] = r.Key
			known = append(known, r.Label)
		}
	}
	if len(labels) > wire.MaxRestrictionKeys {
		return nil, errorWithHints(fmt.Sprintf("%d labels: a case is restricted to at most %d responders", len(labels), wire.MaxRestrictionKeys))
	}
	var keys []string
	seen := map[string]bool{}
	for _, l := range labels {
		k, ok := byLabel[l]
		if !ok {
			return nil, errorWithHints(fmt.Sprintf("no responder of the hub is labelled %q", l), "the hub's responders are: "+cleanList(known))
		}
		if seen[l] {
			return nil, errorWithHints(fmt.Sprintf("%q is named twice", l), "name each responder once")
		}
		seen[l] = true
		keys = append(keys, k)
	}
	self := ""
	for _, id := range ids {
		if r, err := client.RecipientOf(id); err == nil && slices.Contains(keys, r) {
			self = r
		}
	}
	if self == "" {
		mine, _ := authorLabel(v, ids)
		return nil, errorWithHints("your own label is not in the list: you can restrict a case only to a group you are in",
			fmt.Sprintf("add your label (%s) to the list", clean(mine)))
	}
	slices.Sort(keys)
	return keys, nil
}

// restrictionRecipients is [caseedit.RestrictionRecipients].
func restrictionRecipients(v *client.Verified, rs *wire.Restriction) ([]age.Recipient, error) {
	return caseedit.RestrictionRecipients(v, rs)
}

// errNoMemberLeft: every responder of a restricted case left the hub's
// manifest; the case stays encrypted to their old keys.
var errNoMemberLeft = caseedit.ErrNoMemberLeft

// caseSealTo returns the recipients case id's record must be sealed to
// ([caseedit.SealTo]).
func caseSealTo(ctx context.Context, c *client.Client, v *client.Verified, id string) ([]age.Recipient, error) {
	to, err := caseedit.SealTo(ctx, c, v, id)
	if err != nil && !errors.Is(err, caseedit.ErrNoMemberLeft) {
		return nil, explainCaseError(err)
	}
	return to, err
}

// reencryptCase encrypts case id again to `to` ([caserestrict.Reencrypt]),
// a reply to its defender too, and returns how many blobs it wrote.
func reencryptCase(ctx context.Context, e *env, c *client.Client, ids []age.Identity, v *client.Verified, id string, to []age.Recipient) (int, error) {
	defenders := replyKeys{}
	moved, err := caserestrict.Reencrypt(ctx, c, ids, v, id, to, func(ctx context.Context, reply string) (age.Recipient, error) {
		return defenders.of(ctx, c, ids, reply)
	})
	return moved, cliDecryptError(err)
}

// resealCase is [caserestrict.Reseal] with the CLI's errors.
func resealCase(ctx context.Context, c *client.Client, ids []age.Identity, id string, to []age.Recipient, epoch uint64, always bool) (bool, error) {
	wrote, err := caserestrict.Reseal(ctx, c, ids, id, to, epoch, always)
	switch {
	case errors.Is(err, caseedit.ErrKeptChanging):
		return false, errorWithHints(fmt.Sprintf("the case record of %s kept changing while it was written %d times", id, maxCaseWrites), "try again in a moment")
	case err != nil && !errors.As(err, new(*caserestrict.DecryptError)):
		return false, explainCaseError(err)
	}
	return wrote, cliDecryptError(err)
}

// cliDecryptError turns the library's [caserestrict.DecryptError] into
// the CLI's, which rekey counts and skips.
func cliDecryptError(err error) error {
	if de, ok := err.(*caserestrict.DecryptError); ok {
		return &decryptError{id: de.ID, err: de.Err}
	}
	return err
}

// explainCaseError adds what to do to a refusal of a case.
func explainCaseError(err error) error {
	if client.IsRestricted(err) {
		return withHints(err, restrictedHint)
	}
	if errors.Is(err, &wire.Error{Code: wire.CodeBadRestriction}) {
		return withHints(err, "name responders by their labels in the hub's recipient list, yours among them")
	}
	return notFoundHint(err, noSubmissionHint)
}

// restrictedTo returns v, or, if case id is restricted, a copy of v
// whose recipients are the case's responders only: what a reply in it
// is encrypted to (besides the defender).
func restrictedTo(ctx context.Context, c *client.Client, v *client.Verified, id string) (*client.Verified, error) {
	to, err := caseSealTo(ctx, c, v, id)
	if err != nil {
		return nil, err
	}
	vv := *v
	vv.Recipients = to
	return &vv, nil
}

// printRestricted says how many cases of the hub are restricted to other
// responders, which the listing leaves out.
func printRestricted(ctx context.Context, e *env, c *client.Client) error {
	n, unreadable, err := c.RestrictedCount(ctx)
	if err != nil {
		return fmt.Errorf("counting restricted cases: %w", err)
	}
	if n > 0 {
		e.printf("%s, restricted to other responders of the hub, not shown", count(n, "restricted case", "restricted cases"))
	}
	if unreadable > 0 {
		e.printf("%s: no remaining member can read it (its responders all left the hub's recipient list)", count(unreadable, "restricted case", "restricted cases"))
	}
	return nil
}

// restrictionLine is what "case show" adds for a restricted case: the
// labels of its responders in the verified manifest, a line; "" for a
// case that is not restricted.
func restrictionLine(ctx context.Context, e *env, c *client.Client, pin, id string) (string, error) {
	rs, err := c.GetRestriction(ctx, id)
	if err != nil {
		return "", explainCaseError(fmt.Errorf("reading the restriction of %s: %w", id, err))
	}
	if len(rs.Keys) == 0 {
		return "", nil
	}
	v, err := verifyHub(ctx, e, c, pin)
	if err != nil {
		return "", err
	}
	var labels []string
	gone := 0
	for _, k := range rs.Keys {
		label := ""
		for _, r := range v.Manifest.Recipients {
			if r.Key == k {
				label = r.Label
				if label == "" {
					label = "an unlabelled key"
				}
			}
		}
		if label == "" {
			gone++
			continue
		}
		labels = append(labels, label)
	}
	slices.Sort(labels)
	line := "restricted: " + cleanList(labels)
	if gone > 0 {
		line += fmt.Sprintf(" (and %s no longer in the recipient list)", count(gone, "key", "keys"))
	}
	return line + "\n", nil
}
