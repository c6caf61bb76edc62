package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Purge deletes every record kept on a day before the UTC date of
// olderThan, then rewrites the database so that their ciphertext is not
// left in its free pages. It returns how many records it deleted.
func (v *Vault) Purge(olderThan time.Time) (int, error) {
	cut := dayOf(olderThan)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.db == nil {
		return 0, ErrClosed
	}
	n := 0
	err := v.db.Update(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			var old [][]byte
			err := b.ForEach(func(k, val []byte) error {
				if r, err := decodeRecord(val); err == nil && r.day < cut {
					old = append(old, append([]byte(nil), k...))
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, k := range old {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			n += len(old)
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("vault: unable to purge: %w", err)
	}
	if n == 0 {
		return 0, nil
	}
	if err := v.compactLocked(); err != nil {
		return n, err
	}
	return n, nil
}

// PurgeAll deletes every record, overwrites and removes the database file,
// and replaces the data key, so that neither the records nor the key that
// sealed them remain in the folder.
func (v *Vault) PurgeAll() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.db == nil {
		return ErrClosed
	}
	path := v.db.Path()
	if err := v.db.Close(); err != nil {
		return fmt.Errorf("vault: unable to close the database: %w", err)
	}
	v.db = nil
	clear(v.key)
	// Unlink first, then overwrite through the open file: a crash in
	// between leaves no database (a fresh one is made), never a zeroed one.
	old, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vault: unable to remove the database: %w", err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vault: unable to remove the database: %w", err)
	}
	if old != nil {
		if err := overwrite(old); err != nil {
			return err
		}
	}
	key := make([]byte, dataKeyLen)
	if _, err := rand.Read(key); err != nil {
		return fmt.Errorf("vault: unable to make a data key: %w", err)
	}
	if err := replaceDataKey(v.dir, key, v.ids, v.r); err != nil {
		return err
	}
	return v.attach(key)
}

// overwrite writes zeros over the whole of f, syncs and closes it.
func overwrite(f *os.File) error {
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("vault: unable to overwrite the database: %w", err)
	}
	zeros := make([]byte, 1<<20)
	for left := st.Size(); left > 0; {
		n := min(left, int64(len(zeros)))
		if _, err := f.Write(zeros[:n]); err != nil {
			return fmt.Errorf("vault: unable to overwrite the database: %w", err)
		}
		left -= n
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("vault: unable to overwrite the database: %w", err)
	}
	return nil
}

// compactLocked rewrites the database into a fresh file holding only live
// records, replaces the old one with it (after overwriting the old one),
// and reopens it. v.mu must be held for writing.
func (v *Vault) compactLocked() error {
	path := v.db.Path()
	tmp := filepath.Join(v.dir, dbFileName+".compact")
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: openTimeout})
	if err != nil {
		return fmt.Errorf("vault: unable to compact: %w", err)
	}
	if err := bolt.Compact(dst, v.db, 0); err != nil {
		dst.Close()
		os.Remove(tmp)
		return fmt.Errorf("vault: unable to compact: %w", err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vault: unable to compact: %w", err)
	}
	if err := v.db.Close(); err != nil {
		return fmt.Errorf("vault: unable to compact: %w", err)
	}
	v.db = nil
	key := v.key
	// The old file is replaced only once the new one is complete, then
	// overwritten through a descriptor opened before: its free pages do
	// not outlive the rename, and a crash never loses the live records.
	old, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return errors.Join(fmt.Errorf("vault: unable to compact: %w", err), v.attach(key))
	}
	if err := os.Rename(tmp, path); err != nil {
		old.Close()
		return errors.Join(fmt.Errorf("vault: unable to compact: %w", err), v.attach(key))
	}
	if err := overwrite(old); err != nil {
		return errors.Join(err, v.attach(key))
	}
	return v.attach(key)
}
