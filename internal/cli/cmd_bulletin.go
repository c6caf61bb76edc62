package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"difesa.org/difesa/internal/cap"
)

const bulletinUsage = `Usage:
    difesa bulletin new [-hub URL | -sender SENDER] [ALERT OPTIONS] [INFO OPTIONS]
                        [-lang CODE INFO OPTIONS]... [-o FILE]
    difesa bulletin new -from FILE [-o FILE]
    difesa bulletin publish -hub URL -key ADMINKEY FILE

A hub publishes bulletins to its community: alerts in the OASIS Common
Alerting Protocol (CAP 1.2), signed by the hub's admin key. Defenders read
them with "difesa bulletins", which refuses any the key did not sign.

    new       Writes a CAP 1.2 document to standard output (or -o FILE),
              from the options below, or checks a finished one (-from).
              It needs no admin key: read the document, then publish it.
    publish   Signs FILE with the admin key, exactly as it is, and sends it
              to the hub. The key must be the hub's admin key, and the
              document's sender the one the hub requires.

Alert options (new):
    -hub URL            Take the sender from the hub (and -pin, -proxy as in
                        other commands). Needed for -updates and -cancels.
    -sender SENDER      The CAP sender, if not taken from -hub.
    -id IDENTIFIER      The bulletin's identifier (default: the sender, a dash
                        and a random number). No spaces, commas, < or &.
    -status S           Actual (the default), Exercise, System, Test or Draft.
    -type T             Alert (the default), Update or Cancel.
    -updates ID         Make an Update of the hub's bulletin ID (needs -hub).
    -cancels ID         Make a Cancel of the hub's bulletin ID (needs -hub).
    -references SENDER,IDENTIFIER,SENT
                        Name an earlier bulletin by hand (repeatable).
    -sent DATETIME      When it is sent (default: now, to the minute), like
                        2026-11-23T14:00:00+01:00. UTC is written -00:00, as
                        CAP wants, here and in -references (+00:00 too).

Info options (new), for one language:
    -lang CODE          Start the block of a language (it, en, pt-BR…): the
                        info options after it apply to that language.
    -event TEXT         What it is about, in a few words (required).
    -headline TEXT      The title people see first.
    -description TEXT   What happens.
    -instruction TEXT   What people should do.
    -area TEXT          Where (repeatable).
    -category C         Security (the default), Safety, Rescue, Health,
                        Transport, Infra, Other, Geo, Met, Fire, Env or CBRNE
                        (repeatable).
    -urgency U          Immediate, Expected, Future, Past or Unknown (default).
    -severity S         Extreme, Severe, Moderate, Minor or Unknown (default).
    -certainty C        Observed, Likely, Possible, Unlikely or Unknown
                        (default).
    -expires WHEN       A duration after -sent (48h, 7d) or a date-time.
    -web URL            A page with more.
    -contact TEXT       Whom to contact.

Without -lang there is one info block, in CAP's default language (en-US).
With -lang, the info options given before the first -lang apply to every
language that does not set them; -headline, -description and -instruction
go after a -lang. A Cancel may have no info block at all.

Publish options:
    -hub URL            The hub's address.
    -key ADMINKEY       The admin key file, made by "difesa admin keygen".
    -proxy URL          Connect through a proxy, like socks5h://127.0.0.1:9050.

Example:
    $ difesa bulletin new -hub URL -severity Severe -urgency Immediate -certainty Observed \
          -area Milano -expires 48h \
          -lang it -event Arresti -headline "Arresti al presidio" -instruction "Evitate la piazza" \
          -lang en -event Arrests -headline "Arrests at the sit-in" -instruction "Avoid the square" \
          -o arrests.xml
    $ difesa bulletin publish -hub URL -key admin.key arrests.xml
    $ difesa bulletin new -hub URL -cancels IDENTIFIER -o cancel.xml`

func runBulletin(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("bulletin", "missing subcommand").hint("use \"difesa bulletin new\" or \"difesa bulletin publish\"")
	}
	switch args[0] {
	case "new":
		return runBulletinNew(ctx, e, args[1:])
	case "publish":
		return runBulletinPublish(ctx, e, args[1:])
	case "-h", "-help", "--help", "help":
		return flag.ErrHelp
	}
	return usageErrorf("bulletin", "unknown subcommand %q", args[0]).hint("use \"difesa bulletin new\" or \"difesa bulletin publish\"")
}

