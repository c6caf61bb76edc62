package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"difesa.org/difesa/internal/cap"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

const bulletinPublishUsage = "difesa bulletin publish -hub URL -key ADMINKEY FILE"

// runBulletinPublish signs a bulletin's exact bytes with the admin key and
// uploads it, after every check that can be made before: the document, the
// sender the hub requires, and the key being the hub's (pinned and
// announced) admin key.
func runBulletinPublish(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("bulletin")
	var hf hubFlags
	hf.register(flags, "bulletin")
	keyFile := flags.String("key", "", "the admin key file")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("bulletin", "expected one bulletin file, got %d arguments", len(pos)).hint("usage: " + bulletinPublishUsage)
	}
	if *keyFile == "" {
		return usageErrorf("bulletin", "missing -key ADMINKEY").hint(
			"bulletins are signed with the hub's admin key, the file made by \"difesa admin keygen\"",
			"usage: "+bulletinPublishUsage)
	}
	doc, a, err := readBulletinFile(pos[0])
	if err != nil {
		return err
	}
	sk, err := readAdminKey(*keyFile)
	if err != nil {
		return err
	}
	c, err := hf.client()
	if err != nil {
		return err
	}
	info, err := c.Hub(ctx)
	if err != nil {
		return notFoundHint(fmt.Errorf("asking the hub for its admin key: %w", err), noHubHint)
	}
	if err := checkPublishingKey(c, info, sk.Public(), *keyFile); err != nil {
		return err
	}
	if info.BulletinSender == "" {
		return errorWithHints(fmt.Sprintf("hub %q names no bulletin sender: it does not take bulletins", c.HubID()),
			"ask the people who run the server to set up bulletins for this hub")
	}
	if a.Sender != info.BulletinSender {
		return errorWithHints(fmt.Sprintf("%s is sent by %q, but hub %q publishes only bulletins sent by %q", pos[0], clean(a.Sender), c.HubID(), clean(info.BulletinSender)),
			fmt.Sprintf("make the bulletin with: difesa bulletin new -hub %s …", c.HubURL()))
	}

	if exp, ok := a.Expires(); ok && !e.now().Before(exp) {
		e.printf("warning: %s expired on %s: defenders will see it only with \"difesa bulletins -all\"", pos[0], showTime(cap.FormatTime(exp)))
	}
	p, err := c.PublishBulletin(ctx, doc, sk.SignDetached(doc))
	if err != nil {
		return explainBulletinPublishError(c, err)
	}
	docURL, sigURL := c.BulletinURLs(p.Seq)
	w := &printer{w: e.stdout}
	w.printf("seq: %d", p.Seq)
	w.printf("document: %s", docURL)
	w.printf("signature: %s", sigURL)
	e.printf("published bulletin %q (%s) as number %d of hub %q", clean(a.Identifier), a.MsgType, p.Seq, c.HubID())
	return w.err
}

// checkPublishingKey refuses a key that is not the hub's admin key: the one
// pinned on this computer, if any, and the one the hub announces.
func checkPublishingKey(c *client.Client, info *wire.HubInfo, pub manifest.PublicKey, keyFile string) error {
	notIt := func(what string, hubKey manifest.PublicKey) error {
		return withHints(fmt.Errorf("this key is not the admin key of hub %q (%s fingerprint %s; %s has fingerprint %s)",
			c.HubID(), what, hubKey.Fingerprint(), keyFile, pub.Fingerprint()),
			"sign with the admin key the hub was set up with (admin_key in the server's configuration)",
			"check -hub: is this the hub the bulletin is for?")
	}
	ps, err := pinStore()
	if err != nil {
		return err
	}
	pin, pinned, err := ps.Get(c.HubURL())
	if err != nil {
		return explainTrustError(err, c)
	}
	if pinned {
		pk, err := manifest.ParsePublicKey(pin.AdminKey)
		if err != nil {
			return err
		}
		if !pk.Equal(pub) {
			return notIt("the key pinned on this computer has", pk)
		}
	}
	if info.AdminKey == "" {
		return errorWithHints(fmt.Sprintf("hub %q presents no admin key", c.HubID()),
			"set admin_key in the server's configuration for this hub")
	}
	hubKey, err := manifest.ParsePublicKey(info.AdminKey)
	if err != nil {
		return fmt.Errorf("the hub presents a malformed admin key: %w", err)
	}
	if !hubKey.Equal(pub) {
		if pinned {
			return withHints(fmt.Errorf("hub %q presents another admin key (fingerprint %s) than the one pinned on this computer, which is this key",
				c.HubID(), hubKey.Fingerprint()),
				"the server's configuration may have changed, or you are not talking to the real server; check before publishing")
		}
		return notIt("its key has", hubKey)
	}
	return nil
}

// explainBulletinPublishError says what the hub's refusal means.
func explainBulletinPublishError(c *client.Client, err error) error {
	var we *wire.Error
	if !errors.As(err, &we) {
		return notFoundHint(fmt.Errorf("publishing: %w", err), noHubHint)
	}
	refused := func(what string, hints ...string) error {
		return withHints(fmt.Errorf("the hub refused the bulletin: %s (%s)", what, we.Code), hints...)
	}
	switch we.Code {
	case wire.CodeBulletinBadSignature:
		return refused("it is not signed by this hub's admin key",
			"sign with the admin key the hub was set up with (admin_key in the server's configuration)")
	case wire.CodeBulletinWrongSender:
		return refused("its sender is not the one the hub requires",
			fmt.Sprintf("make the bulletin with: difesa bulletin new -hub %s …", c.HubURL()))
	case wire.CodeBulletinReplayed:
		return refused("a bulletin with this identifier was already published",
			"every bulletin needs a new identifier: leave out -id in \"difesa bulletin new\" to get a fresh one",
			"to change a published bulletin, publish an Update: difesa bulletin new -hub URL -updates IDENTIFIER …")
	case wire.CodeBulletinUnknownReference:
		return refused("it refers to a bulletin the hub has not published",
			fmt.Sprintf("\"difesa bulletins -hub %s -all\" lists the published ones; use -updates or -cancels with their identifiers", c.HubURL()))
	case wire.CodeBulletinTooLarge:
		return refused("it is too large", "keep bulletins short: link to longer texts with -web")
	}
	if strings.HasPrefix(we.Code, "bulletin_") {
		return refused(we.Message, "the hub checks bulletins as \"difesa bulletin new -from FILE\" does; check the file with it")
	}
	return notFoundHint(fmt.Errorf("publishing: %w", err), noHubHint)
}
