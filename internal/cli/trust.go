package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
)

// pinStore opens the pin file ($DIFESA_CONFIG_DIR/pins.json, or pins.json
// in the user's config folder).
func pinStore() (*client.PinStore, error) {
	ps, err := client.DefaultPinStore()
	if err != nil {
		return nil, withHints(err, "set "+client.ConfigDirEnv+" to a folder where difesa may keep the hubs' admin keys")
	}
	return ps, nil
}

// verifyHub fetches the hub's current recipient list and checks it against
// the pinned admin key and chain (see client.VerifiedRecipients), telling
// the user on first contact and when the hub moved to a new epoch.
func verifyHub(ctx context.Context, e *env, c *client.Client, pin string) (*client.Verified, error) {
	ps, err := pinStore()
	if err != nil {
		return nil, err
	}
	v, err := c.VerifiedRecipients(ctx, client.Trust{Pins: ps, Fingerprint: pin})
	if err != nil {
		return nil, explainTrustError(err, c)
	}
	switch {
	case v.FirstUse && v.Confirmed:
		e.printf("hub %q: its admin key has the fingerprint given with -pin; pinned", c.HubID())
	case v.FirstUse:
		e.printf("first contact with hub %q; its admin key has the fingerprint", c.HubID())
		e.printf("    %s", v.AdminKey.Fingerprint())
		e.printf("hint: compare it with the fingerprint the hub publishes (ask the people who run it);")
		e.printf("hint: from now on difesa refuses any other key for this hub")
	case v.Epoch > v.From:
		e.printf("hub %q changed its recipients: checked its signed list from epoch %d to %d", c.HubID(), v.From, v.Epoch)
	}
	return v, nil
}

// explainTrustError turns a refused recipient list into an error that says
// what it may mean and what to do.
func explainTrustError(err error, c *client.Client) error {
	var te *client.TrustError
	if errors.As(err, &te) {
		forget := fmt.Sprintf("only if they confirm that the hub has a new admin key: difesa pins forget -hub %s, then run this again with -pin FINGERPRINT", c.HubURL())
		compare := "contact the people who run the hub through another channel (in person, by phone) and compare the admin key's fingerprint"
		if te.Pinned != nil {
			compare += " with the one pinned: " + te.Pinned.Fingerprint
		}
		if te.Pinned == nil && errors.Is(err, client.ErrFingerprintMismatch) {
			return withHints(fmt.Errorf("refusing hub %q: %w", c.HubID(), err),
				"the hub you reached is not the one whose fingerprint you were given, or the fingerprint is wrong",
				"do not send anything to this hub",
				"check the fingerprint with the people who run the hub, through another channel")
		}
		return withHints(fmt.Errorf("refusing the recipient list of hub %q: %w", c.HubID(), err),
			"this can mean that the server was compromised, or that the hub's keys were reset",
			"do not send anything to this hub for now",
			compare,
			forget)
	}
	if errors.Is(err, client.ErrUnsigned) {
		return withHints(err,
			"without a signed list difesa cannot check who would be able to read what you send",
			"ask the people who run the hub to set up its admin key (difesa admin keygen, init, sign)")
	}
	if errors.Is(err, client.ErrPinsDamaged) {
		return withHints(err,
			"the pin file keeps the admin keys of the hubs you used; restore it from a backup",
			"or move it away and check each hub's fingerprint again with -pin")
	}
	if errors.Is(err, manifest.ErrBadKey) {
		return withHints(err, "a fingerprint is 40 hex digits, as the hub publishes it")
	}
	return notFoundHint(fmt.Errorf("checking the hub's recipients: %w", err), noHubHint)
}

// verifiedSession is a logged-in responder with the hub's verified
// recipient list.
type verifiedSession struct {
	flags  responderFlags
	client *client.Client
	ids    []age.Identity
	hub    *client.Verified
	logout func()
}

// startVerified runs the common start of a responder command that takes no
// positional arguments and encrypts to the hub: parse the flags, log in,
// and verify the hub's signed recipient list against the pin. The caller
// must call logout.
func startVerified(ctx context.Context, e *env, name string, args []string) (*verifiedSession, error) {
	s := &verifiedSession{}
	flags := newFlagSet(name)
	s.flags.register(flags, name)
	s.flags.registerPin(flags)
	pos, err := parseFlags(flags, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		return nil, usageErrorf(name, "unexpected argument %q", pos[0])
	}
	if s.client, s.ids, s.logout, err = s.flags.login(ctx); err != nil {
		return nil, err
	}
	if s.hub, err = verifyHub(ctx, e, s.client, s.flags.pin); err != nil {
		s.logout()
		return nil, err
	}
	return s, nil
}

// confirmFirstContact runs before a defender's first sending to a hub
// whose admin key nobody checked (no -pin): it is the one moment when
// checking the fingerprint can still change what is sent. In a terminal it
// asks, and on anything but yes sends nothing and forgets the key it just
// pinned. Elsewhere nobody can answer: it says, before sending, that
// nothing was checked and how to check next time. An urgent alert
// (ask = false) never waits for an answer.
func confirmFirstContact(e *env, c *client.Client, v *client.Verified, ask bool) error {
	if !v.FirstUse || v.Confirmed {
		return nil
	}
	fp := v.AdminKey.Fingerprint()
	if !ask || !isTerminal(e.stdin) || !isTerminal(e.stderr) {
		e.printf("hint: nobody can be asked here, so this goes out now to this key unchecked; to check a hub's key before anything is sent, give the fingerprint it publishes with -pin \"FINGERPRINT\"")
		return nil
	}
	fmt.Fprint(e.stderr, e.translate("difesa: nothing is sent yet. Is this the fingerprint the hub publishes? Send it? [y/N] "))
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a == "y" || a == "yes" {
		return nil
	}
	if ps, err := pinStore(); err == nil {
		ps.Forget(c.HubURL()) // not confirmed: the next run is a first contact again
	}
	return errorWithHints("nothing was sent: it stays on this computer",
		"if the fingerprints differ, do not send anything to this hub: the address may not be the hub's",
		fmt.Sprintf("if they are the same, run the same command again with -pin \"%s\"", fp))
}
