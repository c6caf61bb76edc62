package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
)

// ConfigDirEnv names the environment variable that replaces the folder
// where difesa keeps its pins (by default os.UserConfigDir()/difesa).
const ConfigDirEnv = "DIFESA_CONFIG_DIR"

// pinsFileName is the pin file inside the config folder.
const pinsFileName = "pins.json"

// maxPinsFile bounds the pin file; a few hundred bytes per hub.
const maxPinsFile = 4 << 20

// ErrPinsDamaged is wrapped by errors about a pin file that cannot be read
// as one: difesa refuses to guess, since the pins are what stops a server
// from swapping a hub's keys.
var ErrPinsDamaged = errors.New("the pin file is damaged")

// ErrNotPinned is returned by [PinStore.Forget] for a hub that has no pin.
var ErrNotPinned = errors.New("no pin for this hub")

// Pin is what a client remembers of a hub, after the first verified
// contact: the admin key that signs its recipient lists and the last list
// it accepted. Every later list must be signed by the same key and chain to
// that one.
type Pin struct {
	// Hub is the hub's address, normalised by [PinKey].
	Hub string `json:"hub"`
	// AdminKey is the admin public key (difesa-admin-ed25519:…) and
	// Fingerprint its fingerprint, kept for people to compare.
	AdminKey    string `json:"admin_key"`
	Fingerprint string `json:"fingerprint"`
	// Epoch is the highest manifest epoch accepted, and Hash the hex
	// SHA-256 of that manifest's bytes.
	Epoch uint64 `json:"epoch"`
	Hash  string `json:"hash"`
	// Forms are the highest version of each of the hub's forms accepted
	// (internal/form), so that an older one is refused.
	Forms []FormPin `json:"forms,omitempty"`
}

// FormPin is the highest version of one form a client accepted, and the
// hex SHA-256 of its signed bytes.
type FormPin struct {
	ID      string `json:"id"`
	Version uint64 `json:"version"`
	Hash    string `json:"hash"`
}

// pinsFile is the JSON shape of pins.json.
type pinsFile struct {
	Version int   `json:"version"`
	Pins    []Pin `json:"pins"`
}

// PinStore keeps pins in one JSON file, written whole through a temporary
// file and a rename so that a crash never leaves half a file. The folder is
// created with mode 0700 and the file with 0600. Two difesa processes
// writing at the same moment can lose one's update (the other's file wins);
// the loser then follows the chain again next time.
type PinStore struct {
	path string
}

// DefaultPinStore returns the pin store in $DIFESA_CONFIG_DIR, or else in
// os.UserConfigDir()/difesa.
func DefaultPinStore() (*PinStore, error) {
	dir := os.Getenv(ConfigDirEnv)
	if dir == "" {
		base, err := os.UserConfigDir()
		if err != nil {
			return nil, fmt.Errorf("finding a folder for difesa's pins: %w (set %s)", err, ConfigDirEnv)
		}
		dir = filepath.Join(base, "difesa")
	}
	return NewPinStore(dir), nil
}

// NewPinStore returns the pin store in folder dir.
func NewPinStore(dir string) *PinStore {
	return &PinStore{path: filepath.Join(dir, pinsFileName)}
}

// Path returns the pin file's path.
func (p *PinStore) Path() string { return p.path }

// List returns every pin, sorted by hub.
func (p *PinStore) List() ([]Pin, error) {
	f, err := p.read()
	if err != nil {
		return nil, err
	}
	return f.Pins, nil
}

// Get returns the pin of hubURL, and whether there is one.
func (p *PinStore) Get(hubURL string) (Pin, bool, error) {
	key, err := PinKey(hubURL)
	if err != nil {
		return Pin{}, false, err
	}
	f, err := p.read()
	if err != nil {
		return Pin{}, false, err
	}
	for _, pin := range f.Pins {
		if pin.Hub == key {
			return pin, true, nil
		}
	}
	return Pin{}, false, nil
}

// Put adds or replaces the pin of pin.Hub (normalised first).
func (p *PinStore) Put(pin Pin) error {
	key, err := PinKey(pin.Hub)
	if err != nil {
		return err
	}
	pin.Hub = key
	if err := checkPin(pin); err != nil {
		return err
	}
	f, err := p.read()
	if err != nil {
		return err
	}
	f.Pins = slices.DeleteFunc(f.Pins, func(q Pin) bool { return q.Hub == key })
	f.Pins = append(f.Pins, pin)
	return p.write(f)
}

// Forget removes the pin of hubURL. Without a pin it returns
// [ErrNotPinned].
func (p *PinStore) Forget(hubURL string) (Pin, error) {
	key, err := PinKey(hubURL)
	if err != nil {
		return Pin{}, err
	}
	f, err := p.read()
	if err != nil {
		return Pin{}, err
	}
	i := slices.IndexFunc(f.Pins, func(q Pin) bool { return q.Hub == key })
	if i < 0 {
		return Pin{}, fmt.Errorf("%w: %s", ErrNotPinned, key)
	}
	old := f.Pins[i]
	f.Pins = slices.Delete(f.Pins, i, i+1)
	return old, p.write(f)
}

