package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

const adminFormUsage = `Usage:
    difesa admin form check [-lang CODE]... FILE.json
    difesa admin form sign -key ADMINKEY [-lang CODE]... [-y] -o SIGNED.json FILE.json
    difesa admin form publish -hub URL SIGNED.json

A hub's forms (docs/forms.md) are signed by its admin key, like its
recipient lists and bulletins: defenders' clients refuse a form the key
did not sign, or an older version than one they have seen.

    check     Checks a form you wrote and lists what to fix: errors (an
              unknown type, a condition on a later field, a limit) and
              warnings (a missing translation, a choice without a code).
              -lang names the languages the hub's pages offer.
    sign      Checks the form, shows it, and signs its canonical bytes
              with the admin key. Needs no network: it can run on a
              computer that is never online.
    publish   Sends a signed form to the hub, which refuses a version that
              is not newer than the one it has.`

func runAdminForm(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("admin", "missing subcommand of \"admin form\"").hint("use check, sign or publish")
	}
	switch args[0] {
	case "check":
		return runAdminFormCheck(e, args[1:])
	case "sign":
		return runAdminFormSign(e, args[1:])
	case "publish":
		return runAdminFormPublish(ctx, e, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(e.stderr, adminFormUsage)
		return nil
	}
	return usageErrorf("admin", "unknown subcommand \"admin form %s\"", args[0]).hint("use check, sign or publish")
}

// readFormSource reads the form an admin wrote and lints it, printing
// every issue; it fails if there is an error.
func readFormSource(e *env, path string, langs []string) (*form.Form, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the form: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, form.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the form %s: %w", path, err)
	}
	if _, serr := form.ParseSigned(data); serr == nil {
		return nil, errorWithHints(fmt.Sprintf("%s is already signed", path), "give the form you wrote, not the signed file")
	}
	fm, issues := form.Check(data, langs)
	for _, i := range issues {
		e.printf("%s: %s (%s)", i.Severity, i.Message, i.Code)
	}
	if fm == nil {
		return nil, withHints(fmt.Errorf("%s is not a form difesa accepts", path),
			"fix what the error names; docs/forms.md describes the format")
	}
	return fm, nil
}

// describeForm shows a form for people, in its first language.
func describeForm(fm *form.Form) string {
	var b strings.Builder
	lang := fm.Languages[0]
	fmt.Fprintf(&b, "hub:       %s\nform:      %s\nversion:   %d\nlanguages: %s\ntitle:     %s\n",
		clean(fm.Hub), clean(fm.ID), fm.Version, strings.Join(fm.Languages, ", "), clean(fm.In(fm.Title, lang)))
	fmt.Fprintf(&b, "questions (%d):\n", len(fm.Fields))
	for _, fl := range fm.Fields {
		req := ""
		if fl.Required {
			req = ", required"
		}
		cond := ""
		if fl.ShowIf != nil {
			cond = fmt.Sprintf(" — only if %s is %s", fl.ShowIf.Field, strings.Join(fl.ShowIf.Values, " or "))
		}
		fmt.Fprintf(&b, "  %-20s %s (%s%s)%s\n", fl.ID, clean(fm.In(fl.Label, lang)), fl.Type, req, cond)
	}
	return b.String()
}

func runAdminFormCheck(e *env, args []string) error {
	flags := newFlagSet("admin")
	var langs multiFlag
	flags.Var(&langs, "lang", "a language the hub offers")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("admin", "expected one form file, got %d arguments", len(pos)).hint("usage: difesa admin form check [-lang CODE]... FILE.json")
	}
	fm, err := readFormSource(e, pos[0], langs)
	if err != nil {
		return err
	}
	fmt.Fprint(e.stdout, describeForm(fm))
	e.printf("%s is a valid form; sign it with: difesa admin form sign -key ADMINKEY -o SIGNED.json %s", pos[0], pos[0])
	return nil
}

