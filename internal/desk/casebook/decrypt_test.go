package casebook

import (
	"bytes"
	"io"
	"runtime"
	"testing"

	"filippo.io/age"
)

func encryptTo(t *testing.T, r age.Recipient, plain []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readPlaintext decrypts ct with [plaintextOf] and reads all of it.
func readPlaintext(ct []byte, ids []age.Identity) ([]byte, error) {
	r, err := plaintextOf(ct, ids)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// TestPlaintextOfSmallAllocatesItsSize: a small report is decrypted into
// about its own size, not into age's two 64 KiB stream buffers (a quarter
// of what a first sync allocated).
func TestPlaintextOfSmallAllocatesItsSize(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat([]byte("a report "), 600) // 5.4 kB, as the benchmark's
	ct := encryptTo(t, id.Recipient(), plain)
	ids := []age.Identity{id}
	into := make([]byte, len(plain))
	const runs = 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		r, err := plaintextOf(ct, ids)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(r, into); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	per := (after.TotalAlloc - before.TotalAlloc) / runs
	// age's stream reader takes 128 KiB; one chunk buffer, the ciphertext's
	// last chunk and the plaintext are 64 KiB and twice 5.4 kB (and the
	// header about 20 kB, either way).
	if per > 112<<10 {
		t.Errorf("decrypting a %d-byte report allocated %d bytes, want at most %d", len(plain), per, 112<<10)
	}
	if !bytes.Equal(into, plain) {
		t.Fatal("the plaintext differs")
	}
}

// TestPlaintextOfRefusesDamage: whole or streamed, a ciphertext that was
// changed, cut or extended anywhere gives an error, never plaintext.
func TestPlaintextOfRefusesDamage(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	ids := []age.Identity{id}
	for _, size := range []int{0, 100, 64 << 10, 200 << 10, wholeBelow + 1} {
		plain := make([]byte, size)
		for i := range plain {
			plain[i] = byte(i * 7)
		}
		ct := encryptTo(t, id.Recipient(), plain)
		got, err := readPlaintext(ct, ids)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%d bytes: %v, or the plaintext differs", size, err)
		}
		damaged := map[string][]byte{
			"last byte changed":  append(bytes.Clone(ct[:len(ct)-1]), ct[len(ct)-1]^1),
			"first payload byte": flipAt(ct, len(ct)-len(plain)-16*((len(plain)+65535)/65536+1)+1),
			"header changed":     flipAt(ct, 30),
			"cut by one byte":    ct[:len(ct)-1],
			"one byte more":      append(bytes.Clone(ct), 0),
		}
		for name, bad := range damaged {
			if got, err := readPlaintext(bad, ids); err == nil {
				t.Errorf("%d bytes, %s: read %d bytes, want an error", size, name, len(got))
			}
		}
	}
}

func flipAt(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[max(i, 0)] ^= 1
	return c
}
