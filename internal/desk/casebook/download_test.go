package casebook

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// onlyReader hides every method of its reader but Read, as an HTTP
// response's body does.
type onlyReader struct{ r io.Reader }

func (o *onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// TestDownloadBufferCopiesWithoutAllocating checks that downloading into
// a buffer of the submission's size allocates nothing more (io.Copy used
// to allocate 32 KiB for each download), and that the buffer still
// refuses a byte more than its limit.
func TestDownloadBufferCopiesWithoutAllocating(t *testing.T) {
	data := bytes.Repeat([]byte("ciphertext"), 10_000)
	w := &boundedBuffer{limit: int64(len(data)), b: make([]byte, 0, len(data))}
	src := bytes.NewReader(data)
	r := &onlyReader{src}
	allocs := testing.AllocsPerRun(20, func() {
		w.b = w.b[:0]
		src.Reset(data)
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 0 {
		t.Errorf("a download into its buffer allocated %v times, want none", allocs)
	}
	if !bytes.Equal(w.b, data) {
		t.Fatal("the buffer does not hold what was downloaded")
	}
	for _, tc := range []struct {
		limit    int64
		prealloc bool
		err      error
	}{
		{int64(len(data)), false, nil},
		{int64(len(data)) - 1, true, errTooLarge},
		{int64(len(data)) - 1, false, errTooLarge},
		{1, false, errTooLarge},
	} {
		w := &boundedBuffer{limit: tc.limit}
		if tc.prealloc {
			w.b = make([]byte, 0, tc.limit)
		}
		n, err := io.Copy(w, &onlyReader{bytes.NewReader(data)})
		if !errors.Is(err, tc.err) {
			t.Errorf("limit %d: %v, want %v", tc.limit, err, tc.err)
		}
		if int64(len(w.b)) > tc.limit || n > tc.limit {
			t.Errorf("limit %d: holds %d bytes (copied %d)", tc.limit, len(w.b), n)
		}
		if tc.err == nil && !bytes.Equal(w.b, data) {
			t.Errorf("limit %d: the buffer does not hold what was downloaded", tc.limit)
		}
	}
}
