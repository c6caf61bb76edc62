package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"filippo.io/age"

	"difesa.org/difesa/internal/sealed"
	"difesa.org/difesa/internal/wire"
)

const ackUsage = `Usage:
    difesa ack -hub URL -i IDENTITY [-note TEXT] ID

Acknowledges alarm ID: a missed check-in, a duress check-in or an urgent
alert, as "difesa inbox" lists them at the top. An alarm stays open, and
the hub keeps notifying it again (escalating) as its settings say, until a
responder acknowledges it; nothing the defender does closes it. Your
colleagues see that it was acknowledged, by whom (your label in the hub's
signed list) and in which hour; so does the hub's audit log.

Acknowledging says "someone is on it". It does not answer the defender:
for that use "difesa reply".

Options:
    -hub URL           The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY        Your responder key file, made with "difesa keygen".
    -note TEXT         A short note for your colleagues, like "called the
                       lawyer". It is encrypted on this computer to the
                       hub's responders, from the hub's signed list; the
                       server cannot read it. At most 2 KiB.
    -pin FINGERPRINT   The fingerprint of the hub's admin key, if difesa has
                       not pinned it yet.
    -proxy URL         Connect through a proxy, like socks5h://127.0.0.1:9050
                       for Tor (the default is $ALL_PROXY, if set).

Acknowledging an alarm someone already acknowledged changes nothing and
says who did.`

// maxNoteText bounds a note's text ([sealed.MaxNoteText]).
const maxNoteText = sealed.MaxNoteText

func runAck(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("ack")
	var rf responderFlags
	rf.register(flags, "ack")
	rf.registerPin(flags)
	note := flags.String("note", "", "note")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("ack", "expected one alarm id, got %d arguments", len(pos)).hint(
			"the open alarms and their ids are at the top of \"difesa inbox\"",
			"to add a note use -note \"TEXT\" (with quotes)")
	}
	id := pos[0]
	if !submissionID.MatchString(id) {
		return usageErrorf("ack", "%q is not an alarm id", id).hint(
			"an alarm id is 26 letters and digits, as listed under ALARM by \"difesa inbox\"")
	}
	if len(*note) > maxNoteText {
		return usageErrorf("ack", "the note is %d bytes, more than %d", len(*note), maxNoteText).hint(
			"keep it short; write the details in a reply or a report")
	}
	if isSet(flags, "note") && *note == "" {
		return usageErrorf("ack", "-note is empty").hint("leave -note out to acknowledge without a note")
	}

	c, _, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	var sealed []byte
	if *note != "" {
		v, err := verifyHub(ctx, e, c, rf.pin)
		if err != nil {
			return err
		}
		if sealed, err = sealNote(*note, v.Recipients); err != nil {
			return err
		}
	}
	a, err := c.Ack(ctx, id, sealed)
	if errors.Is(err, &wire.Error{Code: wire.CodeNoAlarm}) {
		return withHints(fmt.Errorf("hub %q has no alarm %s", c.HubID(), id),
			"the open alarms and their ids are at the top of \"difesa inbox\"")
	}
	if err != nil {
		return notFoundHint(fmt.Errorf("acknowledging alarm %s: %w", id, err), noHubHint)
	}
	if *note != "" && !bytes.Equal(a.Note, sealed) {
		e.printf("alarm %s was already acknowledged by %s (%s); your note was not added", clean(a.ID), clean(a.By), coarseTime(a.Acknowledged))
		return nil
	}
	e.printf("alarm %s on hub %q acknowledged by %s (%s)", clean(a.ID), c.HubID(), clean(a.By), coarseTime(a.Acknowledged))
	return nil
}

// sealNote encrypts a note to the hub's recipients ([sealed.Note]).
func sealNote(text string, to []age.Recipient) ([]byte, error) { return sealed.Note(text, to) }
