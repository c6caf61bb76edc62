package cli

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
)

// strandedEpoch is an epoch whose stored submissions no key of the next
// manifest can decrypt: once the keys it removes are gone, so are they.
type strandedEpoch struct {
	epoch   uint64
	count   int
	readers []manifest.Recipient // the epoch's recipients, all removed
}

// removedKeys returns the recipients of the hub's current manifest that
// next leaves out, as the hub reports its current manifest.
func removedKeys(ctx context.Context, c *client.Client, next *manifest.Manifest) ([]manifest.Recipient, error) {
	s, err := c.Manifest(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the hub's current manifest: %w", err)
	}
	cur, err := manifest.Parse(s.Manifest)
	if err != nil {
		return nil, fmt.Errorf("reading the hub's current manifest: %w", err)
	}
	var out []manifest.Recipient
	for _, r := range cur.Recipients {
		if !next.Has(r.Key) {
			out = append(out, r)
		}
	}
	return out, nil
}

// strandedBy counts, with a logged-in client, the stored submissions that
// only keys outside next can read: those of every epoch none of whose
// recipients next keeps. The counts and old manifests are the hub's.
func strandedBy(ctx context.Context, c *client.Client, next *manifest.Manifest) ([]strandedEpoch, error) {
	counts, err := c.Epochs(ctx)
	if err != nil {
		return nil, fmt.Errorf("counting the stored submissions by epoch: %w", err)
	}
	var out []strandedEpoch
	for k, n := range counts.Submissions {
		ep, err := strconv.ParseUint(k, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("unexpected answer from the hub: epoch %q", clean(k))
		}
		if n <= 0 {
			continue
		}
		s, err := c.ManifestAt(ctx, ep)
		if err != nil {
			return nil, fmt.Errorf("reading the manifest of epoch %d: %w", ep, err)
		}
		m, err := manifest.Parse(s.Manifest)
		if err != nil {
			return nil, fmt.Errorf("reading the manifest of epoch %d: %w", ep, err)
		}
		if !slices.ContainsFunc(m.Recipients, func(r manifest.Recipient) bool { return next.Has(r.Key) }) {
			out = append(out, strandedEpoch{epoch: ep, count: n, readers: m.Recipients})
		}
	}
	slices.SortFunc(out, func(a, b strandedEpoch) int { return cmp.Compare(a.epoch, b.epoch) })
	return out, nil
}

// warnStranded prints what would be left readable only by removed keys,
// and returns how many submissions that is.
func warnStranded(e *env, stranded []strandedEpoch) int {
	total := 0
	for _, s := range stranded {
		total += s.count
		var who []string
		for _, r := range s.readers {
			who = append(who, fmt.Sprintf("%s %s", shortKey(r.Key), clean(r.Label)))
		}
		e.printf("warning: %d stored submissions of epoch %d are readable only by keys this manifest removes (%s)",
			s.count, s.epoch, strings.Join(who, ", "))
	}
	return total
}

// strandedHints say how to keep stored submissions readable through a
// change of keys (README, "Administrators: responders' keys").
func strandedHints(hubURL string) []string {
	return []string{
		"move them first: publish a manifest that adds the new keys and still lists the old ones, run \"difesa rekey -hub " + hubURL + " -i OLD-IDENTITY\" while the old key can still log in, then remove the old keys",
		"or publish with -force, keep the removed identities, and move the submissions with \"difesa rekey -hub " + hubURL + " -i NEW-IDENTITY -i OLD-IDENTITY\"; destroyed, the old identities take the submissions with them",
	}
}
