package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
	"filippo.io/age"
)

const caseUsage = `Usage:
    difesa case show     -hub URL -i IDENTITY ID
    difesa case assign   -hub URL -i IDENTITY ID me|none|LABEL
    difesa case label    -hub URL -i IDENTITY ID +LABEL|-LABEL...
    difesa case note     -hub URL -i IDENTITY ID [TEXT | -]
    difesa case link     -hub URL -i IDENTITY ID duplicate|same_defender|same_incident OTHER-ID
    difesa case followup -hub URL -i IDENTITY ID YYYY-MM-DD|none
    difesa case substatus -hub URL -i IDENTITY ID SUB-STATUS|none
    difesa case labels   -hub URL -i IDENTITY +LABEL|-LABEL...
    difesa case statuses -hub URL -i IDENTITY +SUB-STATUS|-SUB-STATUS...
    difesa case restrict -hub URL -i IDENTITY ID LABEL...
    difesa case unrestrict -hub URL -i IDENTITY ID

Shows or changes the case record of submission ID: the work the hub's
responders share about it (assignee, labels, follow-up day, links to
related cases, internal notes, and who changed what, to the hour). The
record is encrypted on this computer to the hub's responders, like a
report: the server stores it but cannot read it.

You are named in the record by your label in the hub's signed recipient
list. Labels come from the hub's label set. If someone else changed the
case meanwhile, both changes are merged: no note and no label is lost.
"case note" reads the note from standard input without TEXT (or with -):
prefer it, as the computer's other users can see a command's arguments.
"case labels" and "case statuses" change the hub's label set and
sub-statuses, which its cases may use.

"case restrict" restricts case ID to the responders with the given
labels (yours among them: the lawyer and the coordinator, say): the hub
refuses the case to everyone else at once, and the report, each message
of its conversation and its case record are encrypted again to those
responders only. The others see only "1 restricted case" in their inbox.
"case unrestrict" opens the case to the whole hub again. The hub learns
the list of keys (docs/api.md, "Restricted cases"); if the command stops
half-way, run it again to finish.

Options:
    -hub URL        The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file, made with "difesa keygen".
    -pin FP         The admin key's fingerprint, learned out of band.
    -proxy URL      Connect through a proxy, like socks5h://127.0.0.1:9050
                    for Tor (the default is $ALL_PROXY, if set).`

// maxCaseWrites bounds the writes of one change when others write the
// same case meanwhile.
const maxCaseWrites = caseedit.MaxWrites

func runCase(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("case", "expected show, assign, label, note, link, followup, substatus, labels, statuses, restrict or unrestrict").hint(
			"for example: difesa case show -hub URL -i key.txt ID")
	}
	sub := args[0]
	flags := newFlagSet("case")
	var rf responderFlags
	rf.register(flags, "case")
	rf.registerPin(flags)
	pos, err := parseFlags(flags, args[1:])
	if err != nil {
		return err
	}
	if sub == "labels" || sub == "statuses" {
		return runCaseHub(ctx, e, sub, &rf, pos)
	}
	if sub == "restrict" || sub == "unrestrict" {
		return runCaseRestrict(ctx, e, sub, &rf, pos) // case_restrict.go
	}
	if len(pos) == 0 {
		return usageErrorf("case", "expected a submission id").hint("list the ids with \"difesa inbox\"")
	}
	id, rest := pos[0], pos[1:]
	if err := checkID("case", id); err != nil {
		return err
	}
	if sub == "note" && (len(rest) == 0 || len(rest) == 1 && rest[0] == "-") {
		if rest, err = noteFromStdin(e); err != nil {
			return err
		}
	}
	edit, err := parseCaseEdit(sub, rest)
	if err != nil {
		return err
	}
	c, ids, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	if sub == "show" {
		r, _, err := fetchCase(ctx, c, id, ids)
		if err != nil {
			return explainCaseError(err)
		}
		restricted, err := restrictionLine(ctx, e, c, rf.pin, id) // case_restrict.go
		if err != nil {
			return err
		}
		return writeAll(e.stdout, formatCase(id, r)+restricted)
	}
	v, err := verifyHub(ctx, e, c, rf.pin)
	if err != nil {
		return err
	}
	author, err := authorLabel(v, ids)
	if err != nil {
		return err
	}
	if sub == "assign" && rest[0] != "me" && rest[0] != "none" {
		if err := checkResponderLabel(v, rest[0]); err != nil {
			return err
		}
	}
	hub, err := fetchHubRecord(ctx, c, ids)
	if err != nil {
		return err
	}
	hour := caserecord.Hour(e.now())
	apply := func(r *caserecord.Record) error { return edit(r, hub, author, hour) }
	to, err := caseSealTo(ctx, c, v, id) // a restricted case's responders only
	if err != nil {
		return err
	}
	version, err := writeCase(ctx, c, id, ids, to, apply)
	if err != nil {
		return explainCaseError(err)
	}
	e.printf("case %s changed (version %d)", id, version)
	return nil
}

