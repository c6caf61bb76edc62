package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Backup writes a consistent copy of the whole database to w while the
// store stays in use (one read transaction). A backup holds what the store
// holds: ciphertext, public keys, hashed tokens, coarse times.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: unable to back up: %w", err)
	}
	return n, nil
}

// Stats describes the database file, for operators and metrics.
type Stats struct {
	FileSize  int64
	FreePages int
	PageSize  int
}

// Stats returns the database file's size and free pages.
func (s *Store) Stats() (Stats, error) {
	var st Stats
	err := s.db.View(func(tx *bolt.Tx) error {
		st.FileSize = tx.Size()
		return nil
	})
	dbs := s.db.Stats()
	st.FreePages = dbs.FreePageN
	st.PageSize = s.db.Info().PageSize
	return st, err
}

// ErrInUse is returned when a database file is locked by a running server.
var ErrInUse = errors.New("store: the database is in use by a running server")

// Compact rewrites the database at path into a fresh file without its free
// pages, so that deleted ciphertext really leaves the file, and puts the
// new file in its place. The server must be stopped. What it cannot
// promise: copies the file system, the disk's firmware (SSD remapping),
// snapshots and backups kept of the old file.
func Compact(path string) (before, after int64, err error) {
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if errors.Is(err, berrors.ErrTimeout) {
		return 0, 0, ErrInUse
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	defer src.Close()
	tmp := path + ".compact"
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return 0, 0, fmt.Errorf("store: unable to create %s: %w", tmp, err)
	}
	if err := bolt.Compact(dst, src, 64<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return 0, 0, fmt.Errorf("store: unable to compact: %w", err)
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		os.Remove(tmp)
		return 0, 0, err
	}
	dst.Close()
	fi, _ := os.Stat(path)
	fo, _ := os.Stat(tmp)
	if err := os.Rename(tmp, path); err != nil {
		return 0, 0, fmt.Errorf("store: unable to replace %s: %w", path, err)
	}
	return fi.Size(), fo.Size(), nil
}

// Restore copies a backup to path, refusing to overwrite an existing file
// (a live database above all), after checking the backup with [Store.Verify].
func Restore(backup io.Reader, path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store: %s exists: restore into an empty data folder", path)
	}
	if err != nil {
		return fmt.Errorf("store: unable to create %s: %w", path, err)
	}
	_, err = io.Copy(f, backup)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("store: unable to write %s: %w", path, err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("store: the backup is not a difesa database: %w", err)
	}
	defer s.Close()
	if err := s.Verify(); err != nil {
		return fmt.Errorf("store: the restored database has problems: %w", err)
	}
	return nil
}
