package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

const checkUsage = `Usage:
    difesa check -hub URL [-codename-fd N] [-save DIR]

Shows your conversation with a hub: the report you sent, your follow-ups,
and the responders' replies, in order. You need the codename that
"difesa submit" showed you.

The codename is asked for without showing it on the screen; or it is read
from file descriptor N (-codename-fd), or from standard input when that is
not a terminal. From it, difesa derives on this computer the keys of your
conversation: a token that the hub recognises, and the key that decrypts
the replies. The codename itself is never sent.

Your own messages are listed without their content: they were encrypted to
the hub's responders only. Replies are decrypted here; their attached
files are listed, and written to disk, in plaintext, only if you ask, with
-save DIR: never overwriting anything, and never twice.

Options:
    -hub URL         The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -codename-fd N   Read the codename from file descriptor N.
    -save DIR        Save the files of replies in DIR (created if needed,
                     mode 0700). -o DIR is the same.
    -proxy URL       Connect through a proxy, like socks5h://127.0.0.1:9050
                     for Tor (the default is $ALL_PROXY, if set).`

func runCheck(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("check")
	var df defenderFlags
	df.register(flags, "check")
	var dir string
	flags.StringVar(&dir, "save", "", "folder for the files of replies")
	flags.StringVar(&dir, "o", "", "folder for the files of replies (the same as -save)")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("check", "unexpected argument %q", pos[0]).hint(
			"the codename is asked for, not given as an argument: it would stay in your shell's history")
	}
	c, err := df.client()
	if err != nil {
		return err
	}
	keys, token, th, err := df.conversation(ctx, e, c, true, "reading the conversation")
	if err != nil {
		return err
	}
	fetch := func(ctx context.Context, id string, w io.Writer) (int64, error) {
		return c.DownloadMessage(ctx, token, id, w)
	}
	var out *attachDir
	if dir != "" {
		out = &attachDir{dir: dir}
	}
	var b strings.Builder
	replies, unsaved := 0, 0
	for _, m := range th.Messages {
		when := coarseTime(m.Received)
		if m.Kind != wire.KindReply {
			fmt.Fprintf(&b, "you sent %s (%s)\n\n", kindPhrase(m.Kind), when)
			continue
		}
		replies++
		o, saved, err := openMessage(ctx, fetch, m.ID, []age.Identity{keys.Identity}, out)
		if err != nil {
			fmt.Fprintf(&b, "reply from the hub (%s): could not be read: %s\n\n", when, clean(err.Error()))
			continue
		}
		fmt.Fprintf(&b, "reply from the hub (%s):\n", when)
		if out == nil {
			unsaved += len(o.Files)
		}
		writeOpened(&b, o, dir, saved, "    ", nil)
		b.WriteString("\n")
	}
	if replies == 0 {
		b.WriteString("no reply yet\n")
	}
	// Labels rather than plurals: "messages: 1" reads right in every language.
	e.printf("conversation at hub %q: messages: %d, replies: %d", c.HubID(), len(th.Messages), replies)
	if err := writeAll(e.stdout, trimLines(strings.TrimRight(b.String(), "\n")+"\n")); err != nil {
		return err
	}
	unsavedHint(e, unsaved, "the same command")
	return nil
}
