package cli

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"difesa.org/difesa/internal/wire"
)

const inboxUsage = `Usage:
    difesa inbox -hub URL -i IDENTITY [-proxy URL]

First lists the hub's alarms: open ones (missed check-ins, duress
check-ins, urgent alerts), each with its kind, the hour it opened, what
happened since ("missed at about 10:00 UTC, then checked in again at about
12:00 UTC": a later check-in never closes an alarm), and the submission it
concerns; then the last acknowledged ones, with who acknowledged them and
in which hour. Acknowledge an alarm with "difesa ack".

Then lists the submissions on a hub: their id, kind, when they arrived (the
hour in UTC, or coarser), size and status. Missed check-ins come first,
marked MISSED CHECK-IN, then urgent alerts not yet closed, marked URGENT,
then everything else, newest first (within an hour, in the order the hub
received them). Follow-ups and the hub's replies (status "sent") name the
report whose conversation they belong to: "re ID". Read one with
"difesa open", a conversation with "difesa thread". However large the
inbox, the hub sends it a page at a time.

Options:
    -hub URL        The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file, made with "difesa keygen".
    -proxy URL      Connect through a proxy, like socks5h://127.0.0.1:9050
                    for Tor (the default is $ALL_PROXY, if set).

Logging in decrypts a challenge from the hub with your key, on this
computer; the key itself is never sent.`

func runInbox(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("inbox")
	var rf responderFlags
	rf.register(flags, "inbox")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("inbox", "unexpected argument %q", pos[0]).hint(
			"to read a submission use \"difesa open\"")
	}
	c, _, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	alarms, err := c.Alarms(ctx)
	if err != nil {
		return fmt.Errorf("listing alarms: %w", err)
	}
	subs, err := c.List(ctx)
	if err != nil {
		return fmt.Errorf("listing submissions: %w", err)
	}
	if len(alarms) > 0 {
		table, open, hidden := alarmTable(alarms)
		if err := writeAll(e.stdout, trimLines(table)+"\n"); err != nil {
			return err
		}
		if open > 0 {
			e.printf("%s on hub %q: acknowledge each with \"difesa ack -hub %s -i %s ID\" once someone is on it", count(open, "OPEN ALARM", "OPEN ALARMS"), c.HubID(), c.HubURL(), rf.files())
		}
		if hidden > 0 {
			e.printf("%s not shown", count(hidden, "older acknowledged alarm", "older acknowledged alarms"))
		}
	}
	if err := printRestricted(ctx, e, c); err != nil { // case_restrict.go
		return err
	}
	if len(subs) == 0 {
		e.printf("no submissions on hub %q", c.HubID())
		return nil
	}
	sortInbox(subs)
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tRECEIVED\tSIZE\tSTATUS\t")
	missed, urgent := 0, 0
	for _, s := range subs {
		switch inboxMark(s) {
		case markMissed:
			missed++
		case markUrgent:
			urgent++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", clean(s.ID), clean(s.Kind),
			coarseTime(s.Received), humanSize(s.Size), inboxStatus(s), inboxNote(s))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	e.printf("%s on hub %q", count(len(subs), "submission", "submissions"), c.HubID())
	if missed > 0 {
		e.printf("%s: a defender did not check in in time; read the instructions with \"difesa open\"", count(missed, "MISSED CHECK-IN", "MISSED CHECK-INS"))
	}
	if urgent > 0 {
		e.printf("%s not yet closed", count(urgent, "URGENT alert", "URGENT alerts"))
	}
	return writeAll(e.stdout, trimLines(b.String()))
}

// sortInbox puts what needs attention first (missed check-ins, then
// alerts not yet closed), then everything else newest first, in the order
// the hub received it: within an hour too, by the hub's serial number.
func sortInbox(subs []wire.Submission) {
	rank := func(s wire.Submission) int {
		switch inboxMark(s) {
		case markMissed:
			return 0
		case markUrgent:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(subs, func(a, b wire.Submission) int {
		if c := cmp.Compare(rank(a), rank(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Serial, a.Serial); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// inboxStatus is a row's status: the hub's own replies are not work to
// triage.
func inboxStatus(s wire.Submission) string {
	if s.Kind == wire.KindReply {
		return "sent"
	}
	return clean(s.Status)
}

// inboxNote is the last column of a row: its mark, or for a follow-up or
// a reply the report whose conversation it belongs to.
func inboxNote(s wire.Submission) string {
	if mark := inboxMark(s); mark != "" {
		return mark
	}
	if s.Thread != "" && s.Thread != s.ID {
		return "re " + clean(s.Thread)
	}
	return ""
}

// Marks of the inbox for what needs attention first. The hub already
// lists those submissions first.
const (
	markMissed = "MISSED CHECK-IN"
	markUrgent = "URGENT"
)

func inboxMark(s wire.Submission) string {
	switch {
	case s.Kind == wire.KindCheckin && s.Checkin == "missed":
		return markMissed
	case s.Kind == wire.KindAlert && s.Status != wire.StatusClosed:
		return markUrgent
	}
	return ""
}

// coarseTime shows a received time (already rounded by the hub) in UTC,
// always in one format with the hour: "2026-11-23 00:00 UTC" is the hour
// after midnight, not a whole day (a hub rounding to days shows 00:00 too).
func coarseTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return clean(s)
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}
