package vault

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"filippo.io/age"
)

const (
	keyFileName = "key.age"
	dataKeyLen  = 32
	// maxKeyFile bounds key.age: an age header for a few post-quantum
	// recipients and 32 bytes of payload fit many times over.
	maxKeyFile = 64 << 10
)

// loadDataKey unwraps dir's data key with ids, or, when dir has none yet,
// makes one and wraps it to r (checking first that ids unwrap it: a desk
// must never lock its own folder to a key it does not hold).
func loadDataKey(dir string, ids []age.Identity, r age.Recipient) ([]byte, error) {
	path := filepath.Join(dir, keyFileName)
	wrapped, err := readBounded(path, maxKeyFile)
	if errors.Is(err, fs.ErrNotExist) {
		return newDataKey(path, ids, r)
	}
	if err != nil {
		return nil, err
	}
	return unwrapDataKey(wrapped, ids)
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("vault: unable to read %s: %w", filepath.Base(path), err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("vault: %s is larger than %d bytes: it is not a desk key", filepath.Base(path), limit)
	}
	return b, nil
}

func unwrapDataKey(wrapped []byte, ids []age.Identity) ([]byte, error) {
	if len(ids) == 0 {
		return nil, ErrForeignIdentity
	}
	r, err := age.Decrypt(bytes.NewReader(wrapped), ids...)
	var noMatch *age.NoIdentityMatchError
	if errors.As(err, &noMatch) {
		return nil, ErrForeignIdentity
	}
	if err != nil {
		return nil, fmt.Errorf("vault: unable to unwrap the data key: %w", err)
	}
	key, err := io.ReadAll(io.LimitReader(r, dataKeyLen+1))
	if err != nil {
		return nil, fmt.Errorf("vault: unable to unwrap the data key: %w", err)
	}
	if len(key) != dataKeyLen {
		return nil, fmt.Errorf("vault: the data key has %d bytes, not %d", len(key), dataKeyLen)
	}
	return key, nil
}

func wrapDataKey(key []byte, ids []age.Identity, r age.Recipient) ([]byte, error) {
	if r == nil {
		return nil, errors.New("vault: no recipient to wrap the data key to")
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("vault: unable to wrap the data key: %w", err)
	}
	if _, err := w.Write(key); err != nil {
		return nil, fmt.Errorf("vault: unable to wrap the data key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("vault: unable to wrap the data key: %w", err)
	}
	check, err := unwrapDataKey(buf.Bytes(), ids)
	if err != nil || !bytes.Equal(check, key) {
		return nil, errors.New("vault: the recipient does not belong to the identities given")
	}
	return buf.Bytes(), nil
}

func newDataKey(path string, ids []age.Identity, r age.Recipient) ([]byte, error) {
	key := make([]byte, dataKeyLen)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("vault: unable to make a data key: %w", err)
	}
	wrapped, err := wrapDataKey(key, ids, r)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("vault: unable to create the key file: %w", err)
	}
	if err := writeSync(f, wrapped); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("vault: unable to write the key file: %w", err)
	}
	return key, nil
}

// replaceDataKey wraps key to r and replaces the key file atomically.
func replaceDataKey(dir string, key []byte, ids []age.Identity, r age.Recipient) error {
	wrapped, err := wrapDataKey(key, ids, r)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, keyFileName+".new")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("vault: unable to create the key file: %w", err)
	}
	if err := writeSync(f, wrapped); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vault: unable to write the key file: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, keyFileName)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vault: unable to replace the key file: %w", err)
	}
	return nil
}

// writeSync writes b to f, syncs and closes it.
func writeSync(f *os.File, b []byte) error {
	_, err := f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
