package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"text/tabwriter"

	"difesa.org/difesa/internal/client"
)

const pinsUsage = `Usage:
    difesa pins list
    difesa pins forget -hub URL

Every hub's list of responders is signed by the hub's admin key. The first
time difesa talks to a hub it remembers ("pins") that key, and the latest
list it has checked; afterwards it refuses any list the key did not sign, an
older list than one it has seen, or a history that does not add up.

    list      Shows the pinned hubs, the epoch of their latest list, and the
              fingerprint of their admin key.
    forget    Forgets a hub's pin. Do this only when the people who run the
              hub confirm, through another channel than the hub itself,
              that its admin key changed; then check the new key with
              -pin FINGERPRINT the next time you use the hub.

The pins are kept in pins.json in difesa's folder ($DIFESA_CONFIG_DIR, or
"difesa" in your user configuration folder).`

func runPins(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("pins", "missing subcommand").hint("use \"difesa pins list\" or \"difesa pins forget -hub URL\"")
	}
	switch args[0] {
	case "list":
		return runPinsList(e, args[1:])
	case "forget":
		return runPinsForget(e, args[1:])
	case "-h", "-help", "--help", "help":
		return flag.ErrHelp
	}
	return usageErrorf("pins", "unknown subcommand %q", args[0]).hint("use \"difesa pins list\" or \"difesa pins forget -hub URL\"")
}

func runPinsList(e *env, args []string) error {
	flags := newFlagSet("pins")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("pins", "unexpected argument %q", pos[0])
	}
	ps, err := pinStore()
	if err != nil {
		return err
	}
	pins, err := ps.List()
	if err != nil {
		return explainPinError(err)
	}
	if len(pins) == 0 {
		e.printf("no hub is pinned yet (%s)", ps.Path())
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HUB\tEPOCH\tADMIN KEY FINGERPRINT")
	for _, p := range pins {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", clean(p.Hub), p.Epoch, clean(p.Fingerprint))
	}
	return tw.Flush()
}

func runPinsForget(e *env, args []string) error {
	flags := newFlagSet("pins")
	hub := flags.String("hub", "", "the hub's address")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("pins", "unexpected argument %q", pos[0])
	}
	if *hub == "" {
		return usageErrorf("pins", "missing -hub").hint("\"difesa pins list\" shows the pinned hubs")
	}
	ps, err := pinStore()
	if err != nil {
		return err
	}
	old, err := ps.Forget(*hub)
	if errors.Is(err, client.ErrNotPinned) {
		return withHints(err, "\"difesa pins list\" shows the pinned hubs")
	}
	if err != nil {
		return explainPinError(err)
	}
	e.printf("forgot the pin of %s (admin key %s, epoch %d)", old.Hub, old.Fingerprint, old.Epoch)
	e.printf("hint: the next time you use this hub, give the new fingerprint with -pin, as its people confirm it")
	return nil
}

func explainPinError(err error) error {
	if errors.Is(err, client.ErrPinsDamaged) {
		return withHints(err,
			"the pin file keeps the admin keys of the hubs you used; restore it from a backup",
			"or move it away and check each hub's fingerprint again with -pin")
	}
	return err
}
