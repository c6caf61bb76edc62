package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
)

const forgetUsage = `Usage:
    difesa forget -hub URL [-y] [-codename-fd N]

Deletes your conversation from the hub: your report, your follow-ups and
the replies, and what the hub knows of your codename. This cannot be
undone, and the codename is of no more use at this hub. Asks for
confirmation unless -y is given.

The codename is asked for without showing it on the screen; or it is read
from file descriptor N (-codename-fd), or from standard input when that is
not a terminal (then -y is needed).

Options:
    -hub URL         The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -y               Do not ask for confirmation.
    -codename-fd N   Read the codename from file descriptor N.
    -proxy URL       Connect through a proxy, like socks5h://127.0.0.1:9050
                     for Tor (the default is $ALL_PROXY, if set).`

func runForget(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("forget")
	var df defenderFlags
	df.register(flags, "forget")
	yes := flags.Bool("y", false, "do not ask")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("forget", "unexpected argument %q", pos[0])
	}
	if !*yes && !isTerminal(e.stdin) {
		return errorWithHints("refusing to delete the conversation without confirmation",
			"add -y to delete it without being asked")
	}
	c, err := df.client()
	if err != nil {
		return err
	}
	_, token, th, err := df.conversation(ctx, e, c, true, "finding the conversation")
	if err != nil {
		return err
	}
	if !*yes {
		fmt.Fprint(e.stderr, e.translate(fmt.Sprintf("difesa: delete your conversation at hub %q (messages: %d) for good? This cannot be undone. [y/N] ",
			c.HubID(), len(th.Messages))))
		line, _ := bufio.NewReader(e.stdin.(*os.File)).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return errorWithHints("not deleted", "answer y to delete, or add -y")
		}
	}
	if err := c.DeleteThread(ctx, token); err != nil {
		return explainThreadError(fmt.Errorf("deleting the conversation: %w", err))
	}
	e.printf("deleted your conversation at hub %q (messages: %d)", c.HubID(), len(th.Messages))
	return nil
}
