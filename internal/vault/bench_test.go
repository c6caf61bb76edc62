package vault

import (
	"bytes"
	"fmt"
	"testing"

	bolt "go.etcd.io/bbolt"
)

const benchRecords, benchSize = 10_000, 4 << 10

// BenchmarkPut stores 4 KiB records over 10,000 keys, one durable
// transaction each, as the desk does when it saves a case.
func BenchmarkPut(b *testing.B) {
	v := openTest(b, b.TempDir(), newIdentity(b))
	value := bytes.Repeat([]byte("r"), benchSize)
	b.SetBytes(benchSize)
	i := 0
	for b.Loop() {
		if err := v.Put("reports", fmt.Sprintf("sub_%05d", i%benchRecords), value, day); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkGet reads random 4 KiB records out of a vault of 10,000.
func BenchmarkGet(b *testing.B) {
	v := openTest(b, b.TempDir(), newIdentity(b))
	value := bytes.Repeat([]byte("r"), benchSize)
	err := v.db.Update(func(tx *bolt.Tx) error {
		bk, err := tx.CreateBucketIfNotExists([]byte("reports"))
		if err != nil {
			return err
		}
		for i := range benchRecords {
			k := fmt.Sprintf("sub_%05d", i)
			sealed, err := seal(v.aead, "reports", k, value, dayOf(day))
			if err != nil {
				return err
			}
			if err := bk.Put([]byte(k), sealed); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	i := 0
	for b.Loop() {
		k := fmt.Sprintf("sub_%05d", (i*7919)%benchRecords)
		if _, ok, err := v.Get("reports", k); !ok || err != nil {
			b.Fatal(ok, err)
		}
		i++
	}
}

// BenchmarkPutAll stores 10,000 records of 4 KiB in one batch, as a first
// sync does a page at a time.
func BenchmarkPutAll(b *testing.B) {
	v := openTest(b, b.TempDir(), newIdentity(b))
	value := bytes.Repeat([]byte("r"), benchSize)
	recs := make([]Record, benchRecords)
	for i := range recs {
		recs[i] = Record{"reports", fmt.Sprintf("sub_%05d", i), value, day}
	}
	b.SetBytes(benchRecords * benchSize)
	for b.Loop() {
		if err := v.PutAll(recs); err != nil {
			b.Fatal(err)
		}
	}
}
