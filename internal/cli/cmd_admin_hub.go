package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

func runAdminPublish(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("admin")
	var rf responderFlags
	rf.register(flags, "admin")
	hf := &rf.hubFlags
	force := flags.Bool("force", false, "publish even if stored submissions would be readable only by removed keys")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("admin", "expected one signed manifest file, got %d arguments", len(pos)).hint(
			"usage: difesa admin publish -hub URL FILE.json")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return fmt.Errorf("reading the signed manifest: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, manifest.MaxSignedSize+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("reading the signed manifest: %w", err)
	}
	s, err := manifest.ParseSigned(data)
	if err != nil {
		return withHints(fmt.Errorf("%s: %w", pos[0], err),
			"publish the .json file made by \"difesa admin sign\", not the unsigned .manifest")
	}
	m, err := manifest.Parse(s.Manifest)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	c, err := hf.client()
	if err != nil {
		return err
	}
	if m.Hub != c.HubID() {
		return errorWithHints(fmt.Sprintf("%s is a manifest of hub %q, not of %q", pos[0], clean(m.Hub), c.HubID()),
			"check -hub and the file")
	}
	if err := checkRemovals(ctx, e, c, &rf, m, *force); err != nil {
		return err
	}
	p, err := c.PublishManifest(ctx, s)
	if err != nil {
		return explainPublishError(ctx, c, m, err)
	}
	e.printf("published epoch %d of hub %q", p.Epoch, c.HubID())
	e.printf("hint: responders who were removed can no longer log in; move the stored reports to the new keys with: difesa rekey -hub %s -i IDENTITY", c.HubURL())
	return nil
}

// checkRemovals refuses, unless force, to publish a manifest that leaves
// stored submissions readable only by the keys it removes: difesa cannot
// move them once those keys cannot log in and their identities are gone.
// Counting needs a login (-i); without one, a manifest that removes keys
// is refused unless force.
func checkRemovals(ctx context.Context, e *env, c *client.Client, rf *responderFlags, m *manifest.Manifest, force bool) error {
	removed, err := removedKeys(ctx, c, m)
	if err != nil {
		return notFoundHint(err, noHubHint)
	}
	if len(removed) == 0 {
		return nil
	}
	if len(rf.identity) == 0 {
		if force {
			e.printf("warning: this manifest removes %d keys; the stored submissions were not checked (-force, no -i)", len(removed))
			return nil
		}
		return errorWithHints(fmt.Sprintf("this manifest removes %d keys from hub %q: refusing to publish without checking the stored submissions only they can read", len(removed), c.HubID()),
			"give -i IDENTITY, a key the hub lists now, so that difesa can count them",
			"or add -force to publish without checking")
	}
	lc, _, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	stranded, err := strandedBy(ctx, lc, m)
	if err != nil {
		return err
	}
	n := warnStranded(e, stranded)
	if n == 0 {
		return nil
	}
	if force {
		e.printf("warning: publishing all the same (-force): keep the removed identities until \"difesa admin status\" shows nothing left on old epochs")
		return nil
	}
	return errorWithHints(fmt.Sprintf("refusing to publish: %d stored submissions would be readable only by keys this manifest removes", n),
		strandedHints(c.HubURL())...)
}

func explainPublishError(ctx context.Context, c *client.Client, m *manifest.Manifest, err error) error {
	var we *wire.Error
	if !errors.As(err, &we) {
		return notFoundHint(fmt.Errorf("publishing: %w", err), noHubHint)
	}
	rebuild := fmt.Sprintf("build the manifest from the hub's current one: difesa admin manifest -from %s -key ADMINKEY …, then sign and publish that", c.HubURL())
	switch we.Code {
	case wire.CodeBadSignature:
		return withHints(fmt.Errorf("the hub refused the manifest: it is not signed by this hub's admin key (%s)", we.Code),
			"sign it with the admin key the hub was set up with (admin_key in the server's configuration)",
			"check -hub: is this the hub the manifest is for?")
	case wire.CodeWrongHub:
		return withHints(fmt.Errorf("the hub refused the manifest: it names another hub (%s)", we.Code), "check -hub and the file")
	case wire.CodeEpochNotNext:
		what := "it is not the next epoch"
		if l, lerr := c.Manifests(ctx); lerr == nil {
			switch {
			case m.Epoch == l.Current:
				what = fmt.Sprintf("the hub is already at epoch %d: this manifest was published before (a replay)", l.Current)
			case m.Epoch < l.Current:
				what = fmt.Sprintf("the hub is at epoch %d, this manifest is epoch %d (a rollback)", l.Current, m.Epoch)
			default:
				what = fmt.Sprintf("the hub is at epoch %d, this manifest is epoch %d (epochs in between are missing)", l.Current, m.Epoch)
			}
		}
		return withHints(fmt.Errorf("the hub refused the manifest: %s (%s)", what, we.Code), rebuild)
	case wire.CodeBrokenChain:
		return withHints(fmt.Errorf("the hub refused the manifest: it does not follow the hub's current manifest (%s)", we.Code),
			"someone published another manifest meanwhile, or this one was built on an old copy",
			rebuild)
	case wire.CodeBadManifest:
		return withHints(fmt.Errorf("the hub refused the manifest as malformed: %w", err),
			"publish the .json file made by \"difesa admin sign\"")
	}
	return notFoundHint(fmt.Errorf("publishing: %w", err), noHubHint)
}

func runAdminStatus(ctx context.Context, e *env, args []string) error {
	s, err := startVerified(ctx, e, "admin", args)
	if err != nil {
		return err
	}
	defer s.logout()
	c, v := s.client, s.hub
	counts, err := c.Epochs(ctx)
	if err != nil {
		return fmt.Errorf("counting submissions by epoch: %w", err)
	}
	w := &printer{w: e.stdout}
	w.printf("hub %s: epoch %d, issued %s, %s", c.HubID(), v.Epoch, clean(v.Manifest.Issued), count(len(v.Recipients), "recipient", "recipients"))
	w.printf("admin key fingerprint: %s", v.AdminKey.Fingerprint())
	if counts.Current != v.Epoch {
		w.printf("note: the hub counts epoch %d as current; run this again", counts.Current)
	}
	epochs := make([]uint64, 0, len(counts.Submissions))
	for k := range counts.Submissions {
		n, err := strconv.ParseUint(k, 10, 64)
		if err != nil {
			return fmt.Errorf("unexpected answer from the hub: epoch %q", clean(k))
		}
		epochs = append(epochs, n)
	}
	slices.Sort(epochs)
	old := 0
	for _, ep := range epochs {
		n := counts.Submissions[strconv.FormatUint(ep, 10)]
		switch {
		case ep < v.Epoch && n > 0:
			old += n
			w.printf("epoch %d: %s still %s rekey — keep the old identities until 0", ep, count(n, "submission", "submissions"), verb(n, "needs", "need"))
		case ep >= v.Epoch:
			w.printf("epoch %d: %s (current)", ep, count(n, "submission", "submissions"))
		}
	}
	if old == 0 {
		w.printf("every stored submission is encrypted to the current recipients")
	} else {
		e.printf("hint: move them with: difesa rekey -hub %s -i IDENTITY (with the old identities too)", c.HubURL())
	}
	return w.err
}

// printer writes lines and keeps the first error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", a...)
	}
}
