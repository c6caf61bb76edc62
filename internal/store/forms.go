package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Forms are the report forms a hub designs, signed by its admin key. They
// are public by design and hold nothing about defenders. Per hub,
// bucketForms keeps every version ever published under ID NUL VERSION
// (8 bytes big-endian), so a client can fetch the version a bundle's
// answers name, and the latest version of a form is the last key with its
// prefix. The bucket is created on the first publication.
var bucketForms = []byte("forms")

// MaxFormsPerHub bounds the distinct form ids of a hub.
const MaxFormsPerHub = 32

// Errors of [Store.PublishForm].
var (
	// ErrFormRollback: the version is not newer than the published one.
	ErrFormRollback = errors.New("store: the form's version is not newer than the published one")
	// ErrTooManyForms: the hub has MaxFormsPerHub forms already.
	ErrTooManyForms = errors.New("store: the hub has too many forms")
)

// Form is one published version of a form: the signed bytes exactly as
// signed, the signature, and what the server needs without parsing them
// again.
type Form struct {
	ID        string            `json:"id"`
	Version   uint64            `json:"version"`
	Hash      string            `json:"hash"`
	Title     map[string]string `json:"title"`
	Bytes     []byte            `json:"form"`
	Signature []byte            `json:"signature"`
	// Published is the hour the server accepted it.
	Published time.Time `json:"published"`
}

func formKey(id string, version uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(id+"\x00"), version)
}

// PublishForm stores f as a new version of hub's form f.ID, in one
// transaction with its audit event: its version must be higher than every
// version published before ([ErrFormRollback]), and a new id needs room
// ([ErrTooManyForms]). The caller has checked the signature and the form.
func (s *Store) PublishForm(hub string, f Form) (Form, error) {
	f.Published = s.hour()
	err := s.db.Update(func(tx *bolt.Tx) error {
		top, err := tx.CreateBucketIfNotExists(bucketForms)
		if err != nil {
			return err
		}
		b, err := top.CreateBucketIfNotExists([]byte(hub))
		if err != nil {
			return err
		}
		latest, ids, err := formVersions(b, f.ID)
		if err != nil {
			return err
		}
		if latest == 0 && ids >= MaxFormsPerHub {
			return fmt.Errorf("%w: at most %d", ErrTooManyForms, MaxFormsPerHub)
		}
		if f.Version <= latest {
			return fmt.Errorf("%w: version %d, published %d", ErrFormRollback, f.Version, latest)
		}
		v, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if err := b.Put(formKey(f.ID, f.Version), v); err != nil {
			return err
		}
		return s.audit(tx, hub, AuditEvent{Event: "form.published", Form: f.ID + "/" + strconv.FormatUint(f.Version, 10)})
	})
	if err != nil {
		return Form{}, fmt.Errorf("store: unable to publish form %q of %q: %w", f.ID, hub, err)
	}
	return f, nil
}

// formVersions returns the latest version of id in b (0 if none) and the
// number of distinct form ids.
func formVersions(b *bolt.Bucket, id string) (latest uint64, ids int, err error) {
	last := ""
	err = b.ForEach(func(k, _ []byte) error {
		i := bytes.IndexByte(k, 0)
		if i < 0 || len(k)-i-1 != 8 {
			return fmt.Errorf("corrupt form key %x", k)
		}
		if name := string(k[:i]); name != last {
			ids++
			last = name
		}
		if string(k[:i]) == id {
			latest = binary.BigEndian.Uint64(k[i+1:])
		}
		return nil
	})
	return latest, ids, err
}

// Forms returns the latest version of each of hub's forms, sorted by id.
func (s *Store) Forms(hub string) ([]Form, error) {
	var out []Form
	err := s.db.View(func(tx *bolt.Tx) error {
		b := hubForms(tx, hub)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			f, err := decodeForm(k, v)
			if err != nil {
				return err
			}
			if n := len(out); n > 0 && out[n-1].ID == f.ID {
				out[n-1] = f // keys sort by version within an id
			} else {
				out = append(out, f)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: unable to read the forms of %q: %w", hub, err)
	}
	return out, nil
}

// Form returns version of hub's form id (0: the latest), or an error
// wrapping [ErrNotFound].
func (s *Store) Form(hub, id string, version uint64) (Form, error) {
	var f Form
	err := s.db.View(func(tx *bolt.Tx) error {
		b := hubForms(tx, hub)
		if b == nil {
			return ErrNotFound
		}
		k := formKey(id, version)
		v := b.Get(k)
		if version == 0 {
			prefix := []byte(id + "\x00")
			c := b.Cursor()
			for ck, cv := c.Seek(prefix); ck != nil && bytes.HasPrefix(ck, prefix); ck, cv = c.Next() {
				k, v = ck, cv
			}
		}
		if v == nil {
			return ErrNotFound
		}
		var err error
		f, err = decodeForm(k, v)
		return err
	})
	if err != nil {
		return Form{}, fmt.Errorf("store: unable to read form %q version %d of %q: %w", id, version, hub, err)
	}
	return f, nil
}

func hubForms(tx *bolt.Tx, hub string) *bolt.Bucket {
	top := tx.Bucket(bucketForms)
	if top == nil {
		return nil
	}
	return top.Bucket([]byte(hub))
}

func decodeForm(k, v []byte) (Form, error) {
	var f Form
	if err := json.Unmarshal(v, &f); err != nil {
		return Form{}, fmt.Errorf("corrupt form %x: %w", k, err)
	}
	if !bytes.Equal(formKey(f.ID, f.Version), k) {
		return Form{}, fmt.Errorf("corrupt form %x: it holds %q version %d", k, f.ID, f.Version)
	}
	return f, nil
}
