package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

const inboxUsage = `Usage:
    difesa inbox -hub URL -i IDENTITY [-proxy URL]

Lists the submissions waiting on a hub, newest first: their id, kind, when
they arrived (to the hour, or coarser), size and status. Read one with
"difesa open".

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
	subs, err := c.List(ctx)
	if err != nil {
		return fmt.Errorf("listing submissions: %w", err)
	}
	if len(subs) == 0 {
		e.printf("no submissions on hub %q", c.HubID())
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tRECEIVED\tSIZE\tSTATUS")
	for _, s := range subs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", clean(s.ID), clean(s.Kind),
			coarseTime(s.Received), humanSize(s.Size), clean(s.Status))
	}
	return tw.Flush()
}

// coarseTime shows a received time (already rounded by the hub) in UTC.
func coarseTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return clean(s)
	}
	t = t.UTC()
	if t.Hour() == 0 && t.Minute() == 0 {
		return t.Format("2006-01-02") + " UTC"
	}
	return t.Format("2006-01-02 15:04") + " UTC"
}
