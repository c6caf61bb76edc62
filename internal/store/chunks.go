package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Chunk layout. Every chunk of ciphertext lives in a nested bucket of its
// own under bucketChunks, keyed by blob id and sequence number, holding one
// value under chunkValue.
//
// Why not plain values: bbolt rewrites a whole leaf page when it changes,
// and keeps at least two values in a leaf however large they are. With 1 MiB
// values side by side, writing each chunk copied the previous one again and
// paged it in through the memory map: a 2 GiB upload wrote about 1.5× its
// size and grew the server's resident memory by 1 GiB. A bucket per chunk
// keeps each chunk on pages nothing else touches.
var chunkValue = []byte("c")

func chunkKey(blob ID, seq uint32) []byte {
	k := make([]byte, IDSize+4)
	copy(k, blob[:])
	binary.BigEndian.PutUint32(k[IDSize:], seq)
	return k
}

func putChunk(tx *bolt.Tx, blob ID, seq uint32, p []byte) error {
	b, err := tx.Bucket(bucketChunks).CreateBucketIfNotExists(chunkKey(blob, seq))
	if err != nil {
		return err
	}
	return b.Put(chunkValue, p)
}

// getChunk returns a chunk's bytes, valid only inside tx, or nil.
func getChunk(tx *bolt.Tx, blob ID, seq uint32) []byte {
	b := tx.Bucket(bucketChunks).Bucket(chunkKey(blob, seq))
	if b == nil {
		return nil
	}
	return b.Get(chunkValue)
}

func deleteChunks(tx *bolt.Tx, blob ID) error {
	parent := tx.Bucket(bucketChunks)
	var keys [][]byte
	c := parent.Cursor()
	for k, _ := c.Seek(blob[:]); k != nil && bytes.HasPrefix(k, blob[:]); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if err := parent.DeleteBucket(k); err != nil {
			// A plain value where a chunk bucket belongs: damage; remove it.
			if err := parent.Delete(k); err != nil {
				return fmt.Errorf("unable to delete chunk %x: %w", k, err)
			}
		}
	}
	return nil
}

// chunkInfo describes one stored chunk for [Store.Verify].
type chunkInfo struct {
	blob ID
	seq  uint32
	size int
	ok   bool // the key and the layout are well formed
}

func forEachChunk(tx *bolt.Tx, fn func(chunkInfo)) error {
	parent := tx.Bucket(bucketChunks)
	return parent.ForEach(func(k, v []byte) error {
		ci := chunkInfo{ok: len(k) == IDSize+4 && v == nil}
		if len(k) == IDSize+4 {
			copy(ci.blob[:], k)
			ci.seq = binary.BigEndian.Uint32(k[IDSize:])
		}
		if v == nil {
			if b := parent.Bucket(k); b != nil {
				data := b.Get(chunkValue)
				ci.size = len(data)
				ci.ok = ci.ok && data != nil && b.Stats().KeyN == 1
			}
		}
		fn(ci)
		return nil
	})
}