func runBulletinNew(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("bulletin")
	var hf hubFlags
	hf.register(flags, "bulletin")
	hf.registerPin(flags)
	var spec bulletinSpec
	spec.register(flags)
	from := flags.String("from", "", "a finished CAP document to check")
	out := flags.String("o", "", "output file")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("bulletin", "unexpected argument %q", pos[0]).hint(
			"every option takes its value after it, like -headline \"TEXT\"; quote texts with spaces")
	}
	doc, err := newBulletinDocument(ctx, e, flags, &hf, &spec, *from)
	if err != nil {
		return err
	}
	if *out == "" || *out == "-" {
		if _, err := e.stdout.Write(doc); err != nil {
			return fmt.Errorf("writing the bulletin: %w", err)
		}
		return nil
	}
	if err := writeNewFile(*out, doc, 0o644, "bulletin"); err != nil {
		return err
	}
	hub := hf.hub
	if hub == "" {
		hub = "HUB_URL"
	}
	e.printf("wrote the bulletin to %s", *out)
	e.printf("hint: read it, then publish it with: difesa bulletin publish -hub %s -key ADMINKEY %s", hub, *out)
	return nil
}

// newBulletinDocument returns the document of "bulletin new": -from's,
// checked, or one built from the flags.
func newBulletinDocument(ctx context.Context, e *env, flags *flag.FlagSet, hf *hubFlags, spec *bulletinSpec, from string) ([]byte, error) {
	if from != "" {
		var other string
		flags.Visit(func(f *flag.Flag) {
			if f.Name != "from" && f.Name != "o" && f.Name != "proxy" && other == "" {
				other = f.Name
			}
		})
		if other != "" {
			return nil, usageErrorf("bulletin", "-from takes a finished document: -%s cannot go with it", other).hint(
				"to build a document from options, leave out -from")
		}
		doc, _, err := readBulletinFile(from)
		return doc, err
	}
	sender := spec.sender
	set := func(name string) bool { return isSet(flags, name) }
	// Refuse mistakes in the options before going online.
	lookups := slices.Concat(spec.updates, spec.cancels)
	var placeholders []cap.Reference
	for _, id := range lookups {
		placeholders = append(placeholders, cap.Reference{Sender: "sender", Identifier: id})
	}
	trySender := sender
	if hf.hub != "" {
		trySender = "sender"
	}
	if _, err := spec.alert(e.now(), trySender, placeholders, set); err != nil {
		return nil, err
	}
	var refs []cap.Reference
	if hf.hub != "" {
		c, err := hf.client()
		if err != nil {
			return nil, err
		}
		v, err := verifyHub(ctx, e, c, hf.pin)
		if err != nil {
			return nil, err
		}
		info, err := c.Hub(ctx)
		if err != nil {
			return nil, notFoundHint(fmt.Errorf("asking the hub for its bulletin sender: %w", err), noHubHint)
		}
		if info.BulletinSender == "" {
			return nil, errorWithHints(fmt.Sprintf("hub %q names no bulletin sender: it does not take bulletins", c.HubID()),
				"ask the people who run the server to set up bulletins for this hub")
		}
		if sender != "" && sender != info.BulletinSender {
			return nil, usageErrorf("bulletin", "-sender %q is not the sender hub %q requires (%q)", sender, c.HubID(), clean(info.BulletinSender)).hint(
				"leave out -sender: with -hub difesa takes the hub's")
		}
		sender = info.BulletinSender
		if refs, err = lookupReferences(ctx, c, v.AdminKey, sender, lookups); err != nil {
			return nil, err
		}
	} else if len(lookups) > 0 {
		return nil, usageErrorf("bulletin", "-updates and -cancels need -hub").hint(
			"difesa looks the bulletin up on the hub; without -hub give it with -references SENDER,IDENTIFIER,SENT")
	}
	a, err := spec.alert(e.now(), sender, refs, set)
	if err != nil {
		return nil, err
	}
	doc, err := a.Marshal()
	if err != nil {
		return nil, withHints(fmt.Errorf("the bulletin does not check: %w", err), "check the options against \"difesa help bulletin\"")
	}
	return doc, nil
}

// readBulletinFile reads a CAP document of at most cap.MaxSize bytes and
// checks it.
func readBulletinFile(path string) ([]byte, *cap.Alert, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the bulletin: %w", err)
	}
	defer f.Close()
	doc, err := io.ReadAll(io.LimitReader(f, cap.MaxSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the bulletin %s: %w", path, err)
	}
	if len(doc) > cap.MaxSize {
		return nil, nil, errorWithHints(fmt.Sprintf("%s is larger than %s, the most a bulletin may be", path, humanSize(cap.MaxSize)),
			"keep bulletins short: link to longer texts with -web")
	}
	a, err := cap.Check(doc)
	if err != nil {
		return nil, nil, withHints(fmt.Errorf("%s is not a bulletin difesa accepts: %w", path, err),
			"write bulletins with \"difesa bulletin new\", or fix what the error names")
	}
	return doc, a, nil
}
