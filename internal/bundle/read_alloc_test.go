package bundle

import (
	"bytes"
	"io"
	"runtime"
	"testing"
)

// TestReadPaddingNoBuffer: reading a report bundle does not allocate a
// 32 KiB buffer of its own to check the padding (a seventh of what a
// desk's first sync of 10,000 reports allocated), and a buffer that held
// what follows a hostile archive is not handed on.
func TestReadPaddingNoBuffer(t *testing.T) {
	b := writeBundle(t, testEnvelope(), testReport(), nil)
	discard := func(string, int64, io.Reader) error { return nil }
	if _, err := Read(bytes.NewReader(b), DefaultLimits, discard); err != nil {
		t.Fatal(err)
	}
	const runs = 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := Read(bytes.NewReader(b), DefaultLimits, discard); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per >= 32<<10 {
		t.Errorf("reading a %d-byte bundle allocated %d bytes, want less than 32 KiB", len(b), per)
	}

	hostile := append(bytes.Clone(b), 'x')
	if _, err := Read(bytes.NewReader(hostile), DefaultLimits, discard); err == nil {
		t.Fatal("a bundle with non-zero bytes after the archive was read")
	}
	p := paddingBufs.Get().(*[32 << 10]byte)
	defer paddingBufs.Put(p)
	if !allZero(p[:]) {
		t.Error("the padding buffer went back to the pool with what followed a hostile archive")
	}
}