func (p *PinStore) read() (*pinsFile, error) {
	data, err := os.ReadFile(p.path)
	if errors.Is(err, fs.ErrNotExist) {
		return &pinsFile{Version: 1}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the pin file: %w", err)
	}
	damaged := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrPinsDamaged, p.path, fmt.Sprintf(format, a...))
	}
	if len(data) > maxPinsFile {
		return nil, damaged("larger than %d bytes", maxPinsFile)
	}
	var f pinsFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, damaged("%v", err)
	}
	if dec.More() {
		return nil, damaged("data after the pins")
	}
	if f.Version != 1 {
		return nil, damaged("unknown version %d", f.Version)
	}
	seen := map[string]bool{}
	for _, pin := range f.Pins {
		key, err := PinKey(pin.Hub)
		if err != nil || key != pin.Hub {
			return nil, damaged("%q is not a normalised hub address", pin.Hub)
		}
		if seen[key] {
			return nil, damaged("%s is pinned twice", key)
		}
		seen[key] = true
		if err := checkPin(pin); err != nil {
			return nil, damaged("%s: %v", key, err)
		}
	}
	return &f, nil
}

// checkPin checks that a pin is whole and consistent.
func checkPin(pin Pin) error {
	pk, err := manifest.ParsePublicKey(pin.AdminKey)
	if err != nil {
		return err
	}
	if pk.Fingerprint() != pin.Fingerprint {
		return errors.New("the fingerprint is not the admin key's")
	}
	if pin.Epoch == 0 {
		return errors.New("the epoch is 0")
	}
	if len(pin.Hash) != 64 || strings.Trim(pin.Hash, "0123456789abcdef") != "" {
		return errors.New("the manifest hash is not 64 lowercase hex digits")
	}
	seen := map[string]bool{}
	for _, fp := range pin.Forms {
		switch {
		case fp.ID == "" || len(fp.ID) > 64 || strings.Trim(fp.ID, "abcdefghijklmnopqrstuvwxyz0123456789_-") != "":
			return fmt.Errorf("form %q: not a form id", fp.ID)
		case seen[fp.ID]:
			return fmt.Errorf("form %q is pinned twice", fp.ID)
		case fp.Version == 0:
			return fmt.Errorf("form %q: the version is 0", fp.ID)
		case len(fp.Hash) != 64 || strings.Trim(fp.Hash, "0123456789abcdef") != "":
			return fmt.Errorf("form %q: the hash is not 64 lowercase hex digits", fp.ID)
		}
		seen[fp.ID] = true
	}
	return nil
}

// SeenForm returns the highest version of form id of hubURL this computer
// accepted (zero if none, or if the hub has no pin).
func (p *PinStore) SeenForm(hubURL, id string) (form.Seen, error) {
	pin, ok, err := p.Get(hubURL)
	if err != nil || !ok {
		return form.Seen{}, err
	}
	for _, fp := range pin.Forms {
		if fp.ID == id {
			return form.Seen{Version: fp.Version, Hash: fp.Hash}, nil
		}
	}
	return form.Seen{}, nil
}

// RecordForm remembers version (with the hash of its bytes) as the highest
// accepted of form id of hubURL, unless a higher one is recorded. The hub
// must be pinned.
func (p *PinStore) RecordForm(hubURL, id string, version uint64, hash string) error {
	pin, ok, err := p.Get(hubURL)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotPinned, hubURL)
	}
	i := slices.IndexFunc(pin.Forms, func(fp FormPin) bool { return fp.ID == id })
	switch {
	case i < 0:
		pin.Forms = append(pin.Forms, FormPin{ID: id, Version: version, Hash: hash})
	case pin.Forms[i].Version >= version:
		return nil
	default:
		pin.Forms[i] = FormPin{ID: id, Version: version, Hash: hash}
	}
	slices.SortFunc(pin.Forms, func(a, b FormPin) int { return strings.Compare(a.ID, b.ID) })
	return p.Put(pin)
}

// write replaces the pin file with f: a temporary file in the same folder,
// synced, then renamed over the old one.
func (p *PinStore) write(f *pinsFile) error {
	slices.SortFunc(f.Pins, func(a, b Pin) int { return strings.Compare(a.Hub, b.Hub) })
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	dir := filepath.Dir(p.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating the pin folder: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".pins-*.tmp") // mode 0600
	if err != nil {
		return fmt.Errorf("writing the pin file: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing the pin file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing the pin file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the pin file: %w", err)
	}
	if err := os.Rename(tmp.Name(), p.path); err != nil {
		return fmt.Errorf("writing the pin file: %w", err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// PinKey returns the form of a hub address that pins are kept under:
// scheme, host and port in lower case, the default port (80 for http, 443
// for https) and a trailing dot of the host dropped, then the path
// ending in /hubs/ID. Two spellings of one hub get one pin.
func PinKey(hubURL string) (string, error) {
	base, hub, err := ParseHubURL(hubURL)
	if err != nil {
		return "", err
	}
	scheme, rest, _ := strings.Cut(base, "://")
	hostport, prefix, _ := strings.Cut(rest, "/")
	host, port := strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	}
	host = strings.TrimSuffix(host, ".")
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" || strings.Contains(host, ":") {
		if port == "" {
			hostport = "[" + host + "]"
		} else {
			hostport = net.JoinHostPort(host, port)
		}
	} else {
		hostport = host
	}
	s := scheme + "://" + hostport
	if prefix != "" {
		s += "/" + prefix
	}
	return s + "/hubs/" + hub, nil
}