func runAdminFormSign(e *env, args []string) error {
	flags := newFlagSet("admin")
	keyFile := flags.String("key", "", "the admin key file")
	out := flags.String("o", "", "output file")
	yes := flags.Bool("y", false, "do not ask")
	var langs multiFlag
	flags.Var(&langs, "lang", "a language the hub offers")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	const usage = "usage: difesa admin form sign -key ADMINKEY -o SIGNED.json FILE.json"
	switch {
	case len(pos) != 1:
		return usageErrorf("admin", "expected one form file, got %d arguments", len(pos)).hint(usage)
	case *keyFile == "":
		return usageErrorf("admin", "missing -key ADMINKEY").hint(usage)
	case *out == "":
		return usageErrorf("admin", "missing -o SIGNED.json").hint(usage)
	}
	fm, err := readFormSource(e, pos[0], langs)
	if err != nil {
		return err
	}
	if fm.ID == form.DefaultID {
		return errorWithHints(fmt.Sprintf("the form id %q is the built-in form's", form.DefaultID), "choose another id")
	}
	sk, err := keyToSign(e, *keyFile, describeForm(fm), "Defenders will be asked these questions.", *yes)
	if err != nil {
		return err
	}
	s, err := form.Sign(sk, fm)
	if err != nil {
		return err
	}
	if err := writeNewFile(*out, form.MarshalSigned(s), 0o644, "signed form"); err != nil {
		return err
	}
	e.printf("signed version %d of form %q of hub %q (SHA-256 %s): %s", fm.Version, fm.ID, fm.Hub, form.Hash(s.Form), *out)
	e.printf("hint: publish it with: difesa admin form publish -hub HUB_URL %s", *out)
	return nil
}

func runAdminFormPublish(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("admin")
	var hf hubFlags
	hf.register(flags, "admin")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("admin", "expected one signed form file, got %d arguments", len(pos)).hint("usage: difesa admin form publish -hub URL SIGNED.json")
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return fmt.Errorf("reading the signed form: %w", err)
	}
	s, err := form.ParseSigned(data)
	if err != nil {
		return withHints(fmt.Errorf("%s: %w", pos[0], err),
			"publish the file made by \"difesa admin form sign\", not the form you wrote")
	}
	fm, err := form.Parse(s.Form)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	c, err := hf.client()
	if err != nil {
		return err
	}
	if fm.Hub != c.HubID() {
		return errorWithHints(fmt.Sprintf("%s is a form of hub %q, not of %q", pos[0], clean(fm.Hub), c.HubID()), "check -hub and the file")
	}
	info, err := c.Hub(ctx)
	if err != nil {
		return notFoundHint(fmt.Errorf("asking the hub for its admin key: %w", err), noHubHint)
	}
	if err := checkSigningKey(c, info, s); err != nil {
		return err
	}
	p, err := c.PublishForm(ctx, s)
	if err != nil {
		return explainFormPublishError(err)
	}
	e.printf("published version %d of form %q of hub %q", p.Version, p.ID, c.HubID())
	return nil
}

// checkSigningKey refuses a signed form that the hub's admin key (the
// pinned one, and the one the hub announces) did not sign.
func checkSigningKey(c *client.Client, info *wire.HubInfo, s *wire.SignedForm) error {
	keys := []string{info.AdminKey}
	ps, err := pinStore()
	if err != nil {
		return err
	}
	if pin, ok, err := ps.Get(c.HubURL()); err != nil {
		return explainTrustError(err, c)
	} else if ok {
		keys = append(keys, pin.AdminKey)
	}
	for _, k := range keys {
		pk, err := manifest.ParsePublicKey(k)
		if err != nil {
			return errorWithHints(fmt.Sprintf("hub %q presents no valid admin key", c.HubID()), "set admin_key in the server's configuration for this hub")
		}
		if _, err := form.Verify(s, pk); err != nil {
			return withHints(fmt.Errorf("the form is not signed by the admin key of hub %q (fingerprint %s): %w", c.HubID(), pk.Fingerprint(), err),
				"sign it with the admin key the hub was set up with")
		}
	}
	return nil
}

// explainFormPublishError says what the hub's refusal means.
func explainFormPublishError(err error) error {
	var we *wire.Error
	if !errors.As(err, &we) {
		return notFoundHint(fmt.Errorf("publishing: %w", err), noHubHint)
	}
	refused := func(what string, hints ...string) error {
		return withHints(fmt.Errorf("the hub refused the form: %s (%s)", what, we.Code), hints...)
	}
	switch we.Code {
	case wire.CodeFormRollback:
		return refused("its version is not newer than the one the hub has",
			"raise \"version\" in the form you wrote, sign it again and publish that")
	case wire.CodeFormUnsigned:
		return refused("it is not signed by this hub's admin key", "sign it with the admin key the hub was set up with")
	}
	if strings.HasPrefix(we.Code, "form_") {
		return refused(we.Message, "check the form with \"difesa admin form check\"")
	}
	return notFoundHint(fmt.Errorf("publishing: %w", err), noHubHint)
}
