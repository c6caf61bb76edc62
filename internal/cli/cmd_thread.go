package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/sealed"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

const threadUsage = `Usage:
    difesa thread -hub URL -i IDENTITY [-save DIR] ID

Shows the whole conversation that submission ID belongs to: the defender's
report, their follow-ups and the responders' replies, in order, each
downloaded and decrypted on this computer with your key, with the list of
their attached files. The files are written to disk, in plaintext, only if
you ask, with -save DIR: never overwriting anything, and never twice (a
file already saved in DIR with the same content is not written again).

Answer with "difesa reply".

Options:
    -hub URL        The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file, made with "difesa keygen".
    -save DIR       Save the attached files in DIR (created if needed,
                    mode 0700). -o DIR is the same.
    -proxy URL      Connect through a proxy, like socks5h://127.0.0.1:9050
                    for Tor (the default is $ALL_PROXY, if set).

Messages come from strangers: their files may be hostile. Open them with
care, ideally on a computer set apart for that.`

func runThread(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("thread")
	var rf responderFlags
	rf.register(flags, "thread")
	var dir string
	flags.StringVar(&dir, "save", "", "folder for the attachments")
	flags.StringVar(&dir, "o", "", "folder for the attachments (the same as -save)")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("thread", "expected one submission id, got %d arguments", len(pos)).hint(
			"list the ids with \"difesa inbox\"")
	}
	id := pos[0]
	if err := checkID("thread", id); err != nil {
		return err
	}
	c, ids, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	th, err := c.ResponderThread(ctx, id)
	if err != nil {
		return explainResponderThreadError(fmt.Errorf("reading the conversation of %s: %w", id, err))
	}
	var out *attachDir
	if dir != "" {
		out = &attachDir{dir: dir}
	}
	unsaved := 0
	var b strings.Builder
	fmt.Fprintf(&b, "Conversation %s on hub %q: %s\n", clean(th.ID), c.HubID(), count(len(th.Messages), "message", "messages"))
	for _, m := range th.Messages {
		who := "from the defender"
		if m.Kind == wire.KindReply {
			who = "from the responders"
		}
		fmt.Fprintf(&b, "\n[%d] %s %s, %s (%s)\n", m.Seq+1, kindPhrase(m.Kind), who, coarseTime(m.Received), clean(m.ID))
		o, saved, err := openMessage(ctx, c.Download, m.ID, ids, out)
		switch {
		case errors.Is(err, errNotForYou):
			fmt.Fprintf(&b, "    cannot be decrypted with %s: %s\n", clean(rf.files()), err)
			continue
		case err != nil:
			fmt.Fprintf(&b, "    could not be read: %s\n", clean(err.Error()))
			continue
		}
		if out == nil {
			unsaved += len(o.Files)
		}
		writeOpened(&b, o, dir, saved, "    ", newFormReader(e, c))
	}
	if err := writeAll(e.stdout, trimLines(b.String())); err != nil {
		return err
	}
	unsavedHint(e, unsaved, "the same command")
	return nil
}

func explainResponderThreadError(err error) error {
	if errors.Is(err, &wire.Error{Code: wire.CodeNoThread}) {
		return withHints(err, "the defender left no codename with this submission: they cannot be answered through the hub")
	}
	return notFoundHint(err, noSubmissionHint)
}

// errNoReplyRecipient is an opening report without the defender's reply
// recipient.
var errNoReplyRecipient = sealed.ErrNoReplyRecipient

// replyRecipientOf decrypts the opening message root of a conversation and
// returns the defender's reply recipient from its envelope.json.
func replyRecipientOf(ctx context.Context, c *client.Client, ids []age.Identity, root string) (*age.HybridRecipient, error) {
	o, _, err := openMessage(ctx, c.Download, root, ids, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the opening report %s: %w", root, err)
	}
	return sealed.ReplyRecipient(o)
}
