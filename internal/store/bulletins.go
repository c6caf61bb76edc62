package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bulletins are the CAP alert documents a hub publishes to its community,
// signed by its admin key. They are public by design and hold nothing
// about defenders. Per hub, bucketBulletins keeps them by sequence number
// (1, 2, 3… in publication order) and bucketBulletinIDs indexes them by
// sender and identifier, which CAP makes unique: a second document with
// the same pair is a replay, whatever its bytes.
var (
	bucketBulletins   = []byte("bulletins")
	bucketBulletinIDs = []byte("bulletin-ids")
)

// Errors of [Store.PublishBulletin].
var (
	// ErrBulletinReplayed: the sender already published this identifier.
	ErrBulletinReplayed = errors.New("store: this sender already published a bulletin with this identifier")
	// ErrUnknownReference: a reference names no published bulletin, or an
	// Update or Cancel names none at all.
	ErrUnknownReference = errors.New("store: the bulletin references one the hub never published")
)

// Bulletin is one published bulletin: the document exactly as signed, the
// signature, and the facts the server needs without parsing it again.
// Times are CAP's text as in the document; Expires is the latest expiry of
// its info blocks, zero if it does not expire by itself.
type Bulletin struct {
	Seq        uint64        `json:"-"`
	Document   []byte        `json:"document"`
	Signature  []byte        `json:"signature"`
	Identifier string        `json:"identifier"`
	Sender     string        `json:"sender"`
	Sent       string        `json:"sent"`
	MsgType    string        `json:"msg_type"`
	Expires    time.Time     `json:"expires,omitzero"`
	References []BulletinRef `json:"references,omitempty"`
	// ReplacedBy is the Seq of the latest Update or Cancel that
	// references this bulletin, or 0.
	ReplacedBy uint64 `json:"replaced_by,omitempty"`
	// Published is the hour the server accepted it.
	Published time.Time `json:"published"`
}

// BulletinRef names an earlier bulletin, as a CAP reference does:
// sender, identifier and sent, compared as exact strings.
type BulletinRef struct {
	Sender     string `json:"sender"`
	Identifier string `json:"identifier"`
	Sent       string `json:"sent"`
}

// bulletinIDKey is the index key of a sender's identifier. Neither can
// hold a NUL: XML has none.
func bulletinIDKey(sender, identifier string) []byte {
	return []byte(sender + "\x00" + identifier)
}

// Updates and cancellations must say what they update or cancel.
func needsReferences(msgType string) bool { return msgType == "Update" || msgType == "Cancel" }

// PublishBulletin stores b as hub's next bulletin, in one transaction: the
// sender's identifier must be unused ([ErrBulletinReplayed]), every
// reference must name a bulletin of the hub with the same sender,
// identifier and sent ([ErrUnknownReference]; an Update or Cancel needs at
// least one), the bulletins referenced are marked replaced by the new one,
// and the publication is audited. The caller has checked the document and
// its signature. It returns b with Seq and Published set.
func (s *Store) PublishBulletin(hub string, b Bulletin) (Bulletin, error) {
	b.Published, b.ReplacedBy = s.hour(), 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		docs, err := tx.Bucket(bucketBulletins).CreateBucketIfNotExists([]byte(hub))
		if err != nil {
			return err
		}
		ids, err := tx.Bucket(bucketBulletinIDs).CreateBucketIfNotExists([]byte(hub))
		if err != nil {
			return err
		}
		idKey := bulletinIDKey(b.Sender, b.Identifier)
		if ids.Get(idKey) != nil {
			return ErrBulletinReplayed
		}
		if needsReferences(b.MsgType) && len(b.References) == 0 {
			return fmt.Errorf("%w: an %s must reference the bulletins it replaces", ErrUnknownReference, b.MsgType)
		}
		var replaced []Bulletin
		for _, ref := range b.References {
			old, err := referenced(docs, ids, ref)
			if err != nil {
				return err
			}
			replaced = append(replaced, old)
		}
		if b.Seq, err = docs.NextSequence(); err != nil {
			return err
		}
		for _, old := range replaced {
			old.ReplacedBy = b.Seq
			if err := putBulletin(docs, old); err != nil {
				return err
			}
		}
		if err := putBulletin(docs, b); err != nil {
			return err
		}
		if err := ids.Put(idKey, seqKey(b.Seq)); err != nil {
			return err
		}
		return s.audit(tx, hub, AuditEvent{Event: "bulletin.published", Bulletin: b.Seq})
	})
	if err != nil {
		return Bulletin{}, fmt.Errorf("store: unable to publish bulletin %q of %q: %w", b.Identifier, hub, err)
	}
	return b, nil
}

