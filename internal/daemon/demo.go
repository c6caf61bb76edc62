package daemon

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/manifest"
)

// The embedded demo hub.
const (
	DemoHubID        = "demo"
	DemoHubName      = "Demo hub"
	DemoIdentityFile = "demo-responder-identity.txt"
	DemoAdminKeyFile = "demo-admin-key.txt"
	DemoManifestFile = "demo-manifest.json"
)

type demoPaths struct{ identity, adminKey, manifest string }

// prepareDemo loads the demo hub's keys from the data folder, generating
// them on first start: a post-quantum responder identity, an admin key, and
// the epoch-1 manifest the admin key signs for that responder, issued on
// now's date (the secret files with mode 0600).
func prepareDemo(dataDir string, granularity time.Duration, now time.Time) (*config.HubKeys, demoPaths, error) {
	p := demoPaths{
		identity: filepath.Join(dataDir, DemoIdentityFile),
		adminKey: filepath.Join(dataDir, DemoAdminKeyFile),
		manifest: filepath.Join(dataDir, DemoManifestFile),
	}
	id, err := demoIdentity(p.identity)
	if err != nil {
		return nil, p, err
	}
	sk, err := demoAdminKey(p.adminKey)
	if err != nil {
		return nil, p, err
	}
	initial, err := os.ReadFile(p.manifest)
	if errors.Is(err, fs.ErrNotExist) {
		body := fmt.Sprintf("%s\nhub: %s\nepoch: 1\nissued: %s\nprevious: none\nrecipient: %s responder Demo responder\n",
			manifest.Header, DemoHubID, now.UTC().Format(time.DateOnly), id.Recipient())
		signed, serr := manifest.Sign(sk, []byte(body))
		if serr != nil {
			return nil, p, fmt.Errorf("unable to sign the demo manifest: %w", serr)
		}
		initial = signed.Marshal()
		err = writeNew(p.manifest, string(initial), 0o644)
	}
	if err != nil {
		return nil, p, fmt.Errorf("demo manifest: %w", err)
	}
	settings, err := hub.New(DemoHubID, DemoHubName, nil, 0, granularity)
	if err != nil {
		return nil, p, err
	}
	return &config.HubKeys{Settings: settings, Admin: sk.Public(), Initial: initial}, p, nil
}

func demoIdentity(path string) (*age.HybridIdentity, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		id, gerr := age.GenerateHybridIdentity()
		if gerr != nil {
			return nil, gerr
		}
		content := fmt.Sprintf("# difesa demo hub responder identity: a SECRET key, for the demo only.\n# public key: %s\n%s\n",
			id.Recipient(), id)
		if err := writeNew(path, content, 0o600); err != nil {
			return nil, fmt.Errorf("unable to write demo identity: %w", err)
		}
		return id, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read demo identity: %w", err)
	}
	ids, err := age.ParseIdentities(strings.NewReader(string(b)))
	if err != nil || len(ids) != 1 {
		return nil, fmt.Errorf("demo identity %s is damaged; delete the data folder to start the demo afresh: %v", path, err)
	}
	hid, ok := ids[0].(*age.HybridIdentity)
	if !ok {
		return nil, fmt.Errorf("demo identity %s is not post-quantum; delete the data folder to start the demo afresh", path)
	}
	return hid, nil
}

func demoAdminKey(path string) (*manifest.SecretKey, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		sk, gerr := manifest.GenerateKey()
		if gerr != nil {
			return nil, gerr
		}
		if err := writeNew(path, string(sk.File(time.Now())), 0o600); err != nil {
			return nil, fmt.Errorf("unable to write demo admin key: %w", err)
		}
		return sk, nil
	}
	if err != nil {
		return nil, fmt.Errorf("unable to read demo admin key: %w", err)
	}
	defer f.Close()
	sk, err := manifest.ParseSecretKeyFile(f)
	if err != nil {
		return nil, fmt.Errorf("demo admin key %s is damaged; delete the data folder to start the demo afresh: %w", path, err)
	}
	return sk, nil
}

// writeNew creates path with content and mode, refusing to overwrite, and
// syncs it to disk.
func writeNew(path, content string, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err = f.WriteString(content); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// printDemoWelcome says where the demo's keys are and what to run next,
// with the identity that works now: after a change of keys the demo
// responder's identity may no longer be one of the hub's recipients, and
// the text then says so and which keys the hub lists.
func (i *Instance) printDemoWelcome(w io.Writer) {
	h := i.Hubs.Get(DemoHubID)
	if h == nil {
		return
	}
	hubURL := i.HubURL(DemoHubID)
	fmt.Fprintf(w, `
This is the embedded demo. Its responder identity and its admin key (secret
keys, kept here for the demo only: a real hub never has them on the server)
are in
    %s
    %s
Admin key fingerprint: %s
`, i.DemoIdentity, i.DemoAdminKey, h.AdminFingerprint)
	identity := i.DemoIdentity
	if r, err := demoRecipient(i.DemoIdentity); err != nil || !demoListed(h, r) {
		identity = "IDENTITY"
		fmt.Fprintf(w, `
The hub's keys changed (epoch %d): the demo responder identity above is no
longer one of its recipients, and cannot log in or read new reports. Use
an identity the hub lists now:
`, h.Epoch())
		for _, r := range demoRecipients(h) {
			fmt.Fprintf(w, "    %s\n", r)
		}
	}
	fmt.Fprintf(w, `
Next, in another terminal:
    go run ./cmd/difesa submit -hub %s -m "a test report"
    go run ./cmd/difesa inbox  -hub %s -i %s
    go run ./cmd/difesa open   -hub %s -i %s ID
`, hubURL, hubURL, identity, hubURL, identity)
}

// demoRecipients names the hub's current recipients: label and short key
// from its signed manifest, or the keys alone.
func demoRecipients(h *hub.Hub) []string {
	var out []string
	if s, err := manifest.ParseSigned(h.Current().Signed); err == nil {
		if m, err := manifest.Parse(s.Manifest); err == nil {
			for _, r := range m.Recipients {
				out = append(out, fmt.Sprintf("%s (%s)", r.Label, shortRecipient(r.Key)))
			}
			return out
		}
	}
	for _, r := range h.RecipientStrings() {
		out = append(out, shortRecipient(r))
	}
	return out
}

// demoRecipient reads the public key of the demo identity, creating
// nothing.
func demoRecipient(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	ids, err := age.ParseIdentities(strings.NewReader(string(b)))
	if err != nil || len(ids) != 1 {
		return "", fmt.Errorf("demo identity %s is damaged: %v", path, err)
	}
	hid, ok := ids[0].(*age.HybridIdentity)
	if !ok {
		return "", fmt.Errorf("demo identity %s is not post-quantum", path)
	}
	return hid.Recipient().String(), nil
}

func demoListed(h *hub.Hub, recipient string) bool {
	_, ok := h.HasRecipient(recipient)
	return ok
}

// shortRecipient shortens a post-quantum recipient (about 2,000
// characters) for a line of text.
func shortRecipient(r string) string {
	if len(r) <= 40 {
		return r
	}
	return r[:20] + "…" + r[len(r)-12:]
}
