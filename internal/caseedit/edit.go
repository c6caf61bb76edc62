package caseedit

import (
	"context"
	"errors"
	"fmt"

	"filippo.io/age"

	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
)

// MaxWrites bounds the writes of one change when others write the same
// record meanwhile.
const MaxWrites = 8

// ErrKeptChanging means the record was written by others before each of
// [MaxWrites] writes: nothing was written, try again later.
var ErrKeptChanging = errors.New("caseedit: the record kept changing while it was written")

// Result is the outcome of a write.
type Result struct {
	// Record is the record as written (the merge, if there was one), and
	// Version its version at the hub.
	Record  *caserecord.Record
	Version uint64
	// Writes counts the PUTs (1 without a conflict); Merged is set when a
	// colleague's change was merged in.
	Writes int
	Merged bool
}

// Fetch returns the case record of submission id and its version,
// decrypted with ids: an empty record and 0 if it has none yet.
func Fetch(ctx context.Context, c *client.Client, id string, ids []age.Identity) (*caserecord.Record, uint64, error) {
	ct, version, err := c.GetCase(ctx, id)
	if err != nil {
		return nil, 0, fmt.Errorf("caseedit: unable to read the case record of %s: %w", id, err)
	}
	if ct == nil {
		return caserecord.New(), 0, nil
	}
	r, err := caserecord.Open(ct, ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("caseedit: unable to open the case record of %s: %w", id, err)
	}
	return r, version, nil
}

// FetchHub returns the hub record and its version: an empty one and 0 if
// the hub has none yet.
func FetchHub(ctx context.Context, c *client.Client, ids []age.Identity) (*caserecord.Hub, uint64, error) {
	ct, version, err := c.GetHubRecord(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("caseedit: unable to read the hub's case settings: %w", err)
	}
	if ct == nil {
		return caserecord.NewHub(), 0, nil
	}
	h, err := caserecord.OpenHub(ct, ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("caseedit: unable to open the hub's case settings: %w", err)
	}
	return h, version, nil
}

// Write applies a change to the current case record of submission id and
// writes it sealed to recipients; if someone wrote first, it merges their
// record with this change and tries again, at most [MaxWrites] times.
// apply runs once, on a copy of the record as first read; an error from
// it is returned wrapped and nothing is written.
func Write(ctx context.Context, c *client.Client, id string, ids []age.Identity, to []age.Recipient, apply func(*caserecord.Record) error) (Result, error) {
	base, version, err := Fetch(ctx, c, id, ids)
	if err != nil {
		return Result{}, err
	}
	mine, err := caserecord.Merge(base, base, base) // a copy
	if err != nil {
		return Result{}, fmt.Errorf("caseedit: unable to copy the case record of %s: %w", id, err)
	}
	if err := apply(mine); err != nil {
		return Result{}, fmt.Errorf("caseedit: unable to change the case record of %s: %w", id, err)
	}
	res := Result{}
	for range MaxWrites {
		ct, err := caserecord.Seal(mine, to)
		if err != nil {
			return Result{}, fmt.Errorf("caseedit: unable to encrypt the case record of %s: %w", id, err)
		}
		res.Writes++
		v, err := c.PutCase(ctx, id, ct, version)
		if err == nil {
			res.Record, res.Version = mine, v
			return res, nil
		}
		if !errors.Is(err, client.ErrStaleVersion) {
			return Result{}, fmt.Errorf("caseedit: unable to write the case record of %s: %w", id, err)
		}
		theirs, tv, err := Fetch(ctx, c, id, ids)
		if err != nil {
			return Result{}, err
		}
		merged, err := caserecord.Merge(base, mine, theirs)
		if err != nil {
			return Result{}, fmt.Errorf("caseedit: unable to merge the case record of %s with a colleague's change: %w", id, err)
		}
		base, mine, version = theirs, merged, tv
		res.Merged = true
	}
	return Result{}, fmt.Errorf("%w (case %s, %d writes)", ErrKeptChanging, id, MaxWrites)
}

// WriteHub applies a change to the current hub record and writes it
// sealed to recipients. A stale write fetches the hub record again and
// applies the same change to it (the changes of a label set are adds and
// removes: applying them again is the merge of two sets), at most
// [MaxWrites] times. It returns the record written, its version and the
// number of writes.
func WriteHub(ctx context.Context, c *client.Client, ids []age.Identity, to []age.Recipient, apply func(*caserecord.Hub) error) (*caserecord.Hub, uint64, int, error) {
	for n := 1; n <= MaxWrites; n++ {
		h, version, err := FetchHub(ctx, c, ids)
		if err != nil {
			return nil, 0, n - 1, err
		}
		if err := apply(h); err != nil {
			return nil, 0, n - 1, fmt.Errorf("caseedit: unable to change the hub's case settings: %w", err)
		}
		if _, err := h.Marshal(); err != nil { // sorts, and checks the limits
			return nil, 0, n - 1, fmt.Errorf("caseedit: unable to change the hub's case settings: %w", err)
		}
		ct, err := caserecord.SealHub(h, to)
		if err != nil {
			return nil, 0, n - 1, fmt.Errorf("caseedit: unable to encrypt the hub's case settings: %w", err)
		}
		nv, err := c.PutHubRecord(ctx, ct, version)
		if errors.Is(err, client.ErrStaleVersion) {
			continue
		}
		if err != nil {
			return nil, 0, n, fmt.Errorf("caseedit: unable to write the hub's case settings: %w", err)
		}
		return h, nv, n, nil
	}
	return nil, 0, MaxWrites, fmt.Errorf("%w (the hub's case settings, %d writes)", ErrKeptChanging, MaxWrites)
}
