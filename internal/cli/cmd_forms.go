package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/wire"
)

const formsUsage = `Usage:
    difesa forms -hub URL [-lang CODE] [-pin FINGERPRINT]

Lists the report forms of a hub, with their titles in your language. A
hub may design its own questions; each form is signed by the hub's admin
key, the same key that signs its list of responders. difesa checks every
form against the key it pinned for the hub, and refuses a form the key did
not sign, or an older version of a form than one it has already seen on
this computer: if that happens, do not send anything with that form.

Options:
    -hub URL          The hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -lang CODE        The language to show the titles in (default: $LANG).
    -pin FINGERPRINT  The fingerprint of the hub's admin key, if difesa has
                      not pinned it yet.
    -proxy URL        Connect through a proxy, like socks5h://127.0.0.1:9050.`

func runForms(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("forms")
	var hf hubFlags
	hf.register(flags, "forms")
	hf.registerPin(flags)
	lang := flags.String("lang", "", "the language to show")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("forms", "unexpected argument %q", pos[0])
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
	ps, err := pinStore()
	if err != nil {
		return err
	}
	l, err := c.ListForms(ctx)
	if err != nil {
		return notFoundHint(fmt.Errorf("listing the hub's forms: %w", err), noHubHint)
	}
	w := &printer{w: e.stdout}
	for _, info := range l.Forms {
		vf, err := c.VerifiedForm(ctx, ps, v.AdminKey, info.ID)
		if err != nil {
			return explainFormError(c, info.ID, err)
		}
		w.printf("%s  version %d  %s", vf.Form.ID, vf.Form.Version, clean(vf.Form.In(vf.Form.Title, *lang)))
	}
	if len(l.Forms) == 0 {
		e.printf("hub %q has no forms of its own: \"difesa submit\" asks the usual questions", c.HubID())
	} else {
		e.printf("hint: send a report with one of them: difesa submit -hub %s -form ID", c.HubURL())
	}
	return w.err
}

// explainFormError turns a refused form into an error that tells the
// defender not to send with it.
func explainFormError(c *client.Client, id string, err error) error {
	dont := "do NOT send anything with this form: the questions may not be the ones the hub's people wrote"
	ask := "tell the people who run the hub, through another channel (in person, by phone)"
	switch {
	case errors.Is(err, form.ErrUnsigned), errors.Is(err, form.ErrWrongHub):
		return withHints(fmt.Errorf("refusing form %q of hub %q: the hub's admin key did not sign it (%s): %w", id, c.HubID(), form.Code(err), err),
			dont, "this can mean that the server was compromised", ask)
	case errors.Is(err, form.ErrRollback), errors.Is(err, form.ErrConflict):
		return withHints(fmt.Errorf("refusing form %q of hub %q: it is an older version than one this computer has seen (%s): %w", id, c.HubID(), form.Code(err), err),
			dont, "a server that serves an old form may be compromised, or restored from an old backup", ask)
	case form.Code(err) != "":
		return withHints(fmt.Errorf("refusing form %q of hub %q (%s): %w", id, c.HubID(), form.Code(err), err), dont, ask)
	}
	if errors.Is(err, &wire.Error{Code: wire.CodeNotFound}) {
		return withHints(fmt.Errorf("hub %q has no form %q", c.HubID(), id),
			fmt.Sprintf("\"difesa forms -hub %s\" lists its forms", c.HubURL()))
	}
	return notFoundHint(fmt.Errorf("fetching form %q: %w", id, err), noHubHint)
}
