package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"difesa.org/difesa/internal/manifest"
)

func runAdminInit(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("admin")
	hubID := flags.String("hub-id", "", "the hub's id")
	out := flags.String("o", "", "output file")
	var specs, files multiFlag
	flags.Var(&specs, "recipient", "KEY:ROLE:LABEL")
	flags.Var(&files, "recipients-file", "recipients file")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("admin", "unexpected argument %q", pos[0])
	}
	if *hubID == "" {
		return usageErrorf("admin", "missing -hub-id").hint("the hub's id is the NAME in its address …/hubs/NAME")
	}
	if *out == "" {
		return usageErrorf("admin", "missing -o FILE.manifest")
	}
	recipients, err := collectRecipients(specs, files, "-recipient")
	if err != nil {
		return err
	}
	if len(recipients) == 0 {
		return usageErrorf("admin", "no recipients").hint("add them with -recipient KEY:ROLE:LABEL or -recipients-file FILE")
	}
	m := &manifest.Manifest{Hub: *hubID, Epoch: 1, Issued: e.now().UTC().Format(time.DateOnly)}
	for _, r := range recipients {
		if err := manifest.AddRecipient(r.key, r.role, r.label)(m); err != nil {
			return explainManifestError(err)
		}
	}
	b, err := m.Marshal()
	if err != nil {
		return explainManifestError(err)
	}
	if err := writeNewFile(*out, b, 0o644, "manifest"); err != nil {
		return err
	}
	if err := writeAll(e.stdout, describeManifest(m)); err != nil {
		return err
	}
	e.printf("wrote the first manifest of hub %q to %s (not signed yet)", m.Hub, *out)
	e.printf("hint: sign it with: difesa admin sign -key ADMINKEY -o %s.json %s", m.Hub, *out)
	return nil
}

