package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"filippo.io/age"
	"filippo.io/age/armor"
)

const ageArmorHeader = armor.Header

// maxIdentityFile bounds identity files, as age does.
const maxIdentityFile = 16 << 20

// scryptWorkFactor is the scrypt cost of passphrase-protected keys, age's
// default. Tests lower it (export_test.go); nothing else does.
var scryptWorkFactor = 18

// readIdentityFile reads the identities of a key file, asking for its
// passphrase (passphrase.go) when it is passphrase-protected.
func readIdentityFile(pass *passphrases, path string) ([]age.Identity, error) {
	data, err := readFileBounded(path, maxIdentityFile)
	if err != nil {
		return nil, fmt.Errorf("reading identity file: %w", err)
	}
	if isEncryptedIdentity(data) {
		data, err = pass.open(path, data)
		if err != nil {
			return nil, err
		}
		defer clear(data)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, withHints(fmt.Errorf("reading identity file %q: %w", path, err),
			"-i takes a secret key file (AGE-SECRET-KEY-…), as made by \"difesa keygen\", not a public key")
	}
	return ids, nil
}

func readFileBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: file too large", path)
	}
	return b, nil
}

var (
	errWrongPassphrase = errors.New("wrong passphrase")
	errNotPassphrase   = errors.New("not passphrase-encrypted")
)

// open decrypts a passphrase-protected identity file: with a passphrase
// already typed in this command if one fits, else with one asked for.
func (p *passphrases) open(path string, data []byte) ([]byte, error) {
	for _, pass := range p.typed {
		plain, err := decryptWithPassphrase(data, pass)
		if err == nil {
			return plain, nil
		}
		if !errors.Is(err, errWrongPassphrase) {
			return nil, identityFileError(path, err)
		}
	}
	pass, err := p.ask(fmt.Sprintf("passphrase of the identity file %q", path))
	if err != nil {
		return nil, err
	}
	if pass == "" {
		return nil, identityFileError(path, errNoPassphraseGiven)
	}
	plain, err := decryptWithPassphrase(data, pass)
	if err != nil {
		return nil, identityFileError(path, err)
	}
	p.typed = append(p.typed, pass)
	return plain, nil
}

func identityFileError(path string, err error) error {
	switch {
	case errors.Is(err, errWrongPassphrase), errors.Is(err, errNoPassphraseGiven):
		return withHints(fmt.Errorf("unable to open the identity file %q: %w", path, err),
			"type the passphrase chosen with \"difesa keygen -passphrase\" (case and spaces matter)",
			"nobody can recover a lost passphrase: without it, the key is lost")
	case errors.Is(err, errNotPassphrase):
		return withHints(fmt.Errorf("the identity file %q is encrypted, but not with a passphrase", path),
			"-i takes a key file, or one protected with a passphrase (\"difesa keygen -passphrase\" or age -p)")
	}
	return fmt.Errorf("unable to open the identity file %q: %w", path, err)
}

// decryptWithPassphrase opens an age file encrypted with age -p (binary or
// armored) and returns its content, bounded.
func decryptWithPassphrase(data []byte, pass string) ([]byte, error) {
	var r io.Reader = bytes.NewReader(data)
	if !bytes.HasPrefix(data, []byte("age-encryption.org/")) {
		r = armor.NewReader(bytes.NewReader(bytes.TrimSpace(data)))
	}
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, err
	}
	d, err := age.Decrypt(r, passphraseOnly{id})
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return nil, errWrongPassphrase
	}
	if err != nil {
		return nil, err
	}
	plain, err := io.ReadAll(io.LimitReader(d, maxIdentityFile+1))
	if err != nil {
		return nil, err
	}
	if len(plain) > maxIdentityFile {
		return nil, errors.New("the decrypted key is too large")
	}
	return plain, nil
}

// passphraseOnly tells a file encrypted to a key (not a passphrase) apart
// from a wrong passphrase.
type passphraseOnly struct{ id *age.ScryptIdentity }

func (p passphraseOnly) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, s := range stanzas {
		if s.Type == "scrypt" {
			return p.id.Unwrap(stanzas)
		}
	}
	return nil, errNotPassphrase
}

// encryptWithPassphrase encrypts text as age -p -a does.
func encryptWithPassphrase(text []byte, pass string) ([]byte, error) {
	rcpt, err := age.NewScryptRecipient(pass)
	if err != nil {
		return nil, err
	}
	rcpt.SetWorkFactor(scryptWorkFactor)
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, rcpt)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(text); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
