package ageformat

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"filippo.io/age"
)

func FuzzReader(f *testing.F) {
	for _, v := range loadVectors(f) {
		if len(v.file) <= 4*encChunkSize { // keep mutation cheap
			f.Add(v.file)
		}
	}
	x, h := testKeys.x25519[0].Recipient(), testKeys.hybrid[0].Recipient()
	for _, armored := range []bool{false, true} {
		f.Add(encrypt(f, nil, armored, x))
		f.Add(encrypt(f, []byte("a report"), armored, x, testKeys.x25519[1].Recipient()))
		f.Add(encrypt(f, bytes.Repeat([]byte("x"), chunkSize+1), armored, h))
	}
	hubs := [][]age.Recipient{{x}, {h}}

	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrBadHeader) && !errors.Is(err, ErrBadArmor) {
				t.Fatalf("NewReader error wraps no header or armor sentinel: %v", err)
			}
			return
		}
		hdr := r.Header()
		if hdr.Size <= 0 || hdr.Size > MaxHeaderSize || len(hdr.Stanzas) == 0 {
			t.Fatalf("impossible header: size %d, %d stanzas", hdr.Size, len(hdr.Stanzas))
		}
		// Bounded memory: what NewReader held back is the header plus age's
		// read-ahead, never more.
		if len(r.pending) > MaxHeaderSize+parseSlack {
			t.Fatalf("NewReader buffered %d bytes", len(r.pending))
		}
		for _, hub := range hubs {
			if err := CheckRecipients(hdr, hub); err != nil && !errors.Is(err, ErrRecipientMismatch) {
				t.Fatalf("CheckRecipients: %v", err)
			}
		}
		out, err := io.ReadAll(r)
		if int64(len(out)) != r.Size() {
			t.Fatalf("Size() = %d, read %d", r.Size(), len(out))
		}
		if err != nil {
			if !errors.Is(err, ErrBadPayload) && !errors.Is(err, ErrBadArmor) {
				t.Fatalf("Read error wraps no payload or armor sentinel: %v", err)
			}
			return
		}
		if !hdr.Armored && !bytes.Equal(out, data) {
			t.Fatal("binary input not yielded unchanged")
		}
		// The yielded file must be one age agrees on: same header, and a
		// payload whose size passes the framing check.
		ah, err := age.ExtractHeader(bytes.NewReader(out))
		if err != nil || len(ah) != hdr.Size || !bytes.HasPrefix(out, ah) {
			t.Fatalf("age disagrees on the header: %v", err)
		}
		if err := checkPayloadSize(int64(len(out) - hdr.Size)); err != nil {
			t.Fatalf("accepted a payload that fails the framing check: %v", err)
		}
	})
}
