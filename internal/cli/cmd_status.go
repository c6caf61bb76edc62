package cli

import (
	"context"
	"fmt"
	"strings"

	"difesa.org/difesa/internal/wire"
)

const statusUsage = `Usage:
    difesa status -hub URL -i IDENTITY ID new|in_progress|closed

Sets the triage status of a submission, for the hub's other responders to
see in "difesa inbox".

Options:
    -hub URL        The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file, made with "difesa keygen".
    -proxy URL      Connect through a proxy, like socks5h://127.0.0.1:9050
                    for Tor (the default is $ALL_PROXY, if set).`

func runStatus(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("status")
	var rf responderFlags
	rf.register(flags, "status")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usageErrorf("status", "expected a submission id and a status, got %s", count(len(pos), "argument", "arguments")).hint(
			"for example: difesa status -hub URL -i key.txt ID in_progress")
	}
	id, status := pos[0], strings.ReplaceAll(pos[1], "-", "_")
	if err := checkID("status", id); err != nil {
		return err
	}
	switch status {
	case wire.StatusNew, wire.StatusInProgress, wire.StatusClosed:
	default:
		return usageErrorf("status", "unknown status %q", pos[1]).hint(
			"the status is one of new, in_progress, closed")
	}
	c, _, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	if err := c.SetStatus(ctx, id, status); err != nil {
		return notFoundHint(fmt.Errorf("setting the status of %s: %w", id, err), noSubmissionHint)
	}
	e.printf("%s is now %s", id, status)
	return nil
}
