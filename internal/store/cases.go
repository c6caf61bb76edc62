package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/wire"
)

// Case records: per submission, and once per hub, an age file the server
// cannot read, its version and the hour of its last write (docs/api.md,
// "Case records"). Nothing else is kept: not who wrote it (the audit log
// has the responder's label and the hour), not what it says.
var (
	// bucketCases holds, per hub (nested), each submission's case record
	// by the submission's id.
	bucketCases = []byte("cases")
	// bucketHubRecords holds each hub's record by the hub's id.
	bucketHubRecords = []byte("hub-records")
)

// CaseRecord is a stored case record (or hub record).
type CaseRecord struct {
	// Version counts the record's writes, from 1.
	Version uint64
	// Updated is the hour of the last write, as the caller rounded it.
	Updated time.Time
	// Ciphertext is the age file, opaque to the server.
	Ciphertext []byte
	// Epoch is the manifest epoch it was written to (0: unknown).
	Epoch uint64
}

// Errors of case records.
var (
	// ErrNoCase: the submission (or hub) has no case record yet.
	ErrNoCase = errors.New("store: no case record")
	// ErrStaleVersion is matched by a [*StaleVersionError].
	ErrStaleVersion = errors.New("store: stale case record version")
)

// StaleVersionError refuses a write that named a version other than the
// record's current one. Current is that version (0: no record).
type StaleVersionError struct{ Current uint64 }

func (e *StaleVersionError) Error() string {
	return fmt.Sprintf("%v: the record is at version %d", ErrStaleVersion, e.Current)
}

// Is matches [ErrStaleVersion].
func (e *StaleVersionError) Is(target error) bool { return target == ErrStaleVersion }

// caseHeader is the length of a stored record's fixed part: the version
// and the Unix time of the hour, both big-endian uint64.
const caseHeader = 16

func encodeCase(r CaseRecord) []byte {
	v := make([]byte, caseHeader, caseHeader+len(r.Ciphertext))
	binary.BigEndian.PutUint64(v[0:8], r.Version)
	binary.BigEndian.PutUint64(v[8:16], uint64(r.Updated.Unix()))
	return append(v, r.Ciphertext...)
}

func decodeCase(v []byte) (CaseRecord, error) {
	if len(v) < caseHeader {
		return CaseRecord{}, errors.New("store: corrupt case record")
	}
	return CaseRecord{
		Version:    binary.BigEndian.Uint64(v[0:8]),
		Updated:    time.Unix(int64(binary.BigEndian.Uint64(v[8:16])), 0).UTC(),
		Ciphertext: append([]byte(nil), v[caseHeader:]...),
	}, nil
}

// Case returns the case record of submission id of hub: [ErrNotFound] if
// the submission does not exist, [ErrNoCase] if it has no record yet.
func (s *Store) Case(hub string, id ID) (CaseRecord, error) {
	var rec CaseRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		if _, err := getSubmission(tx, hub, id); err != nil {
			return err
		}
		v := nestedGet(tx, bucketCases, hub, id[:])
		if v == nil {
			return ErrNoCase
		}
		var err error
		rec, err = decodeCase(v)
		rec.Epoch = caseEpoch(tx, hub, id[:])
		return err
	})
	if err != nil {
		return CaseRecord{}, fmt.Errorf("store: unable to read the case record of %s: %w", id, err)
	}
	return rec, nil
}

// PutCase replaces the case record of submission id of hub with
// ciphertext if the record's version is base (0: there is none yet), in
// one transaction, and logs "case.changed" with by (the responder's
// label) in the audit log. updated is the hour of the write, rounded by
// the caller; epoch is the manifest epoch the ciphertext is encrypted to. A stale base fails with a [*StaleVersionError]; a
// submission that does not exist with [ErrNotFound].
func (s *Store) PutCase(hub string, id ID, base uint64, ciphertext []byte, epoch uint64, updated time.Time, by string) (CaseRecord, error) {
	var rec CaseRecord
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := getSubmission(tx, hub, id); err != nil {
			return err
		}
		b, err := tx.Bucket(bucketCases).CreateBucketIfNotExists([]byte(hub))
		if err != nil {
			return err
		}
		rec, err = swapRecord(b, id[:], base, ciphertext, updated)
		if err != nil {
			return err
		}
		rec.Epoch = epoch
		if err := putCaseEpoch(tx, hub, id[:], epoch); err != nil {
			return err
		}
		// What changed since a listing cursor includes the submission, so
		// a desk that was offline learns which records to fetch again.
		if err := touch(tx, hub, id); err != nil {
			return err
		}
		return s.audit(tx, hub, AuditEvent{Event: wire.EventCaseChanged, Submission: id.String(), By: by})
	})
	if err != nil {
		return CaseRecord{}, fmt.Errorf("store: unable to write the case record of %s: %w", id, err)
	}
	return rec, nil
}