// noteFromStdin reads a note's text from standard input, where it is not
// seen by the computer's other users in the process list or kept in a
// shell's history.
func noteFromStdin(e *env) ([]string, error) {
	b, err := io.ReadAll(io.LimitReader(e.stdin, caserecord.MaxNoteText+2))
	if err != nil {
		return nil, fmt.Errorf("reading the note from standard input: %w", err)
	}
	text := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if len(text) > caserecord.MaxNoteText {
		return nil, errorWithHints(fmt.Sprintf("the note is over %d bytes", caserecord.MaxNoteText), "shorten it, or split it into several notes")
	}
	if text == "" {
		return nil, usageErrorf("case", "case note expects a text, after the id or on standard input")
	}
	return []string{text}, nil
}

// parseCaseEdit checks the arguments of a subcommand before anything
// touches the network.
func parseCaseEdit(sub string, args []string) (func(r *caserecord.Record, hub *caserecord.Hub, author, hour string) error, error) {
	want := func(n int, what string) error {
		if len(args) != n {
			return usageErrorf("case", "case %s expects %s after the id, got %s", sub, what, count(len(args), "argument", "arguments"))
		}
		return nil
	}
	switch sub {
	case "show":
		return nil, want(0, "nothing")
	case "assign":
		if err := want(1, "me, none or a responder label"); err != nil {
			return nil, err
		}
		return func(r *caserecord.Record, _ *caserecord.Hub, author, hour string) error {
			to := args[0]
			switch to {
			case "me":
				to = author
			case "none":
				to = ""
			}
			return r.Set(caserecord.FieldAssignee, to, author, hour)
		}, nil
	case "followup":
		if err := want(1, "a day (YYYY-MM-DD) or none"); err != nil {
			return nil, err
		}
		return func(r *caserecord.Record, _ *caserecord.Hub, author, hour string) error {
			day := args[0]
			if day == "none" {
				day = ""
			}
			return r.Set(caserecord.FieldFollowUp, day, author, hour)
		}, nil
	case "substatus":
		if err := want(1, "a sub-status of the hub or none"); err != nil {
			return nil, err
		}
		return func(r *caserecord.Record, hub *caserecord.Hub, author, hour string) error {
			st := args[0]
			if st == "none" {
				st = ""
			}
			if err := r.Set(caserecord.FieldSubStatus, st, author, hour); err != nil {
				return err
			}
			if err := r.CheckHub(hub); err != nil {
				return withHints(err, fmt.Sprintf("the hub's sub-statuses are: %s; \"difesa case statuses\" changes them", cleanList(hub.SubStatuses)))
			}
			return nil
		}, nil
	case "note":
		if len(args) == 0 {
			return nil, usageErrorf("case", "case note expects the text of the note after the id")
		}
		text := strings.Join(args, " ")
		return func(r *caserecord.Record, _ *caserecord.Hub, author, hour string) error {
			_, err := r.AddNote(author, hour, text, "")
			return err
		}, nil
	case "link":
		if err := want(2, "a kind (duplicate, same_defender, same_incident) and another submission id"); err != nil {
			return nil, err
		}
		if err := checkID("case", args[1]); err != nil {
			return nil, err
		}
		return func(r *caserecord.Record, _ *caserecord.Hub, _, _ string) error {
			return r.AddLink(args[0], args[1])
		}, nil
	case "label":
		if len(args) == 0 {
			return nil, usageErrorf("case", "case label expects +LABEL or -LABEL after the id")
		}
		for _, a := range args {
			if len(a) < 2 || (a[0] != '+' && a[0] != '-') {
				return nil, usageErrorf("case", "%q is neither +LABEL nor -LABEL", a).hint("+urgent puts the label urgent on the case, -urgent takes it off")
			}
		}
		return func(r *caserecord.Record, hub *caserecord.Hub, _, _ string) error {
			for _, a := range args {
				if a[0] == '-' {
					r.RemoveLabel(a[1:])
					continue
				}
				if err := r.AddLabel(a[1:]); err != nil {
					return err
				}
			}
			if err := r.CheckHub(hub); err != nil {
				if len(hub.Labels) == 0 {
					return withHints(err, "the hub has no labels yet: \"difesa case labels +NAME\" adds one")
				}
				return withHints(err, fmt.Sprintf("the hub's labels are: %s", strings.Join(hub.Labels, ", ")))
			}
			return nil
		}, nil
	}
	return nil, usageErrorf("case", "unknown subcommand %q", sub).hint("one of show, assign, label, note, link, followup, substatus, labels, statuses")
}

