package cli

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// checkedBulletin is a bulletin whose document is signed by the hub's admin
// key, passes cap.Check, and is the one the hub's list says it is.
type checkedBulletin struct {
	seq   uint64
	doc   []byte
	alert *cap.Alert
}

// bulletinProblem is a listed bulletin that failed its checks.
type bulletinProblem struct {
	seq        uint64
	identifier string // as the list says: not to be trusted
	// forged is set when the signature is missing or wrong: the document
	// is not the admin key's.
	forged bool
	reason string
}

func (p *bulletinProblem) Error() string {
	return fmt.Sprintf("bulletin %d (listed as %q) %s", p.seq, p.identifier, p.reason)
}

// fetchChecked downloads the bulletin the list entry li names and checks
// it against the admin key pub: signature over the exact bytes first, then
// cap.Check, then that the signed document is the listed one. A bulletin
// that fails is a [*bulletinProblem]; other errors are the network's or
// the hub's.
func fetchChecked(ctx context.Context, c *client.Client, pub manifest.PublicKey, li wire.BulletinInfo) (*checkedBulletin, error) {
	problem := func(forged bool, format string, a ...any) error {
		return &bulletinProblem{seq: li.Seq, identifier: li.Identifier, forged: forged, reason: fmt.Sprintf(format, a...)}
	}
	b, err := c.FetchBulletin(ctx, li.Seq)
	if errors.Is(err, client.ErrBadBulletin) {
		return nil, problem(true, "cannot be the bulletin the admin key signed (%v): it may be forged", err)
	}
	if err != nil {
		return nil, err
	}
	if !pub.VerifyDetached(b.Document, b.Signature) {
		return nil, problem(true, "is NOT signed by the hub's admin key (fingerprint %s): it may be forged", pub.Fingerprint())
	}
	a, err := cap.Check(b.Document)
	if err != nil {
		return nil, problem(false, "is signed by the hub's admin key, but it is not a bulletin difesa can show: %v", err)
	}
	if a.Identifier != li.Identifier || a.Sender != li.Sender || a.Sent != li.Sent {
		return nil, problem(false, "is listed as %q from %q sent %s, but the signed document is %q from %q sent %s: the server mixes up its bulletins",
			li.Identifier, li.Sender, li.Sent, a.Identifier, a.Sender, a.Sent)
	}
	return &checkedBulletin{seq: li.Seq, doc: b.Document, alert: a}, nil
}

// fetchResult is what fetchChecked returned for one list entry.
type fetchResult struct {
	b   *checkedBulletin
	err error
}

// fetchParallel is how many bulletins are fetched at once: over Tor each
// costs two round trips, so one after another a dozen take many seconds.
const fetchParallel = 4

// fetchAllChecked runs fetchChecked on every entry of list, a few at a
// time, and returns the results in the list's order.
func fetchAllChecked(ctx context.Context, c *client.Client, pub manifest.PublicKey, list []wire.BulletinInfo) []fetchResult {
	out := make([]fetchResult, len(list))
	slots := make(chan struct{}, fetchParallel)
	var wg sync.WaitGroup
	for i, li := range list {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			b, err := fetchChecked(ctx, c, pub, li)
			out[i] = fetchResult{b, err}
		}()
	}
	wg.Wait()
	return out
}

// refOf returns the CAP reference to a.
func refOf(a *cap.Alert) cap.Reference {
	return cap.Reference{Sender: a.Sender, Identifier: a.Identifier, Sent: a.Sent}
}

// lookupReferences finds on the hub each bulletin whose identifier is in
// ids, checks it against pub, and returns the references to them, taken
// from the signed documents.
func lookupReferences(ctx context.Context, c *client.Client, pub manifest.PublicKey, sender string, ids []string) ([]cap.Reference, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	l, err := c.ListBulletins(ctx)
	if err != nil {
		return nil, notFoundHint(fmt.Errorf("listing the hub's bulletins: %w", err), noHubHint)
	}
	var refs []cap.Reference
	for _, id := range ids {
		var found *wire.BulletinInfo
		for i, li := range l.Bulletins {
			if li.Identifier == id && li.Sender == sender {
				found = &l.Bulletins[i]
				break
			}
		}
		if found == nil {
			return nil, errorWithHints(fmt.Sprintf("hub %q has no bulletin %q from %q", c.HubID(), id, sender),
				fmt.Sprintf("\"difesa bulletins -hub %s -all\" lists them with their identifiers", c.HubURL()))
		}
		b, err := fetchChecked(ctx, c, pub, *found)
		if err != nil {
			return nil, explainBulletinProblem(c, err)
		}
		refs = append(refs, refOf(b.alert))
	}
	return refs, nil
}

// explainBulletinProblem adds what to do to a bulletin that failed its
// checks.
func explainBulletinProblem(c *client.Client, err error) error {
	var p *bulletinProblem
	if !errors.As(err, &p) {
		return notFoundHint(err, noHubHint)
	}
	if p.forged {
		return withHints(err,
			fmt.Sprintf("do not trust or act on the bulletins of hub %q until this is cleared up", c.HubID()),
			"the server may be compromised, or something on the way changes what it sends: tell the people who run the hub, through another channel")
	}
	return withHints(err, "tell the people who run the hub, through another channel")
}
