package vault

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestPutAll(t *testing.T) {
	t.Parallel()
	v := openTest(t, t.TempDir(), newIdentity(t))
	var recs []Record
	for i := range 50 {
		recs = append(recs, Record{"reports", fmt.Sprint("sub_", i), []byte(fmt.Sprint("report ", i)), day})
	}
	recs = append(recs, Record{"threads", "sub_0", []byte("thread"), day})
	if err := v.PutAll(recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if got := mustGet(t, v, r.Bucket, r.Key); !bytes.Equal(got, r.Value) {
			t.Errorf("%s/%s = %q", r.Bucket, r.Key, got)
		}
	}
	// All or nothing: one bad record and none is stored.
	bad := []Record{{"reports", "new_1", []byte("x"), day}, {"reports", "bad key", []byte("x"), day}}
	if err := v.PutAll(bad); !errors.Is(err, ErrBadName) {
		t.Errorf("bad key: %v", err)
	}
	if _, ok, _ := v.Get("reports", "new_1"); ok {
		t.Error("a refused batch stored a record")
	}
	if err := v.PutAll(make([]Record, MaxBatchRecords+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too many records: %v", err)
	}
	if u, _ := v.Usage(); u.Records != 51 {
		t.Errorf("%d records", u.Records)
	}
}
