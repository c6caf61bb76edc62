package casebook

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"difesa.org/difesa/internal/vault"
	"difesa.org/difesa/internal/wire"
)

// The vault's layout (see the package documentation). Buckets are named
// after the hub's id; keys are submission and alarm ids, or fixed names.
const (
	bucketSub    = "sub:"    // ID → storedSub
	bucketAge    = "age:"    // SEQ.N (ID.N before) → the N-th chunk of an age ciphertext
	bucketState  = "state:"  // keyCursor, keyRead
	bucketAlarms = "alarms:" // ID → wire.Alarm

	keyCursor = "cursor"
	keyRead   = "read"

	// chunkSize cuts a ciphertext into vault records.
	chunkSize = 32 << 20
)

// storedSub is what the vault keeps of a submission besides its
// ciphertext: the hub's listing entry, in how many chunks the ciphertext
// is, and under which number (see [chunkKey]).
type storedSub struct {
	Sub    wire.Submission `json:"sub"`
	Chunks int             `json:"chunks"`
	Seq    uint64          `json:"seq,omitempty"`
}

// chunkKey is the vault key of the n-th chunk of a ciphertext kept under
// seq: the number the desk gave the submission when it first took it in,
// in 17 hexadecimal digits, so that the keys of what a sync takes in
// follow one another and bbolt appends them instead of rewriting pages
// all over the file (a first sync wrote its data three times over).
// Copies kept before the numbers (seq 0) stay under "ID.N"; no number
// key starts like a submission id (never with 0 or 1).
func chunkKey(id string, seq uint64, n int) string {
	if seq == 0 {
		return id + "." + strconv.Itoa(n)
	}
	return fmt.Sprintf("%017x.%d", seq, n)
}

// subRecords returns the vault records of a submission and its ciphertext,
// kept under seq.
func subRecords(hub string, sub wire.Submission, ct []byte, seq uint64, kept time.Time) ([]vault.Record, error) {
	n := (len(ct) + chunkSize - 1) / chunkSize
	meta, err := metaOf(sub, n, seq)
	if err != nil {
		return nil, err
	}
	recs := make([]vault.Record, 0, n+1)
	for i := 0; i < n; i++ {
		end := min(len(ct), (i+1)*chunkSize)
		recs = append(recs, vault.Record{Bucket: bucketAge + hub, Key: chunkKey(sub.ID, seq, i), Value: ct[i*chunkSize : end], Kept: kept})
	}
	// The entry last: a submission is listed once its ciphertext is in.
	recs = append(recs, vault.Record{Bucket: bucketSub + hub, Key: sub.ID, Value: meta, Kept: kept})
	return recs, nil
}

// putBatched stores records in as few [vault.Vault.PutAll] transactions
// as its limits allow, the last record in the last one (the cursor goes
// last, so that it is stored only with everything before it).
func putBatched(v *vault.Vault, recs []vault.Record) error {
	const maxBytes = vault.MaxBatchBytes / 2
	for len(recs) > 0 {
		n, size := 0, int64(0)
		for n < len(recs) && n < vault.MaxBatchRecords {
			size += int64(len(recs[n].Value))
			if n > 0 && size > maxBytes {
				break
			}
			n++
		}
		if err := v.PutAll(recs[:n]); err != nil {
			return fmt.Errorf("casebook: unable to keep the local copy: %w", err)
		}
		recs = recs[n:]
	}
	return nil
}

// loadCiphertext reads a submission's ciphertext back from the vault.
func loadCiphertext(v *vault.Vault, hub, id string, seq uint64, chunks int) ([]byte, error) {
	var ct []byte
	for i := 0; i < chunks; i++ {
		b, ok, err := v.Get(bucketAge+hub, chunkKey(id, seq, i))
		if err != nil {
			return nil, fmt.Errorf("casebook: unable to read the local copy of a submission: %w", err)
		}
		if !ok {
			return nil, fmt.Errorf("casebook: the local copy of a submission is incomplete")
		}
		ct = append(ct, b...)
	}
	return ct, nil
}

// forgetSub removes a submission and its ciphertext from the vault.
func forgetSub(v *vault.Vault, hub, id string, seq uint64, chunks int) error {
	if err := v.Delete(bucketSub+hub, id); err != nil {
		return fmt.Errorf("casebook: unable to forget a submission: %w", err)
	}
	for i := 0; i < chunks; i++ {
		if err := v.Delete(bucketAge+hub, chunkKey(id, seq, i)); err != nil {
			return fmt.Errorf("casebook: unable to forget a submission: %w", err)
		}
	}
	if err := v.Delete(bucketCase+hub, id); err != nil {
		return fmt.Errorf("casebook: unable to forget a case record: %w", err)
	}
	return nil
}

// dayOf is the coarse day a record is kept under.
func dayOf(t time.Time) time.Time {
	return t.UTC().Truncate(24 * time.Hour)
}

// receivedTime parses a listing's coarse hour; the zero time if it is not one.
func receivedTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// metaOf is the encoded vault entry of a submission.
func metaOf(s wire.Submission, chunks int, seq uint64) ([]byte, error) {
	b, err := json.Marshal(storedSub{Sub: s, Chunks: chunks, Seq: seq})
	if err != nil {
		return nil, fmt.Errorf("casebook: unable to encode a submission: %w", err)
	}
	return b, nil
}