// collectRecipients gathers recipients from flags and files.
func collectRecipients(specs, files []string, flagName string) ([]recipientSpec, error) {
	var out []recipientSpec
	for _, s := range specs {
		r, err := parseRecipientFlag(flagName, s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	for _, f := range files {
		rs, err := readRecipientsFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func runAdminManifest(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("admin")
	from := flags.String("from", "", "the current signed manifest, or the hub's address")
	pubArg := flags.String("pubkey", "", "the admin public key")
	keyFile := flags.String("key", "", "the admin key file")
	out := flags.String("o", "", "output file")
	proxy := flags.String("proxy", "", "proxy URL")
	var adds, addFiles, removes, labels, roles, identities multiFlag
	flags.Var(&identities, "i", "a responder identity, to count the stored submissions the removed keys alone can read")
	flags.Var(&adds, "add", "KEY[:ROLE[:LABEL]]")
	flags.Var(&addFiles, "add-file", "recipients file")
	flags.Var(&removes, "remove", "KEY")
	flags.Var(&labels, "label", "KEY=LABEL")
	flags.Var(&roles, "role", "KEY=ROLE")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("admin", "unexpected argument %q", pos[0])
	}
	if *from == "" {
		return usageErrorf("admin", "missing -from").hint("-from takes the hub's current signed manifest (a .json file) or the hub's address")
	}
	if *out == "" {
		return usageErrorf("admin", "missing -o NEXT.manifest")
	}
	var pub manifest.PublicKey
	switch {
	case *pubArg != "" && *keyFile != "":
		return usageErrorf("admin", "-pubkey and -key cannot be used together")
	case *pubArg != "":
		if pub, err = readAdminPublicKey(*pubArg); err != nil {
			return err
		}
	case *keyFile != "":
		sk, err := readAdminKey(*keyFile)
		if err != nil {
			return err
		}
		pub = sk.Public()
	default:
		return usageErrorf("admin", "missing -pubkey or -key").hint(
			"the current manifest is verified with the hub's admin key before anything is built on it")
	}

	// The edits, checked before anything else happens.
	var edits []func(*manifest.Manifest) error
	added, err := collectRecipients(adds, addFiles, "-add")
	if err != nil {
		return err
	}
	for _, r := range added {
		edits = append(edits, manifest.AddRecipient(r.key, r.role, r.label))
	}
	for _, k := range removes {
		edits = append(edits, manifest.RemoveRecipient(strings.TrimSpace(k)))
	}
	for _, l := range labels {
		k, label, ok := strings.Cut(l, "=")
		if !ok {
			return usageErrorf("admin", "-label takes KEY=LABEL")
		}
		edits = append(edits, manifest.SetLabel(strings.TrimSpace(k), label))
	}
	for _, r := range roles {
		k, role, ok := strings.Cut(r, "=")
		ro, valid := parseRole(role)
		if !ok || role == "" || !valid {
			return usageErrorf("admin", "-role takes KEY=ROLE, the role responder or admin")
		}
		edits = append(edits, manifest.SetRole(strings.TrimSpace(k), ro))
	}
	if len(edits) == 0 {
		return usageErrorf("admin", "nothing to change").hint(
			"use -add, -add-file, -remove, -label or -role; a new epoch with the same recipients would only make work for the hub's responders")
	}

	cur, err := verifiedCurrent(ctx, e, *from, *proxy, pub)
	if err != nil {
		return err
	}
	old, err := cur.Verify(pub)
	if err != nil {
		return err // verifiedCurrent checked it
	}
	next, err := manifest.Next(cur, e.now().UTC().Format(time.DateOnly), manifest.Edits(edits...))
	if err != nil {
		return explainManifestError(err)
	}
	m, err := manifest.Parse(next)
	if err != nil {
		return err
	}
	if err := writeNewFile(*out, next, 0o644, "manifest"); err != nil {
		return err
	}
	if err := writeAll(e.stdout, diffManifests(old, m)); err != nil {
		return err
	}
	e.printf("wrote epoch %d of hub %q to %s (not signed yet)", m.Epoch, m.Hub, *out)
	warnRemovals(ctx, e, *from, *proxy, identities, old, m)
	e.printf("hint: sign it with: difesa admin sign -key ADMINKEY -o %s-%d.json %s", m.Hub, m.Epoch, *out)
	return nil
}

// warnRemovals tells, when next removes keys, what becomes of the stored
// submissions only they can read: counted when -from is the hub and -i
// gives a key it lists, else in general. It never fails the command: the
// manifest is not published yet, and "difesa admin publish" checks again.
func warnRemovals(ctx context.Context, e *env, from, proxy string, identities []string, old, next *manifest.Manifest) {
	removed := 0
	for _, r := range old.Recipients {
		if !next.Has(r.Key) {
			removed++
		}
	}
	if removed == 0 {
		return
	}
	if strings.Contains(from, "://") && len(identities) > 0 {
		rf := responderFlags{hubFlags: hubFlags{cmd: "admin", hub: from, proxy: proxy}, identity: identities}
		c, _, logout, err := rf.login(ctx)
		if err == nil {
			defer logout()
			var stranded []strandedEpoch
			if stranded, err = strandedBy(ctx, c, next); err == nil {
				if warnStranded(e, stranded) > 0 {
					for _, h := range strandedHints(c.HubURL()) {
						e.printf("hint: %s", h)
					}
				}
				return
			}
		}
		e.printf("warning: could not count the stored submissions: %v", err)
	}
	e.printf("warning: this manifest removes %d keys: stored submissions that only they can read are lost once their identities are destroyed", removed)
	e.printf("hint: move them first with \"difesa rekey -i OLD-IDENTITY\" while the old keys are still listed; \"difesa admin publish -i IDENTITY\" counts them and refuses if any are left")
}

// verifiedCurrent returns the manifest to build on: from a file, verified
// with pub; from a hub, verified with pub and along the chain pinned on
// this computer.
func verifiedCurrent(ctx context.Context, e *env, from, proxy string, pub manifest.PublicKey) (*manifest.Signed, error) {
	if strings.Contains(from, "://") {
		hf := hubFlags{cmd: "admin", hub: from, proxy: proxy}
		c, err := hf.client()
		if err != nil {
			return nil, err
		}
		v, err := verifyHub(ctx, e, c, pub.Fingerprint())
		if err != nil {
			return nil, err
		}
		return v.Signed, nil
	}
	data, err := os.ReadFile(from)
	if err != nil {
		return nil, fmt.Errorf("reading the current manifest: %w", err)
	}
	s, err := manifest.ParseSigned(data)
	if err != nil {
		return nil, withHints(fmt.Errorf("%s: %w", from, err),
			"-from takes a signed manifest (.json, as made by \"difesa admin sign\") or the hub's address")
	}
	if _, err := s.Verify(pub); err != nil {
		if errors.Is(err, manifest.ErrBadSignature) {
			return nil, withHints(fmt.Errorf("%s is not signed by the admin key %s", from, pub.Fingerprint()),
				"never build on a manifest you have not verified: it could list keys the server slipped in",
				"check -pubkey (or -key): it must be this hub's admin key")
		}
		return nil, err
	}
	return s, nil
}

func runAdminSign(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("admin")
	keyFile := flags.String("key", "", "the admin key file")
	out := flags.String("o", "", "output file")
	yes := flags.Bool("y", false, "do not ask")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("admin", "expected one manifest file, got %d arguments", len(pos)).hint(
			"usage: difesa admin sign -key ADMINKEY -o OUT.json FILE.manifest")
	}
	if *keyFile == "" {
		return usageErrorf("admin", "missing -key ADMINKEY")
	}
	if *out == "" {
		return usageErrorf("admin", "missing -o OUT.json")
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("reading the manifest: %w", err)
	}
	if len(data) > manifest.MaxSize {
		return fmt.Errorf("%s is larger than a manifest can be (%d bytes)", pos[0], manifest.MaxSize)
	}
	m, err := manifest.Parse(data)
	if err != nil {
		if _, serr := manifest.ParseSigned(data); serr == nil {
			return errorWithHints(fmt.Sprintf("%s is already signed", pos[0]),
				"sign the .manifest file made by \"difesa admin init\" or \"difesa admin manifest\"")
		}
		return explainManifestError(fmt.Errorf("%s: %w", pos[0], err))
	}
	sk, err := keyToSign(e, *keyFile, describeManifest(m), "Everyone listed will be able to read new reports.", *yes)
	if err != nil {
		return err
	}
	pub := sk.Public()
	s, err := manifest.Sign(sk, data)
	if err != nil {
		return explainManifestError(err)
	}
	if err := writeNewFile(*out, s.Marshal(), 0o644, "signed manifest"); err != nil {
		return err
	}
	e.printf("signed epoch %d of hub %q: %s", m.Epoch, m.Hub, *out)
	if m.Epoch == 1 {
		e.printf("hint: give it to the server as the hub's manifest_file, with admin_key = %q", pub.String())
	} else {
		e.printf("hint: publish it with: difesa admin publish -hub HUB_URL %s", *out)
	}
	return nil
}

// describeManifest shows a manifest for people.
func describeManifest(m *manifest.Manifest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hub:       %s\nepoch:     %d\nissued:    %s\n", clean(m.Hub), m.Epoch, clean(m.Issued))
	prev := m.Previous
	if prev == "" {
		prev = "none (first manifest)"
	}
	fmt.Fprintf(&b, "previous:  %s\nrecipients (%d):\n", clean(prev), len(m.Recipients))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range m.Recipients {
		fmt.Fprintf(tw, "    %s\t%s\t%s\n", shortKey(r.Key), r.Role, clean(r.Label))
	}
	tw.Flush()
	return b.String()
}

// diffManifests shows what changed from old to next: added, removed, then
// changed recipients.
func diffManifests(old, next *manifest.Manifest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "hub %s: epoch %d → %d\n", clean(next.Hub), old.Epoch, next.Epoch)
	before := map[string]manifest.Recipient{}
	for _, r := range old.Recipients {
		before[r.Key] = r
	}
	var added, removed, changed []string
	for _, r := range next.Recipients {
		o, ok := before[r.Key]
		switch {
		case !ok:
			added = append(added, fmt.Sprintf("added\t%s\t%s\t%s\n", shortKey(r.Key), r.Role, clean(r.Label)))
		case o != r:
			var what []string
			if o.Role != r.Role {
				what = append(what, fmt.Sprintf("role %s → %s", o.Role, r.Role))
			}
			if o.Label != r.Label {
				what = append(what, fmt.Sprintf("label %q → %q", clean(o.Label), clean(r.Label)))
			}
			changed = append(changed, fmt.Sprintf("changed\t%s\t%s\n", shortKey(r.Key), strings.Join(what, ", ")))
		}
		delete(before, r.Key)
	}
	for _, r := range old.Recipients {
		if _, gone := before[r.Key]; gone {
			removed = append(removed, fmt.Sprintf("removed\t%s\t%s\t%s\n", shortKey(r.Key), r.Role, clean(r.Label)))
		}
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, l := range slices.Concat(added, removed, changed) {
		io.WriteString(tw, l)
	}
	tw.Flush()
	if len(added)+len(removed)+len(changed) == 0 {
		b.WriteString("no change to the recipients\n")
	}
	fmt.Fprintf(&b, "%s (were %d)\n", count(len(next.Recipients), "recipient", "recipients"), len(old.Recipients))
	return b.String()
}

// explainManifestError adds hints to the manifest package's refusals.
func explainManifestError(err error) error {
	switch {
	case errors.Is(err, manifest.ErrUnknownRecipient):
		return withHints(err, "give the recipient's whole key, as in the current manifest")
	case errors.Is(err, manifest.ErrMalformed):
		return withHints(err,
			"keys are age public keys (age1pq1… or age1…, all of one kind); labels are at most 64 printable characters",
			"see docs/manifest.md for the rules")
	}
	return err
}
