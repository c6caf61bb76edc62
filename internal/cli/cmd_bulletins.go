package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"difesa.org/difesa/internal/cap"
)

const bulletinsUsage = `Usage:
    difesa bulletins -hub URL [-lang CODE] [-all] [-pin FINGERPRINT]

Shows the hub's current bulletins: the alerts its people publish to the
community, newest first. A bulletin stops being current when it expires, or
when a later one updates or cancels it; -all shows those too, marked.

Each bulletin is signed by the hub's admin key, the same key that signs its
list of responders: difesa checks every signature against the key it
pinned for the hub (see "difesa help pins"), and refuses to show anything if
one does not check, since the server or someone on the way may have forged
it.

Options:
    -hub URL          The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -lang CODE        The language to show bulletins in, like it or en (the
                      default is that of $LANG). A bulletin not written in
                      it is shown in its first language. The words around
                      it (severity, What to do…) are in your language if
                      difesa has it (en, es, fr, it, pl, pt, ro, sl), else
                      in the bulletin's.
    -all              Show expired, updated and cancelled bulletins too.
    -pin FINGERPRINT  The fingerprint of the hub's admin key, if difesa has
                      not pinned it yet.
    -proxy URL        Connect through a proxy, like socks5h://127.0.0.1:9050
                      for Tor (the default is $ALL_PROXY, if set).

Whether a bulletin expired or was replaced, difesa decides from the signed
documents, not from what the server says. The list itself is not signed,
though: a server can hold bulletins back, or hide the update of an old
one. What difesa shows was signed by the hub's admin key; that it is all
there is, only the hub's people can say.`

func runBulletins(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("bulletins")
	var hf hubFlags
	hf.register(flags, "bulletins")
	hf.registerPin(flags)
	lang := flags.String("lang", "", "the language to show")
	all := flags.Bool("all", false, "show expired and replaced bulletins too")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("bulletins", "unexpected argument %q", pos[0])
	}
	if *lang != "" && !langTag.MatchString(*lang) {
		return usageErrorf("bulletins", "-lang %q is not a language tag", *lang).hint("a language tag looks like it, en or pt-BR")
	}
	if *lang == "" {
		*lang = envLocale(os.Getenv)
	}
	c, err := hf.client()
	if err != nil {
		return err
	}
	v, err := verifyHub(ctx, e, c, hf.pin)
	if err != nil {
		return err
	}
	l, err := c.ListBulletins(ctx)
	if err != nil {
		return notFoundHint(fmt.Errorf("listing the hub's bulletins: %w", err), noHubHint)
	}
	var (
		checked  []*checkedBulletin
		problems []*bulletinProblem
		seen     = map[cap.Reference]uint64{}
	)
	fetched := fetchAllChecked(ctx, c, v.AdminKey, l.Bulletins)
	for i, li := range l.Bulletins {
		b, err := fetched[i].b, fetched[i].err
		var p *bulletinProblem
		if errors.As(err, &p) {
			problems = append(problems, p)
			continue
		}
		if err != nil {
			return notFoundHint(err, noHubHint)
		}
		if first, dup := seen[refOf(b.alert)]; dup {
			problems = append(problems, &bulletinProblem{seq: b.seq, identifier: li.Identifier,
				reason: fmt.Sprintf("is a second copy of bulletin %d: the server mixes up its bulletins", first)})
			continue
		}
		seen[refOf(b.alert)] = b.seq
		checked = append(checked, b)
	}
	if len(problems) > 0 {
		return refuseBulletins(e, c.HubID(), problems, len(l.Bulletins))
	}

	views := bulletinViews(checked, e.now())
	shown := 0
	w := &printer{w: e.stdout}
	for _, bv := range views {
		if !*all && !bv.current() {
			continue
		}
		if shown > 0 {
			w.printf("")
		}
		writeBulletin(w, bv, *lang)
		shown++
	}
	if w.err != nil {
		return w.err
	}
	switch {
	case len(views) == 0:
		e.printf("hub %q has no bulletins", c.HubID())
	case *all:
		e.printf("%s of hub %q, each signed by its admin key (fingerprint %s)", count(len(views), "bulletin", "bulletins"), c.HubID(), v.AdminKey.Fingerprint())
	default:
		e.printf("%s of hub %q, each signed by its admin key (fingerprint %s)", count(shown, "current bulletin", "current bulletins"), c.HubID(), v.AdminKey.Fingerprint())
		if n := len(views) - shown; n > 0 {
			e.printf("hint: %d more expired or %s updated or cancelled; -all shows them", n, verb(n, "was", "were"))
		}
	}
	return nil
}

// refuseBulletins reports, loudly, bulletins that failed their checks.
func refuseBulletins(e *env, hub string, problems []*bulletinProblem, total int) error {
	forged := slices.ContainsFunc(problems, func(p *bulletinProblem) bool { return p.forged })
	for _, p := range problems {
		e.printf("WARNING: %s", clean(p.Error()))
	}
	hints := []string{
		fmt.Sprintf("do not trust or act on the bulletins of hub %q until this is cleared up", hub),
		"tell the people who run the hub, through another channel than the hub itself",
	}
	if forged {
		hints = append(hints, "a bulletin that is not signed by the hub's admin key was written by someone else: the server may be compromised, or something on the way changes what it sends")
	}
	return withHints(fmt.Errorf("refusing to show the bulletins of hub %q: %d of %d failed the checks", hub, len(problems), total), hints...)
}
