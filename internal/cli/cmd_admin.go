package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"difesa.org/difesa/internal/manifest"
)

const adminUsage = `Usage:
    difesa admin keygen   -o ADMINKEY
    difesa admin init     -hub-id ID -o FILE.manifest [-recipient KEY:ROLE:LABEL]... [-recipients-file FILE]
    difesa admin manifest -from SIGNED.json|HUB_URL -pubkey ADMINPUB|-key ADMINKEY
                          [-add KEY[:ROLE[:LABEL]]]... [-add-file FILE] [-remove KEY]...
                          [-label KEY=LABEL]... [-role KEY=ROLE]... [-i IDENTITY] -o NEXT.manifest
    difesa admin sign     -key ADMINKEY -o OUT.json FILE.manifest
    difesa admin publish  -hub URL [-i IDENTITY] [-force] FILE.json
    difesa admin status   -hub URL -i IDENTITY
    difesa admin form     check|sign|publish …   (see "difesa admin form help")

A hub's list of responders ("manifest") is signed by the hub's admin key,
whose secret half never leaves the administrator's computer; the server
holds only the public half, and defenders refuse any list it did not sign.

    keygen    Makes an admin key (a file, mode 0600) and prints its public
              key and fingerprint. Give the public key to the server
              (admin_key), and the fingerprint to the hub's defenders.
    init      Writes the first, unsigned manifest (epoch 1) of a hub.
    manifest  Writes the next manifest: the current one, verified with the
              admin key first, with recipients added, removed or changed.
              -from takes a signed manifest file or the hub's address.
    sign      Shows a manifest and signs it. Needs no network: it can run
              on a computer that is never online.
    publish   Sends a signed manifest to the hub. From then on, responders
              it no longer lists cannot log in, and new reports are
              encrypted to the new list only. A manifest that removes keys
              is published only if no stored submission would be left
              readable by removed keys alone: -i IDENTITY (a key the hub
              lists now) lets difesa count them; -force publishes anyway.
              "admin manifest" with -i and -from HUB_URL warns the same.
    status    Shows the hub's epoch, and how many stored submissions are
              still encrypted to older lists ("difesa rekey" moves them).
    form      Checks, signs and publishes the hub's report forms.

A recipient is written KEY[:ROLE[:LABEL]]: an age public key (age1pq1… or
age1…), the role "responder" (the default) or "admin", and a label for
people. A recipients file has one recipient a line, "KEY [ROLE [LABEL]]",
with # comments.

Typical change of keys (a responder's new key replaces the old one): add
the new key first, move the stored submissions with the old one while it
can still log in, then remove it:
    $ difesa admin manifest -from HUB_URL -key admin.key -add age1pq1…:responder:Ana -o add.manifest
    $ difesa admin sign -key admin.key -o add.json add.manifest
    $ difesa admin publish -hub HUB_URL add.json
    $ difesa rekey -hub HUB_URL -i old.key
    $ difesa admin manifest -from HUB_URL -key admin.key -remove age1pq1…OLD -o remove.manifest
    $ difesa admin sign -key admin.key -o remove.json remove.manifest
    $ difesa admin publish -hub HUB_URL -i new.key remove.json
    $ difesa rekey -hub HUB_URL -i new.key`

func runAdmin(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageErrorf("admin", "missing subcommand").hint("run \"difesa help admin\" for the list")
	}
	var run func(context.Context, *env, []string) error
	switch args[0] {
	case "keygen":
		run = runAdminKeygen
	case "init":
		run = runAdminInit
	case "manifest":
		run = runAdminManifest
	case "sign":
		run = runAdminSign
	case "publish":
		run = runAdminPublish
	case "status":
		run = runAdminStatus
	case "form":
		run = runAdminForm
	case "-h", "-help", "--help", "help":
		return flag.ErrHelp
	default:
		return usageErrorf("admin", "unknown subcommand %q", args[0]).hint("run \"difesa help admin\" for the list")
	}
	return run(ctx, e, args[1:])
}

const adminKeygenUsage = "difesa admin keygen -o ADMINKEY"

func runAdminKeygen(ctx context.Context, e *env, args []string) error {
	flags := newFlagSet("admin")
	out := flags.String("o", "", "output file")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("admin", "unexpected argument %q", pos[0]).hint("usage: " + adminKeygenUsage)
	}
	if *out == "" || *out == "-" {
		return usageErrorf("admin", "missing -o ADMINKEY").hint(
			"the admin key is written to a file (mode 0600), never to the screen",
			"usage: "+adminKeygenUsage)
	}
	sk, err := manifest.GenerateKey()
	if err != nil {
		return fmt.Errorf("internal error: %v", err)
	}
	// Only the date, as for responder keys.
	if err := writeNewFile(*out, sk.File(e.now()), 0o600, "key"); err != nil {
		return err
	}
	pub := sk.Public()
	fmt.Fprintf(e.stdout, "Public key: %s\nFingerprint: %s\n", pub, pub.Fingerprint())
	e.printf("hint: keep %s secret, ideally on a computer that is never online; anyone who has it can change the hub's responders", *out)
	return nil
}

