package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// AddBatch stores complete submissions of hub in one transaction, as
// [Upload.Commit] would one at a time, each with its whole ciphertext (at
// most [ChunkSize]) as one chunk: for loading an archive and for tests of
// large hubs. It checks nothing of the ciphertext (the caller has), opens
// no conversation and raises no event. subs give Kind, Received, Status,
// Recipients and Epoch; the stored submissions are returned.
func (s *Store) AddBatch(hub string, subs []Submission, ciphertext [][]byte) ([]Submission, error) {
	if len(subs) != len(ciphertext) {
		return nil, errors.New("store: AddBatch needs one ciphertext per submission")
	}
	out := make([]Submission, len(subs))
	err := s.db.Update(func(tx *bolt.Tx) error {
		var total int64
		for i, sub := range subs {
			if len(ciphertext[i]) > ChunkSize {
				return fmt.Errorf("ciphertext %d larger than a chunk", i)
			}
			sub.ID, sub.Blob, sub.Hub = NewID(), NewID(), hub
			sub.Size, sub.Chunks = int64(len(ciphertext[i])), 1
			sub.Thread, sub.Seq, sub.Serial, sub.Change = ID{}, 0, 0, 0
			if err := putChunk(tx, sub.Blob, 0, ciphertext[i]); err != nil {
				return err
			}
			if err := putSubmission(tx, &sub); err != nil {
				return err
			}
			total += sub.Size
			out[i] = sub
		}
		return addUsage(tx, hub, total)
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to add %d submissions to %q: %w", len(subs), hub, err)
	}
	return out, nil
}