// referenced returns the bulletin ref names, or [ErrUnknownReference].
func referenced(docs, ids *bolt.Bucket, ref BulletinRef) (Bulletin, error) {
	unknown := fmt.Errorf("%w: %s,%s,%s", ErrUnknownReference, ref.Sender, ref.Identifier, ref.Sent)
	v := ids.Get(bulletinIDKey(ref.Sender, ref.Identifier))
	if len(v) != 8 {
		return Bulletin{}, unknown
	}
	old, err := getBulletin(docs, binary.BigEndian.Uint64(v))
	if err != nil {
		return Bulletin{}, err
	}
	if old.Sent != ref.Sent {
		return Bulletin{}, unknown
	}
	return old, nil
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

func putBulletin(docs *bolt.Bucket, b Bulletin) error {
	v, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return docs.Put(seqKey(b.Seq), v)
}

func getBulletin(docs *bolt.Bucket, seq uint64) (Bulletin, error) {
	v := docs.Get(seqKey(seq))
	if v == nil {
		return Bulletin{}, fmt.Errorf("bulletin %d: %w", seq, ErrNotFound)
	}
	return decodeBulletin(seqKey(seq), v)
}

func decodeBulletin(k, v []byte) (Bulletin, error) {
	b, seq, err := decodeNumbered[Bulletin]("bulletin", k, v)
	b.Seq = seq
	return b, err
}

// Bulletins returns hub's bulletins, oldest first.
func (s *Store) Bulletins(hub string) ([]Bulletin, error) {
	out, err := hubEntries(s, bucketBulletins, hub, decodeBulletin)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the bulletins of %q: %w", hub, err)
	}
	return out, nil
}

// Bulletin returns hub's bulletin seq, or an error wrapping [ErrNotFound].
func (s *Store) Bulletin(hub string, seq uint64) (Bulletin, error) {
	var b Bulletin
	err := s.db.View(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketBulletins).Bucket([]byte(hub))
		if docs == nil {
			return fmt.Errorf("bulletin %d: %w", seq, ErrNotFound)
		}
		var err error
		b, err = getBulletin(docs, seq)
		return err
	})
	if err != nil {
		return Bulletin{}, fmt.Errorf("store: unable to read bulletin %d of %q: %w", seq, hub, err)
	}
	return b, nil
}

// BulletinsBefore returns up to limit (at most [MaxPage]) of hub's
// bulletins numbered below before (0 for from the latest), newest first,
// in one read transaction, with the number to resume below and whether
// more follow. A number the hub has not reached is [ErrCursorAhead].
func (s *Store) BulletinsBefore(hub string, before uint64, limit int) (list []Bulletin, next uint64, more bool, err error) {
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	next = before
	err = s.db.View(func(tx *bolt.Tx) error {
		docs := tx.Bucket(bucketBulletins).Bucket([]byte(hub))
		if docs == nil || before > docs.Sequence() {
			if before != 0 {
				return ErrCursorAhead
			}
			return nil
		}
		c := docs.Cursor()
		k, v := c.Last()
		if before != 0 {
			if sk, _ := c.Seek(epochKey(before)); sk != nil {
				k, v = c.Prev()
			} else {
				k, v = c.Last()
			}
			for len(k) == 8 && binary.BigEndian.Uint64(k) >= before {
				k, v = c.Prev()
			}
		}
		for ; k != nil; k, v = c.Prev() {
			if len(list) == limit {
				more = true
				return nil
			}
			b, err := decodeBulletin(k, v)
			if err != nil {
				return err
			}
			list = append(list, b)
			next = b.Seq
		}
		return nil
	})
	if err != nil {
		return nil, 0, false, fmt.Errorf("store: unable to read the bulletins of %q: %w", hub, err)
	}
	return list, next, more, nil
}
