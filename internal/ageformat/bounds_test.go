package ageformat

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"filippo.io/age"
)

// TestMismatchNamesHostileTypesBriefly sends a header whose stanza has a
// 200-byte type of the uploader's choosing: the refusal names it, cut to
// 32 bytes and an ellipsis, so an upload cannot fill the error (and the
// answer that carries it) with text of its own.
func TestMismatchNamesHostileTypesBriefly(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("t", 200)
	h := &Header{Stanzas: []Stanza{{Type: long, Args: []string{"YQ"}, Body: []byte("body")}}}
	err := CheckRecipients(h, []age.Recipient{testKeys.x25519[0].Recipient()})
	if !errors.Is(err, ErrRecipientMismatch) {
		t.Fatalf("CheckRecipients: %v, want a mismatch", err)
	}
	msg := err.Error()
	if strings.Contains(msg, strings.Repeat("t", 33)) || !strings.Contains(msg, strings.Repeat("t", 32)+"…") {
		t.Fatalf("the mismatch names the type unbounded or not at all: %q", msg)
	}
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"X25519", "X25519"},
		{strings.Repeat("a", 32), strings.Repeat("a", 32)},
		{strings.Repeat("a", 33), strings.Repeat("a", 32) + "…"},
	} {
		if got := describeType(tt.in); got != tt.want || !utf8.ValidString(got) {
			t.Errorf("describeType(%d bytes) = %q, want %q", len(tt.in), got, tt.want)
		}
	}
}

// TestPayloadSizeExtremes checks the sizes at the ends of int64, where the
// chunk arithmetic would overflow.
func TestPayloadSizeExtremes(t *testing.T) {
	t.Parallel()
	for _, size := range []int64{math.MaxInt64, math.MaxInt64 - encChunkSize + nonceSize + 2} {
		if err := checkPayloadSize(size); !errors.Is(err, ErrBadPayload) || !strings.Contains(err.Error(), "too large") {
			t.Errorf("checkPayloadSize(%d) = %v, want too large", size, err)
		}
	}
	// The largest size the arithmetic takes is judged, not refused as
	// too large.
	edge := int64(math.MaxInt64 - encChunkSize + 1 + nonceSize)
	if err := checkPayloadSize(edge); err != nil && strings.Contains(err.Error(), "too large") {
		t.Errorf("checkPayloadSize(%d) = %v, refused as too large", edge, err)
	}
	for _, size := range []int64{math.MinInt64, -1, 0, nonceSize - 1} {
		if err := checkPayloadSize(size); !errors.Is(err, ErrBadPayload) || !strings.Contains(err.Error(), "nonce") {
			t.Errorf("checkPayloadSize(%d) = %v, want shorter than the nonce", size, err)
		}
	}
}

// TestReaderEmptyRead checks that a read into an empty buffer yields
// nothing and changes nothing, at every point of the file.
func TestReaderEmptyRead(t *testing.T) {
	t.Parallel()
	file := encrypt(t, bytes.Repeat([]byte("x"), 100_000), false, testKeys.x25519[0].Recipient())
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	buf := make([]byte, 4096)
	for {
		if n, err := r.Read(buf[:0]); n != 0 || err != nil {
			t.Fatalf("empty read at %d: %d, %v", r.Size(), n, err)
		}
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			if err != io.EOF {
				t.Fatalf("reading: %v", err)
			}
			break
		}
	}
	if !bytes.Equal(out.Bytes(), file) || r.Size() != int64(len(file)) {
		t.Fatalf("read %d bytes (Size %d) of a %d-byte file", out.Len(), r.Size(), len(file))
	}
}
