package store

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// verifyBulletins checks every hub's bulletins for [Store.Verify]: each
// record is well formed, the identifier index and the records agree both
// ways, references name earlier bulletins, and every replaced-by mark
// names a later bulletin that references this one. It does not parse the
// documents (that is internal/cap's job, redone by every reader).
func verifyBulletins(tx *bolt.Tx) []error {
	var errs []error
	all, ids := tx.Bucket(bucketBulletins), tx.Bucket(bucketBulletinIDs)
	if all == nil || ids == nil {
		return nil // a read-only look at a database older than bulletins
	}
	all.ForEachBucket(func(hub []byte) error {
		docs, index := all.Bucket(hub), ids.Bucket(hub)
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("hub %s: "+format, append([]any{hub}, args...)...))
		}
		byseq := map[uint64]Bulletin{}
		docs.ForEach(func(k, v []byte) error {
			b, err := decodeBulletin(k, v)
			switch {
			case err != nil:
				fail("%v", err)
				return nil
			case b.Seq == 0 || b.Seq > docs.Sequence():
				fail("bulletin %d: outside the hub's sequence (%d)", b.Seq, docs.Sequence())
			case len(b.Document) == 0 || len(b.Signature) != ed25519.SignatureSize:
				fail("bulletin %d: no document or a %d-byte signature", b.Seq, len(b.Signature))
			case b.Identifier == "" || b.Sender == "" || b.Sent == "" || b.MsgType == "":
				fail("bulletin %d: identifier, sender, sent or msgType missing", b.Seq)
			}
			byseq[b.Seq] = b
			return nil
		})
		for seq, b := range byseq {
			var indexed []byte
			if index != nil {
				indexed = index.Get(bulletinIDKey(b.Sender, b.Identifier))
			}
			if !bytes.Equal(indexed, seqKey(seq)) {
				fail("bulletin %d: not in the identifier index", seq)
			}
			for _, ref := range b.References {
				old, ok := byseq[lookupSeq(index, ref)]
				if !ok || old.Sent != ref.Sent || old.Seq >= seq {
					fail("bulletin %d: reference %s,%s,%s names no earlier bulletin", seq, ref.Sender, ref.Identifier, ref.Sent)
				}
			}
			if b.ReplacedBy != 0 {
				by, ok := byseq[b.ReplacedBy]
				if !ok || by.Seq <= seq || !references(by, b) {
					fail("bulletin %d: replaced by %d, which does not reference it", seq, b.ReplacedBy)
				}
			}
		}
		if index != nil {
			index.ForEach(func(k, v []byte) error {
				b, ok := byseq[lookupSeqValue(v)]
				if !ok || !bytes.Equal(k, bulletinIDKey(b.Sender, b.Identifier)) {
					fail("identifier index entry %q names no such bulletin", k)
				}
				return nil
			})
		}
		return nil
	})
	ids.ForEachBucket(func(hub []byte) error {
		if all.Bucket(hub) == nil {
			errs = append(errs, fmt.Errorf("hub %s: a bulletin identifier index without bulletins", hub))
		}
		return nil
	})
	return errs
}

func lookupSeq(index *bolt.Bucket, ref BulletinRef) uint64 {
	if index == nil {
		return 0
	}
	return lookupSeqValue(index.Get(bulletinIDKey(ref.Sender, ref.Identifier)))
}

func lookupSeqValue(v []byte) uint64 {
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func references(by, b Bulletin) bool {
	for _, ref := range by.References {
		if ref == (BulletinRef{b.Sender, b.Identifier, b.Sent}) {
			return true
		}
	}
	return false
}
