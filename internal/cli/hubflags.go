package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"regexp"
	"strings"
	"time"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
)

// hubFlags are the flags of every command that talks to a hub.
type hubFlags struct {
	cmd   string
	hub   string
	proxy string
	pin   string // only for the commands that call registerPin
}

func (h *hubFlags) register(fs *flag.FlagSet, cmd string) {
	h.cmd = cmd
	fs.StringVar(&h.hub, "hub", "", "the hub's address")
	fs.StringVar(&h.proxy, "proxy", "", "proxy URL")
}

// client returns a client for -hub, refusing what cannot work: no -hub, a
// bad address, an .onion address without a SOCKS proxy.
func (h *hubFlags) client() (*client.Client, error) {
	if h.hub == "" {
		return nil, usageErrorf(h.cmd, "missing -hub").hint(
			"a hub address looks like http://xyz…xyz.onion/hubs/NAME; ask the people who run the hub")
	}
	base, _, err := client.ParseHubURL(h.hub)
	if err != nil {
		return nil, err
	}
	proxy := h.proxy
	if proxy == "" {
		proxy = os.Getenv("ALL_PROXY")
		if proxy == "" {
			proxy = os.Getenv("all_proxy")
		}
	}
	if strings.HasSuffix(hostOf(base), ".onion") && !strings.HasPrefix(proxy, "socks5") {
		return nil, errorWithHints(fmt.Sprintf("%s is an onion address, reachable only through Tor", hostOf(base)),
			"run Tor and add -proxy socks5h://127.0.0.1:9050")
	}
	c, err := client.New(h.hub, client.Options{Proxy: h.proxy})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func hostOf(base string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://")
	s, _, _ = strings.Cut(s, "/")
	if h, _, err := net.SplitHostPort(s); err == nil {
		return h
	}
	return s
}

// registerPin adds -pin, for the commands that check the hub's signed
// recipient list.
func (h *hubFlags) registerPin(fs *flag.FlagSet) {
	fs.StringVar(&h.pin, "pin", "", "the admin key's fingerprint, learned out of band")
}

// responderFlags are the flags of the commands of responders.
type responderFlags struct {
	hubFlags
	identity multiFlag

	pass *passphrases   // asks for the passphrases of -i files
	ids  []age.Identity // the -i files' identities, once read
}

func (r *responderFlags) register(fs *flag.FlagSet, cmd string) {
	r.hubFlags.register(fs, cmd)
	fs.Var(&r.identity, "i", "identity file (may be repeated)")
}

// files names the -i files, for messages.
func (r *responderFlags) files() string {
	q := make([]string, len(r.identity))
	for i, f := range r.identity {
		q[i] = fmt.Sprintf("%q", f)
	}
	return strings.Join(q, ", ")
}

// identities reads the -i files, asking for the passphrase of those that
// have one (once per command: the identities are kept for the command).
func (r *responderFlags) identities() ([]age.Identity, error) {
	if len(r.identity) == 0 {
		return nil, usageErrorf(r.cmd, "missing -i IDENTITY").hint(
			"-i takes the file with your responder key (AGE-SECRET-KEY-…), made with \"difesa keygen\"")
	}
	if r.ids != nil {
		return r.ids, nil
	}
	var all []age.Identity
	for _, path := range r.identity {
		if r.pass == nil {
			r.pass = passphrasesOf(context.Background())
		}
		ids, err := readIdentityFile(r.pass, path)
		if err != nil {
			return nil, err
		}
		all = append(all, ids...)
	}
	r.ids = all
	return all, nil
}

// login connects to the hub and logs in with the first identity of the -i
// file that the hub knows. The caller must call the returned logout.
func (r *responderFlags) login(ctx context.Context) (*client.Client, []age.Identity, func(), error) {
	if r.pass == nil {
		r.pass = passphrasesOf(ctx)
	}
	ids, err := r.identities()
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := r.client()
	if err != nil {
		return nil, nil, nil, err
	}
	var lastErr error
	tried := 0
	for _, id := range ids {
		if _, err := client.RecipientOf(id); err != nil {
			continue
		}
		tried++
		err := c.Login(ctx, id)
		if err == nil {
			logout := func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				defer cancel()
				c.Logout(ctx)
			}
			return c, ids, logout, nil
		}
		if !errors.Is(err, &wire.Error{Code: wire.CodeBadChallenge}) {
			return nil, nil, nil, notFoundHint(fmt.Errorf("logging in: %w", err), noHubHint)
		}
		lastErr = err
	}
	if tried == 0 {
		return nil, nil, nil, errorWithHints(fmt.Sprintf("the identity file %s has no key that can log in", r.files()),
			"responder keys are X25519 or post-quantum age keys, made with \"difesa keygen\"")
	}
	return nil, nil, nil, withHints(&keyUnknownError{files: r.files(), err: lastErr},
		"check -i and -hub: is this your responder key for this hub?",
		"if it is, ask the people who run the hub to add its public key")
}

// submissionID matches the ids the server hands out (docs/api.md).
var submissionID = regexp.MustCompile(`^[a-z2-7]{26}$`)

func checkID(cmd, id string) error {
	if !submissionID.MatchString(id) {
		return usageErrorf(cmd, "%q is not a submission id", id).hint(
			"a submission id is 26 letters and digits, as listed by \"difesa inbox\"")
	}
	return nil
}

// keyUnknownError is a login refused for every key of an identity file.
type keyUnknownError struct {
	files string
	err   error
}

func (k *keyUnknownError) Error() string {
	return fmt.Sprintf("the hub does not know the key in %s", k.files)
}

func (k *keyUnknownError) Unwrap() error { return k.err }
