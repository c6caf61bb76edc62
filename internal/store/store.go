package store

import (
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Bucket names. Submissions live in one nested bucket per hub under
// bucketSubs; chunks of all hubs share bucketChunks, keyed by id and sequence.
var (
	bucketSubs    = []byte("submissions")
	bucketChunks  = []byte("chunks")
	bucketPending = []byte("pending")
	// Per hub, nested: every signed manifest by epoch, and the audit log.
	bucketManifests = []byte("manifests")
	bucketAudit     = []byte("audit")
)

// ErrNotFound is returned when a submission or token does not exist.
var ErrNotFound = errors.New("store: not found")

// Store is difesa's bbolt database.
type Store struct {
	db  *bolt.DB
	now func() time.Time
	// outbox mirrors the outbox bucket decoded (outbox.go).
	outbox outboxCache
	// maxThread is how many messages a conversation may hold (threads.go).
	maxThread uint32
}

// Options tune [Open]. The zero value is what production uses.
type Options struct {
	// Now replaces time.Now, for tests.
	Now func() time.Time
	// ReadOnly opens the file without writing to it (no reclaiming of
	// unfinished uploads), for checks and backups of a stopped server.
	ReadOnly bool
	// MaxThreadMessages replaces, for tests, [MaxThreadMessages].
	MaxThreadMessages int
}

// ErrLocked is returned by [Open] when another process (a running server)
// holds the database.
var ErrLocked = errors.New("store: the database is in use by another process (a running difesad?)")

// Open opens (creating if needed, with mode 0600) the database at path and
// reclaims the chunks of uploads that never completed.
func Open(path string, opts Options) (*Store, error) {
	if opts.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second, ReadOnly: opts.ReadOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, ErrLocked
	}
	if err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	s := &Store{db: db, now: opts.Now, maxThread: MaxThreadMessages}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.MaxThreadMessages > 0 {
		s.maxThread = uint32(opts.MaxThreadMessages)
	}
	if opts.ReadOnly {
		return s, s.Ping()
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSubs, bucketChunks, bucketPending, bucketManifests, bucketAudit, bucketThreads, bucketThreadSeq, bucketOutbox, bucketCheckins, bucketCheckinCodes, bucketBulletins, bucketBulletinIDs, bucketChanges, bucketThreadMsgs, bucketThreadRoots, bucketAlarms, bucketCases, bucketHubRecords, bucketRestrictions, bucketCaseEpochs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("store: unable to create buckets: %w", err)
	}
	if err := s.indexAll(); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := s.reclaimPending(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.recountUsage(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database file.
func (s *Store) Close() error {
	return s.db.Close()
}

// Ping reports whether the database is open and readable.
func (s *Store) Ping() error {
	return s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketSubs) == nil {
			return errors.New("store: database not initialised")
		}
		return nil
	})
}

// Path is the database file's path.
func (s *Store) Path() string { return s.db.Path() }