// HubRecord returns hub's record (its labels and sub-statuses, encrypted),
// or [ErrNoCase].
func (s *Store) HubRecord(hub string) (CaseRecord, error) {
	var rec CaseRecord
	err := s.db.View(func(tx *bolt.Tx) error {
		var v []byte
		if t := tx.Bucket(bucketHubRecords); t != nil { // nil in an older file opened read-only
			v = t.Get([]byte(hub))
		}
		if v == nil {
			return ErrNoCase
		}
		var err error
		rec, err = decodeCase(v)
		rec.Epoch = caseEpoch(tx, hub, hubRecordKey)
		return err
	})
	if err != nil {
		return CaseRecord{}, fmt.Errorf("store: unable to read the hub record of %s: %w", hub, err)
	}
	return rec, nil
}

// PutHubRecord replaces hub's record as [Store.PutCase] replaces a case
// record, logging "case-settings.changed".
func (s *Store) PutHubRecord(hub string, base uint64, ciphertext []byte, epoch uint64, updated time.Time, by string) (CaseRecord, error) {
	var rec CaseRecord
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		rec, err = swapRecord(tx.Bucket(bucketHubRecords), []byte(hub), base, ciphertext, updated)
		if err != nil {
			return err
		}
		rec.Epoch = epoch
		if err := putCaseEpoch(tx, hub, hubRecordKey, epoch); err != nil {
			return err
		}
		return s.audit(tx, hub, AuditEvent{Event: wire.EventHubCaseChanged, By: by})
	})
	if err != nil {
		return CaseRecord{}, fmt.Errorf("store: unable to write the hub record of %s: %w", hub, err)
	}
	return rec, nil
}

// swapRecord is the compare-and-swap of a record at key of b, inside the
// caller's write transaction.
func swapRecord(b *bolt.Bucket, key []byte, base uint64, ciphertext []byte, updated time.Time) (CaseRecord, error) {
	var current uint64
	if v := b.Get(key); v != nil {
		old, err := decodeCase(v)
		if err != nil {
			return CaseRecord{}, err
		}
		current = old.Version
	}
	if current != base {
		return CaseRecord{}, &StaleVersionError{Current: current}
	}
	if base == ^uint64(0) {
		return CaseRecord{}, errors.New("store: the case record has no versions left")
	}
	rec := CaseRecord{Version: base + 1, Updated: updated.UTC(), Ciphertext: ciphertext}
	if err := b.Put(key, encodeCase(rec)); err != nil {
		return CaseRecord{}, err
	}
	return rec, nil
}

// deleteCase removes the case record of sub, if any, inside tx: a deleted
// submission leaves nothing behind.
func deleteCase(tx *bolt.Tx, sub Submission) error {
	if err := deleteRestriction(tx, sub); err != nil {
		return err
	}
	t := tx.Bucket(bucketCases)
	if t == nil {
		return nil
	}
	if b := t.Bucket([]byte(sub.Hub)); b != nil {
		if err := b.Delete(sub.ID[:]); err != nil {
			return err
		}
	}
	return nil
}

// nestedGet reads key of hub's bucket under top, nil if any is missing
// (top is, in an older file opened read-only).
func nestedGet(tx *bolt.Tx, top []byte, hub string, key []byte) []byte {
	t := tx.Bucket(top)
	if t == nil {
		return nil
	}
	b := t.Bucket([]byte(hub))
	if b == nil {
		return nil
	}
	return b.Get(key)
}

// CaseRecords counts hub's case records (not its hub record).
func (s *Store) CaseRecords(hub string) (int, error) {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		if t := tx.Bucket(bucketCases); t != nil {
			if b := t.Bucket([]byte(hub)); b != nil {
				n = b.Stats().KeyN
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to count case records: %w", err)
	}
	return n, nil
}

// caseVersions fills p.Cases for the page's submissions.
func (p *Page) caseVersions(tx *bolt.Tx, hub string) error {
	for _, sub := range p.Submissions {
		v := nestedGet(tx, bucketCases, hub, sub.ID[:])
		if v == nil {
			continue
		}
		rec, err := decodeCase(v)
		if err != nil {
			return err
		}
		if p.Cases == nil {
			p.Cases, p.CaseEpochs = map[ID]uint64{}, map[ID]uint64{}
		}
		p.Cases[sub.ID] = rec.Version
		p.CaseEpochs[sub.ID] = caseEpoch(tx, hub, sub.ID[:])
	}
	return nil
}
