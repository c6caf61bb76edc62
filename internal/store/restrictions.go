package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/wire"
)

// Restricted cases (docs/api.md, "Restricted cases"). A case (the
// submission that opened it, its conversation and its case record) may be
// restricted to some of the hub's responders, named by their recipient
// keys. The list of keys is the one thing about a case the server learns:
// it needs it to refuse the case to the other responders' tokens. Nothing
// else is kept: not who set it (the audit log has the label and the hour),
// not why.
var (
	// bucketRestrictions holds, per hub (nested), each restricted (or
	// once restricted) case's restriction by the opening submission's id.
	bucketRestrictions = []byte("restrictions")
	// bucketCaseEpochs holds, per hub (nested), the manifest epoch each
	// case record was last written to, by the submission's id; the hub
	// record's under hubRecordKey.
	bucketCaseEpochs = []byte("case-epochs")
)

// hubRecordKey is the hub record's key in bucketCaseEpochs: shorter than
// any submission id.
var hubRecordKey = []byte("hub")

// Restriction is a case's restriction.
type Restriction struct {
	// Version counts its changes, lifting included (0: never set).
	Version uint64
	// Updated is the hour of the last change, as the caller rounded it.
	Updated time.Time
	// Keys are the recipients the case is restricted to, sorted; none
	// when it is not restricted.
	Keys []string
}

// Restricted reports whether the case is restricted.
func (r Restriction) Restricted() bool { return len(r.Keys) > 0 }

// Allows reports whether the responder with recipient key may see the
// case: it is not restricted, or key is one of its keys.
func (r Restriction) Allows(key string) bool {
	if !r.Restricted() {
		return true
	}
	_, found := slices.BinarySearch(r.Keys, key)
	return found
}

// ErrNotCase refuses to restrict a message of a conversation: a case is
// restricted by the submission that opened it.
var ErrNotCase = errors.New("store: a message of a conversation, not a case: restrict the submission that opened it")

// caseRoot is the id of the case sub belongs to: the submission that
// opened its conversation, or itself.
func caseRoot(sub Submission) ID {
	if sub.Thread != (ID{}) {
		return sub.Thread
	}
	return sub.ID
}

func encodeRestriction(r Restriction) []byte {
	v := make([]byte, caseHeader)
	binary.BigEndian.PutUint64(v[0:8], r.Version)
	binary.BigEndian.PutUint64(v[8:16], uint64(r.Updated.Unix()))
	return append(v, strings.Join(r.Keys, "\n")...)
}

func decodeRestriction(v []byte) (Restriction, error) {
	if len(v) < caseHeader {
		return Restriction{}, errors.New("store: corrupt restriction")
	}
	r := Restriction{
		Version: binary.BigEndian.Uint64(v[0:8]),
		Updated: time.Unix(int64(binary.BigEndian.Uint64(v[8:16])), 0).UTC(),
	}
	if len(v) > caseHeader {
		r.Keys = strings.Split(string(v[caseHeader:]), "\n")
	}
	return r, nil
}

// restrictionOf reads the restriction of the case sub belongs to.
func restrictionOf(tx *bolt.Tx, sub Submission) (Restriction, error) {
	root := caseRoot(sub)
	v := nestedGet(tx, bucketRestrictions, sub.Hub, root[:])
	if v == nil {
		return Restriction{}, nil
	}
	return decodeRestriction(v)
}

// Restriction returns the restriction of the case submission id of hub
// belongs to (the zero Restriction if it was never restricted), and that
// case's id: [ErrNotFound] if the submission does not exist.
func (s *Store) Restriction(hub string, id ID) (ID, Restriction, error) {
	var (
		root ID
		r    Restriction
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		sub, err := getSubmission(tx, hub, id)
		if err != nil {
			return err
		}
		root = caseRoot(sub)
		r, err = restrictionOf(tx, sub)
		return err
	})
	if err != nil {
		return ID{}, Restriction{}, fmt.Errorf("store: unable to read the restriction of %s: %w", id, err)
	}
	return root, r, nil
}

// SetRestriction restricts case id of hub to keys (sorted, checked by the
// caller), or lifts its restriction if keys is empty, if the
// restriction's version is base, in one transaction; it logs
// "case.changed" with by (the responder's label) in the audit log and
// lists the case again as a change. A stale base fails with a
// [*StaleVersionError], a message of a conversation with [ErrNotCase], an
// unknown submission with [ErrNotFound].
func (s *Store) SetRestriction(hub string, id ID, base uint64, keys []string, updated time.Time, by string) (Restriction, error) {
	var r Restriction
	err := s.db.Update(func(tx *bolt.Tx) error {
		sub, err := getSubmission(tx, hub, id)
		if err != nil {
			return err
		}
		if caseRoot(sub) != id {
			return ErrNotCase
		}
		old, err := restrictionOf(tx, sub)
		if err != nil {
			return err
		}
		if old.Version != base {
			return &StaleVersionError{Current: old.Version}
		}
		if base == ^uint64(0) {
			return errors.New("store: the restriction has no versions left")
		}
		b, err := tx.Bucket(bucketRestrictions).CreateBucketIfNotExists([]byte(hub))
		if err != nil {
			return err
		}
		r = Restriction{Version: base + 1, Updated: updated.UTC(), Keys: slices.Clone(keys)}
		if err := b.Put(id[:], encodeRestriction(r)); err != nil {
			return err
		}
		if err := touch(tx, hub, id); err != nil {
			return err
		}
		return s.audit(tx, hub, AuditEvent{Event: wire.EventCaseChanged, Submission: id.String(), By: by})
	})
	if err != nil {
		return Restriction{}, fmt.Errorf("store: unable to change the restriction of %s: %w", id, err)
	}
	return r, nil
}

// Restrictions returns the keys of each of hub's restricted cases, by
// the case's id.
func (s *Store) Restrictions(hub string) (map[ID][]string, error) {
	out := map[ID][]string{}
	err := s.db.View(func(tx *bolt.Tx) error {
		t := tx.Bucket(bucketRestrictions)
		if t == nil {
			return nil
		}
		b := t.Bucket([]byte(hub))
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(k) != IDSize {
				return fmt.Errorf("store: corrupt restriction key %x", k)
			}
			r, err := decodeRestriction(v)
			if err != nil || !r.Restricted() {
				return err
			}
			out[ID(k)] = r.Keys
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to list restrictions: %w", err)
	}
	return out, nil
}

// putCaseEpoch records the epoch a case record (key: the submission's
// id, or hubRecordKey) was written to, inside tx.
func putCaseEpoch(tx *bolt.Tx, hub string, key []byte, epoch uint64) error {
	b, err := tx.Bucket(bucketCaseEpochs).CreateBucketIfNotExists([]byte(hub))
	if err != nil {
		return err
	}
	return b.Put(key, binary.BigEndian.AppendUint64(nil, epoch))
}

// caseEpoch reads what putCaseEpoch wrote, 0 if nothing.
func caseEpoch(tx *bolt.Tx, hub string, key []byte) uint64 {
	if v := nestedGet(tx, bucketCaseEpochs, hub, key); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// deleteRestriction removes the restriction and the case epoch of sub,
// inside tx: a deleted case leaves nothing behind.
func deleteRestriction(tx *bolt.Tx, sub Submission) error {
	for _, top := range [][]byte{bucketRestrictions, bucketCaseEpochs} {
		if t := tx.Bucket(top); t != nil {
			if b := t.Bucket([]byte(sub.Hub)); b != nil {
				if err := b.Delete(sub.ID[:]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