// writeNewFile creates path with data, never overwriting anything. what
// names the file in the refusal ("key", "manifest").
func writeNewFile(path string, data []byte, mode os.FileMode, what string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return errorWithHints(fmt.Sprintf("%s already exists", path),
			fmt.Sprintf("difesa never overwrites a %s: choose another name with -o", what))
	}
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readAdminKey reads an admin secret key file (-key).
func readAdminKey(path string) (*manifest.SecretKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the admin key: %w", err)
	}
	defer f.Close()
	sk, err := manifest.ParseSecretKeyFile(io.LimitReader(f, 64<<10))
	if err != nil {
		return nil, withHints(fmt.Errorf("reading the admin key %q: %w", path, err),
			"-key takes the file made by \"difesa admin keygen\" (DIFESA-ADMIN-SECRET-KEY-…)")
	}
	return sk, nil
}

// keyToSign reads the admin key in keyFile and shows what is about to be
// signed (description), with which key; at a terminal, unless yes, it
// asks first, saying what signing means (consequence), and refuses
// anything but y or yes.
func keyToSign(e *env, keyFile, description, consequence string, yes bool) (*manifest.SecretKey, error) {
	sk, err := readAdminKey(keyFile)
	if err != nil {
		return nil, err
	}
	pub := sk.Public()
	fmt.Fprintf(e.stderr, "difesa: about to sign:\n%s", description)
	fmt.Fprintf(e.stderr, "difesa: with the admin key %s\ndifesa:   fingerprint %s\n", pub, pub.Fingerprint())
	if !yes && isTerminal(e.stdin) {
		fmt.Fprintf(e.stderr, "difesa: sign it? %s [y/N] ", consequence)
		line, _ := bufio.NewReader(e.stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			return nil, errorWithHints("not signed", "answer y to sign, or add -y")
		}
	}
	return sk, nil
}

// readAdminPublicKey reads -pubkey: the key itself
// (difesa-admin-ed25519:…), or a file holding it on a line of its own or
// after "# public key:".
func readAdminPublicKey(arg string) (manifest.PublicKey, error) {
	if strings.HasPrefix(strings.TrimSpace(arg), manifest.PublicKeyPrefix) {
		pk, err := manifest.ParsePublicKey(strings.TrimSpace(arg))
		if err != nil {
			return pk, withHints(fmt.Errorf("-pubkey: %w", err), "an admin public key looks like "+manifest.PublicKeyPrefix+"…")
		}
		return pk, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return manifest.PublicKey{}, withHints(fmt.Errorf("-pubkey: %w", err),
			"-pubkey takes the admin public key ("+manifest.PublicKeyPrefix+"…) or a file holding it")
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line = strings.TrimSpace(strings.TrimPrefix(line, "# public key:"))
		if strings.HasPrefix(line, manifest.PublicKeyPrefix) {
			pk, err := manifest.ParsePublicKey(line)
			if err != nil {
				return pk, fmt.Errorf("-pubkey %s: %w", arg, err)
			}
			return pk, nil
		}
	}
	return manifest.PublicKey{}, withHints(fmt.Errorf("-pubkey %s: no admin public key in the file", arg),
		"-pubkey takes the admin public key ("+manifest.PublicKeyPrefix+"…) or a file holding it")
}

// recipientSpec is a recipient as given on the command line or in a file.
type recipientSpec struct {
	key   string
	role  manifest.Role
	label string
}

// parseRole reads a role; "" is a responder.
func parseRole(s string) (manifest.Role, bool) {
	switch manifest.Role(s) {
	case "", manifest.RoleResponder:
		return manifest.RoleResponder, true
	case manifest.RoleAdmin:
		return manifest.RoleAdmin, true
	}
	return "", false
}

// parseRecipientFlag reads KEY[:ROLE[:LABEL]]. Errors never repeat the
// argument, which might be a secret key pasted by mistake.
func parseRecipientFlag(flagName, s string) (recipientSpec, error) {
	parts := strings.SplitN(strings.TrimSpace(s), ":", 3)
	r := recipientSpec{key: parts[0]}
	if r.key == "" {
		return r, usageErrorf("admin", "%s: missing key", flagName).hint("a recipient is written KEY[:ROLE[:LABEL]]")
	}
	role := ""
	if len(parts) > 1 {
		role = parts[1]
	}
	var ok bool
	if r.role, ok = parseRole(role); !ok {
		return r, usageErrorf("admin", "%s: the role must be responder or admin", flagName).hint("a recipient is written KEY[:ROLE[:LABEL]]")
	}
	if len(parts) > 2 {
		r.label = parts[2]
	}
	return r, nil
}

// readRecipientsFile reads "KEY [ROLE [LABEL]]" lines, with # comments.
func readRecipientsFile(path string) ([]recipientSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading recipients: %w", err)
	}
	defer f.Close()
	var out []recipientSpec
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<10)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		role, label, _ := strings.Cut(strings.TrimSpace(rest), " ")
		r, ok := parseRole(role)
		if !ok {
			return nil, fmt.Errorf("%s, line %d: the role must be responder or admin", path, n)
		}
		out = append(out, recipientSpec{key: key, role: r, label: strings.TrimSpace(label)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return out, nil
}

// shortKey shortens an age recipient for display: post-quantum keys are
// 1,959 characters long. Enough of both ends is kept that a look-alike key
// would take infeasible work to make.
func shortKey(k string) string {
	if len(k) <= 40 {
		return k
	}
	return k[:20] + "…" + k[len(k)-12:]
}
