package vault

import (
	"bytes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
	"golang.org/x/crypto/chacha20poly1305"
)

const dbFileName = "vault.db"

// openTimeout is how long [Open] waits for another desk to let go of the
// folder before it gives up with [ErrInUse].
const openTimeout = time.Second

// Vault is an open desk folder. Its methods are safe for concurrent use.
type Vault struct {
	dir string
	ids []age.Identity
	r   age.Recipient

	mu   sync.RWMutex // guards db, aead and key against PurgeAll and Close
	db   *bolt.DB
	aead cipher.AEAD
	key  []byte
}

// Open opens the desk folder dir, creating it (mode 0700) on first use.
// On first use it also makes a random data key and wraps it to r; later
// opens unwrap it with ids and fail with [ErrForeignIdentity] when they
// cannot. r must be the recipient of one of ids.
func Open(dir string, ids []age.Identity, r age.Recipient) (*Vault, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("vault: unable to create the desk folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("vault: unable to restrict the desk folder: %w", err)
	}
	key, err := loadDataKey(dir, ids, r)
	if err != nil {
		return nil, err
	}
	// Files copied in from a backup may have come back readable by others.
	for _, name := range []string{keyFileName, dbFileName} {
		if err := os.Chmod(filepath.Join(dir, name), 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("vault: unable to restrict %s: %w", name, err)
		}
	}
	v := &Vault{dir: dir, ids: ids, r: r}
	if err := v.attach(key); err != nil {
		return nil, err
	}
	return v, nil
}

// attach opens the database and the cipher for key.
func (v *Vault) attach(key []byte) error {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return fmt.Errorf("vault: unable to use the data key: %w", err)
	}
	db, err := bolt.Open(filepath.Join(v.dir, dbFileName), 0o600, &bolt.Options{Timeout: openTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return ErrInUse
	}
	if err != nil {
		return fmt.Errorf("vault: unable to open the database: %w", err)
	}
	// Leftovers of a compaction or a key change that a crash interrupted:
	// whoever holds the database's lock is the only one who makes them.
	os.Remove(filepath.Join(v.dir, dbFileName+".compact"))
	os.Remove(filepath.Join(v.dir, keyFileName+".new"))
	v.db, v.aead, v.key = db, aead, key
	return nil
}

// Close closes the vault and forgets its data key.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.db == nil {
		return nil
	}
	err := v.db.Close()
	clear(v.key)
	v.db, v.aead, v.key = nil, nil, nil
	if err != nil {
		return fmt.Errorf("vault: unable to close the database: %w", err)
	}
	return nil
}

// Dir returns the vault's folder.
func (v *Vault) Dir() string { return v.dir }

// Put stores value under bucket and key, replacing any earlier value.
// kept is the day the record counts from for [Vault.Purge]: pass a day,
// never a precise time; only its UTC date is stored.
func (v *Vault) Put(bucket, key string, value []byte, kept time.Time) error {
	if err := checkName("bucket", bucket); err != nil {
		return err
	}
	if err := checkName("key", key); err != nil {
		return err
	}
	if len(value) > MaxValueSize {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(value), MaxValueSize)
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.db == nil {
		return ErrClosed
	}
	sealed, err := seal(v.aead, bucket, key, value, dayOf(kept))
	if err != nil {
		return err
	}
	err = v.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), sealed)
	})
	if err != nil {
		return fmt.Errorf("vault: unable to store %s/%s: %w", bucket, key, err)
	}
	return nil
}

// Get returns the value under bucket and key, and whether there is one.
// A record that does not authenticate gives [ErrTampered].
func (v *Vault) Get(bucket, key string) ([]byte, bool, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.db == nil {
		return nil, false, ErrClosed
	}
	var raw []byte
	found := false
	err := v.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		if val := b.Get([]byte(key)); val != nil {
			raw, found = bytes.Clone(val), true
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("vault: unable to read %s/%s: %w", bucket, key, err)
	}
	if !found {
		return nil, false, nil
	}
	plain, _, err := open(v.aead, bucket, key, raw)
	if err != nil {
		return nil, false, err
	}
	return plain, true, nil
}

// Keys returns the keys of bucket in byte order; none if it does not exist.
func (v *Vault) Keys(bucket string) ([]string, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.db == nil {
		return nil, ErrClosed
	}
	var keys []string
	err := v.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, _ []byte) error {
			keys = append(keys, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("vault: unable to list %s: %w", bucket, err)
	}
	return keys, nil
}

// Delete removes the value under bucket and key, if any. Its ciphertext
// stays in the database's free pages until the next [Vault.Purge] or
// [Vault.PurgeAll] rewrites the file.
func (v *Vault) Delete(bucket, key string) error {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.db == nil {
		return ErrClosed
	}
	err := v.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		return b.Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("vault: unable to delete %s/%s: %w", bucket, key, err)
	}
	return nil
}

// Usage is how much the vault holds: all of it is derived from plaintext.
type Usage struct {
	// Records is the number of records in all buckets.
	Records int
	// Bytes is the sum of their sealed sizes.
	Bytes int64
}

// Usage counts the records and their bytes.
func (v *Vault) Usage() (Usage, error) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	if v.db == nil {
		return Usage{}, ErrClosed
	}
	var u Usage
	err := v.db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			return b.ForEach(func(_, val []byte) error {
				u.Records++
				u.Bytes += int64(len(val))
				return nil
			})
		})
	})
	if err != nil {
		return Usage{}, fmt.Errorf("vault: unable to count the records: %w", err)
	}
	return u, nil
}