// authorLabel is the label of the caller's key in the verified manifest.
func authorLabel(v *client.Verified, ids []age.Identity) (string, error) {
	l, err := caseedit.Author(v, ids)
	if err != nil {
		return "", errorWithHints("your key has no label in the hub's recipient list: the case record could not say who you are",
			"ask the hub's admin to give your key a label in the next manifest")
	}
	return l, nil
}

// checkResponderLabel refuses to assign a case to a label that no key of
// the verified manifest has.
func checkResponderLabel(v *client.Verified, label string) error {
	var labels []string
	for _, r := range v.Manifest.Recipients {
		if r.Label == label {
			return nil
		}
		if r.Label != "" {
			labels = append(labels, r.Label)
		}
	}
	return errorWithHints(fmt.Sprintf("no responder of the hub is labelled %q", label),
		"assign to me, none, or one of: "+cleanList(labels))
}

func fetchCase(ctx context.Context, c *client.Client, id string, ids []age.Identity) (*caserecord.Record, uint64, error) {
	r, v, err := caseedit.Fetch(ctx, c, id, ids)
	return r, v, notFoundHint(err, noSubmissionHint)
}

func fetchHubRecord(ctx context.Context, c *client.Client, ids []age.Identity) (*caserecord.Hub, error) {
	h, _, err := caseedit.FetchHub(ctx, c, ids)
	return h, err
}

// writeCase applies a change through the edit loop the desk shares
// (internal/caseedit): on a colleague's write it merges and tries again.
func writeCase(ctx context.Context, c *client.Client, id string, ids []age.Identity, to []age.Recipient, apply func(*caserecord.Record) error) (uint64, error) {
	res, err := caseedit.Write(ctx, c, id, ids, to, apply)
	if errors.Is(err, caseedit.ErrKeptChanging) {
		return 0, errorWithHints(fmt.Sprintf("the case record of %s kept changing while it was written %d times", id, caseedit.MaxWrites),
			"try again in a moment")
	}
	if err != nil {
		return 0, notFoundHint(err, noSubmissionHint)
	}
	return res.Version, nil
}

// formatCase writes a record for people and scripts, one fact a line.
func formatCase(id string, r *caserecord.Record) string {
	var b strings.Builder
	or := func(s, none string) string {
		if s == "" {
			return none
		}
		return clean(s)
	}
	fmt.Fprintf(&b, "Case %s\n", id)
	fmt.Fprintf(&b, "assignee:   %s\n", or(r.Assignee, "(nobody)"))
	labels := make([]string, len(r.Labels))
	for i, l := range r.Labels {
		labels[i] = clean(l)
	}
	fmt.Fprintf(&b, "labels:     %s\n", or(strings.Join(labels, ", "), "(none)"))
	fmt.Fprintf(&b, "sub-status: %s\n", or(r.SubStatus, "(none)"))
	fmt.Fprintf(&b, "follow-up:  %s\n", or(r.FollowUp, "(none)"))
	for _, l := range r.Links {
		fmt.Fprintf(&b, "link:       %s %s\n", l.Kind, clean(l.Target))
	}
	fmt.Fprintf(&b, "\nNotes (%d):\n", len(r.Notes))
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  [%s] %s, %s:\n", n.ID, clean(n.Author), n.Hour)
		for _, line := range strings.Split(n.Text, "\n") {
			fmt.Fprintf(&b, "    %s\n", clean(line))
		}
		if n.Attachment != "" {
			fmt.Fprintf(&b, "    attachment: %s\n", clean(n.Attachment))
		}
	}
	fmt.Fprintf(&b, "\nHistory (%d):\n", len(r.History))
	for _, h := range r.History {
		fmt.Fprintf(&b, "  %s %s: %s %q -> %q\n", h.Hour, clean(h.Author), h.Field, clean(h.Old), clean(h.New))
	}
	return b.String()
}
