package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/desk"
	"difesa.org/difesa/internal/desk/casebook"
)

const deskUsage = `Usage:
    difesa desk -hub URL -i IDENTITY [-hub URL -i IDENTITY]... [OPTIONS]
    difesa desk -config FILE [OPTIONS]

Starts the desk: the responder's interface in your own web browser. The
desk is served by difesa itself, on this computer only (127.0.0.1, a
random port); reports are decrypted here, by difesa, and reach the browser
over this computer's loopback only. The hub keeps ciphertext only.

difesa opens the desk in your default browser and prints its address:

    http://127.0.0.1:PORT/open?k=SECRET

The address works once: the first browser that opens it gets the desk, and
nothing else (another tab, another site, another user of this computer)
can. To open the desk in another browser, stop difesa (Ctrl-C) and start
it again.

The desk keeps an encrypted copy of your hubs' cases in its folder, so it
works, read-only, when a hub cannot be reached. The copy opens with your
identity only; "Data on this computer" in the desk says how much it holds
and removes it.

Options:
    -hub URL        A hub's address, like http://xyz…xyz.onion/hubs/NAME.
    -i IDENTITY     Your responder key file for the -hub before it, made with
                    "difesa keygen". A key protected with a passphrase is
                    asked for once, at start, and never stored.
                    Repeat -hub and -i for several hubs.
    -pin FP         The admin key's fingerprint of the -hub before it,
                    learned out of band (else the one difesa remembers).
    -config FILE    Read the hubs from FILE instead, one a line:
                        # difesa desk
                        dir   ~/difesa-desk
                        proxy socks5h://127.0.0.1:9050
                        hub   http://xyz…xyz.onion/hubs/legal  ~/keys/legal.txt
                        hub   http://abc…abc.onion/hubs/relief ~/keys/relief.txt pin FP
    -dir DIR        The desk's folder (default: difesa/desk in your user
                    configuration folder).
    -exports DIR    Where the case page's "Write a folder" writes exports
                    (default: difesa-exports beside the -dir folder, or in
                    your home folder without -dir); created, mode 0700.
    -proxy URL      Go through a proxy, like socks5h://127.0.0.1:9050 (Tor).
    -no-open        Do not open a browser: only print the address.

See docs/desk.md for what the desk protects against, and what it does not.`

// deskHubFlags pairs each -i (and -pin) with the -hub before it.
type deskHubFlags struct {
	hubs []deskHub
}

type deskHubValue struct {
	f    *deskHubFlags
	kind string
}

func (v deskHubValue) String() string { return "" }

func (v deskHubValue) Set(s string) error {
	switch v.kind {
	case "hub":
		v.f.hubs = append(v.f.hubs, deskHub{url: s})
		return nil
	}
	if len(v.f.hubs) == 0 {
		return fmt.Errorf("-%s must follow the -hub it is for", v.kind)
	}
	h := &v.f.hubs[len(v.f.hubs)-1]
	if v.kind == "i" {
		h.identities = append(h.identities, s)
	} else {
		h.pin = s
	}
	return nil
}

