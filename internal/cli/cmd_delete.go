package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
)

const deleteUsage = `Usage:
    difesa delete -hub URL -i IDENTITY [-y] ID

Deletes a submission from the hub, ciphertext and all. This cannot be
undone: save what you need first with "difesa open". Asks for confirmation
unless -y is given.

Options:
    -hub URL        The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file, made with "difesa keygen".
    -y              Do not ask for confirmation.
    -proxy URL      Connect through a proxy, like socks5h://127.0.0.1:9050
                    for Tor (the default is $ALL_PROXY, if set).`

func runDelete(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("delete")
	var rf responderFlags
	rf.register(flags, "delete")
	yes := flags.Bool("y", false, "do not ask")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("delete", "expected one submission id, got %d arguments", len(pos))
	}
	id := pos[0]
	if err := checkID("delete", id); err != nil {
		return err
	}
	if !*yes {
		if !isTerminal(e.stdin) {
			return errorWithHints("refusing to delete without confirmation",
				"add -y to delete without being asked")
		}
		fmt.Fprintf(e.stderr, "difesa: delete submission %s for good? This cannot be undone. [y/N] ", id)
		line, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return errorWithHints("not deleted", "answer y to delete, or add -y")
		}
	}
	c, _, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	if err := c.Delete(ctx, id); err != nil {
		return notFoundHint(fmt.Errorf("deleting %s: %w", id, err), noSubmissionHint)
	}
	e.printf("deleted %s", id)
	return nil
}