func runDesk(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("desk")
	var hf deskHubFlags
	fs.Var(deskHubValue{&hf, "hub"}, "hub", "a hub's address")
	fs.Var(deskHubValue{&hf, "i"}, "i", "identity file for the -hub before it")
	fs.Var(deskHubValue{&hf, "pin"}, "pin", "admin key fingerprint for the -hub before it")
	configFile := fs.String("config", "", "desk configuration file")
	dir := fs.String("dir", "", "the desk's folder")
	exports := fs.String("exports", "", "the folder exports are written to")
	proxy := fs.String("proxy", "", "proxy URL")
	noOpen := fs.Bool("no-open", false, "do not open a browser")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("desk", "unexpected argument %q", pos[0])
	}
	hubs := hf.hubs
	if *configFile != "" {
		if len(hubs) > 0 {
			return usageErrorf("desk", "give the hubs with -config or with -hub, not both")
		}
		c, err := readDeskConfig(*configFile)
		if err != nil {
			return err
		}
		hubs = c.hubs
		if *dir == "" {
			*dir = c.dir
		}
		if *proxy == "" {
			*proxy = c.proxy
		}
	}
	if len(hubs) == 0 {
		return usageErrorf("desk", "missing -hub").hint(
			`start the desk with "-hub URL -i IDENTITY" for each of your hubs, or "-config FILE"`)
	}
	for _, h := range hubs {
		if len(h.identities) == 0 {
			return usageErrorf("desk", "missing -i IDENTITY after -hub %s", h.url)
		}
		if _, _, err := client.ParseHubURL(h.url); err != nil {
			return err
		}
	}
	if *exports == "" {
		*exports = defaultExportDir(*dir)
	}
	if *dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return usageErrorf("desk", "no folder for the desk: %v", err).hint("give one with -dir DIR")
		}
		*dir = filepath.Join(base, "difesa", "desk")
	}

	pass := passphrasesOf(ctx)
	pins, err := client.DefaultPinStore()
	if err != nil {
		return err
	}
	var all []age.Identity
	var cfgs []casebook.HubConfig
	for _, h := range hubs {
		var ids []age.Identity
		for _, path := range h.identities {
			got, err := readIdentityFile(pass, path)
			if err != nil {
				return err
			}
			ids = append(ids, got...)
		}
		all = append(all, ids...)
		cfgs = append(cfgs, casebook.HubConfig{URL: h.url, Identities: ids, Proxy: *proxy, Pin: h.pin, Pins: pins})
	}
	rcpt, err := recipientOfIdentity(all)
	if err != nil {
		return err
	}
	logf := func(format string, a ...any) { e.printf(format, a...) }
	book, err := casebook.Open(casebook.Options{Dir: *dir, Identities: all, Recipient: rcpt, Hubs: cfgs, Now: e.now, Logf: logf})
	if err != nil {
		return err
	}
	defer book.Close()
	srv, err := desk.New(desk.Options{Book: book, Now: e.now, Logf: logf, ExportDir: *exports})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	synced := make(chan error, 1)
	go func() { synced <- book.Run(ctx) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()

	fmt.Fprintln(e.stdout, srv.Address())
	e.printf("the desk is at the address above; it opens once, in one browser")
	e.printf("press Ctrl-C to stop the desk")
	if !*noOpen {
		openBrowser(ctx, e, srv)
	}
	select {
	case err = <-served:
	case err = <-synced:
		if err == nil {
			err = errors.New("the desk's sync stopped")
		}
	case <-ctx.Done():
	}
	cancel()
	<-served
	return err
}

// openBrowser asks the system to open the desk, through a private launch
// page (see [writeLaunchPage]), removed once the desk is opened or stops.
func openBrowser(ctx context.Context, e *env, srv *desk.Server) {
	path, remove, err := writeLaunchPage(srv.Address())
	if err != nil {
		e.printf("%v; open the address above in your browser", err)
		return
	}
	cmd := openerCommand(path)
	if err := cmd.Start(); err != nil {
		remove()
		e.printf("unable to open a browser (%v); open the address above in your browser", err)
		return
	}
	go func() {
		cmd.Wait()
		select {
		case <-srv.Opened():
		case <-ctx.Done():
		case <-time.After(10 * time.Minute):
		}
		remove()
	}()
}

// defaultExportDir is where exports go without -exports: difesa-exports
// beside the desk's folder when -dir names one, else in the home folder;
// "" (downloads only) if there is no home.
func defaultExportDir(dir string) string {
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			return filepath.Join(filepath.Dir(abs), "difesa-exports")
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, "difesa-exports")
}

// recipientOfIdentity is the recipient of the first identity difesa can
// log in with: the desk folder's key is wrapped to it.
func recipientOfIdentity(ids []age.Identity) (age.Recipient, error) {
	for _, id := range ids {
		switch id := id.(type) {
		case *age.HybridIdentity:
			return id.Recipient(), nil
		case *age.X25519Identity:
			return id.Recipient(), nil
		}
	}
	return nil, errorWithHints("no identity that can unlock the desk's folder",
		"-i takes the file with your responder key (AGE-SECRET-KEY-…), made with \"difesa keygen\"")
}
