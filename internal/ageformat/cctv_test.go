package ageformat

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// letThrough lists every CCTV vector that expects a failure but passes
// NewReader, a full Read and CheckRecipients. Each one fails in age only
// after a key has unwrapped the file key: a ChaCha20-Poly1305 tag, or the
// last-chunk flag that is mixed into the nonce of the payload's chunks,
// neither of which is visible in the file's size. The hub finds these when
// it decrypts; TestCCTV fails if the list stops being exact.
var letThrough = map[string]string{
	// A flipped bit in a tag: any size is possible.
	"stream_bad_tag":                   "the only chunk's Poly1305 tag is wrong; its 19-byte size is a valid 3-byte final chunk",
	"stream_bad_tag_second_chunk":      "the final chunk's tag is wrong; sizes are one full chunk plus a valid 1-byte final chunk",
	"stream_bad_tag_second_chunk_full": "the full-size final chunk's tag is wrong; two full chunks is a valid size",

	// The last-chunk flag lives in the nonce, so only decryption shows
	// which chunk is marked final.
	"stream_no_final":                 "a 1-byte chunk not marked final; same size as a valid 1-byte final chunk",
	"stream_no_final_full":            "one full chunk not marked final; same size as a valid full final chunk",
	"stream_no_final_two_chunks":      "last of two chunks not marked final; same size as a valid two-chunk file",
	"stream_no_final_two_chunks_full": "two full chunks, none marked final; same size as a valid two-chunk file",
	"stream_two_final_chunks":         "a full final chunk followed by a 1-byte final chunk; same size as a valid two-chunk file",
	"stream_two_final_chunks_full":    "two full chunks both marked final; same size as a valid two-chunk file",
	"stream_two_final_chunks_second":  "full, full-final, then 1-byte final chunk; same size as a valid three-chunk file",
	"stream_two_final_chunks_short":   "two 17-byte final chunks; 34 bytes is the size of one valid 18-byte final chunk",

	// Trailing garbage that happens to look like a final chunk.
	"stream_trailing_garbage_long": "20 random bytes after a full final chunk look like a 4-byte final chunk; only its tag is wrong",
	"armor_garbage_encoded":        "the same 20 bytes of garbage, inside valid armor; the armor is fine and the binary size is possible",
}

// refusedByPolicy lists the CCTV vectors that expect a header failure, are
// structurally fine for age's parser and for NewReader, and are refused only
// by CheckRecipients with the vector's own recipients as hub policy. They
// all involve scrypt stanzas, whose rules (work factor, salt, being alone)
// NewReader does not implement because a hub never accepts passphrase
// encryption.
var refusedByPolicy = map[string]bool{
	"scrypt_and_x25519":                       true,
	"scrypt_double":                           true,
	"scrypt_extra_argument":                   true,
	"scrypt_long_file_key":                    true,
	"scrypt_not_canonical_salt":               true,
	"scrypt_salt_long":                        true,
	"scrypt_salt_missing":                     true,
	"scrypt_salt_short":                       true,
	"scrypt_work_factor_23":                   true,
	"scrypt_work_factor_hex":                  true,
	"scrypt_work_factor_leading_garbage":      true,
	"scrypt_work_factor_leading_plus":         true,
	"scrypt_work_factor_leading_zero_decimal": true,
	"scrypt_work_factor_leading_zero_octal":   true,
	"scrypt_work_factor_missing":              true,
	"scrypt_work_factor_negative":             true,
	"scrypt_work_factor_overflow":             true,
	"scrypt_work_factor_trailing_garbage":     true,
	"scrypt_work_factor_zero":                 true,
}

// hubForPassphraseVectors is the hub policy used for vectors that have a
// passphrase but no identity.
var hubForPassphraseVectors = func() []age.Recipient {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		panic(err)
	}
	return []age.Recipient{id.Recipient()}
}()

// outcome is what the validator made of a vector.
type outcome struct {
	stage string // "NewReader", "Read", "CheckRecipients", or "" if it passed all three
	err   error
	out   []byte // bytes yielded by the Reader
	h     *Header
}

// checkVector runs v through the validator and reports where it was refused.
func checkVector(t *testing.T, v *vector) outcome {
	r, err := NewReader(bytes.NewReader(v.file))
	if err != nil {
		return outcome{stage: "NewReader", err: err}
	}
	out, err := io.ReadAll(r)
	if err != nil {
		return outcome{"Read", err, out, r.Header()}
	}
	if int64(len(out)) != r.Size() {
		t.Errorf("Size() = %d, read %d bytes", r.Size(), len(out))
	}
	hub := v.recipients()
	if len(hub) == 0 {
		hub = hubForPassphraseVectors
	}
	if err := CheckRecipients(r.Header(), hub); err != nil {
		return outcome{"CheckRecipients", err, out, r.Header()}
	}
	return outcome{"", nil, out, r.Header()}
}

func TestCCTV(t *testing.T) {
	vectors := loadVectors(t)
	counts := make(map[string]int)
	for _, v := range vectors {
		o := checkVector(t, v)
		stage, err, out, h := o.stage, o.err, o.out, o.h
		switch {
		case v.expect == "success" || v.expect == "no match" || v.expect == "HMAC failure":
			counts["valid, passed structure"]++
			if stage == "" {
				counts["valid, passed policy too"]++
			}
		case stage == "":
			counts["failure, let through"]++
		case stage == "CheckRecipients":
			counts["failure, refused by CheckRecipients"]++
		default:
			counts["failure, refused by "+stage]++
		}
		t.Run(v.name, func(t *testing.T) {
			if v.comment != "" {
				t.Log(v.comment)
			}
			t.Logf("expect %q, stage %q, err %v", v.expect, stage, err)
			if err != nil && !isSentinel(err) {
				t.Errorf("error wraps no sentinel: %v", err)
			}
			switch v.expect {
			case "success", "no match", "HMAC failure":
				// Only a key tells these apart from a good file: the
				// structure must pass. Policy may still refuse them (grease
				// stanzas, scrypt, a hub of other types).
				if stage == "NewReader" || stage == "Read" {
					t.Fatalf("structurally valid file refused: %v", err)
				}
				if h.Armored != v.armored {
					t.Errorf("Armored = %v, want %v", h.Armored, v.armored)
				}
				checkBinary(t, v, out)
			case "header failure", "armor failure", "payload failure":
				reason, listed := letThrough[v.name]
				switch {
				case stage == "" && !listed:
					t.Errorf("%s vector let through; add it to letThrough only if a key is needed to catch it", v.expect)
				case stage != "" && listed:
					t.Errorf("vector listed in letThrough (%q) is now refused at %s: %v; remove it from the list", reason, stage, err)
				case stage == "CheckRecipients" && !refusedByPolicy[v.name]:
					t.Errorf("refused only by policy (%v); add it to refusedByPolicy or refuse it structurally", err)
				case stage != "CheckRecipients" && refusedByPolicy[v.name]:
					t.Errorf("listed in refusedByPolicy but stage is %q", stage)
				}
				if v.expect == "armor failure" && stage != "" && !errors.Is(err, ErrBadArmor) && !errors.Is(err, ErrBadHeader) {
					t.Errorf("armor failure refused with %v", err)
				}
			default:
				t.Fatalf("unknown expect %q", v.expect)
			}
		})
	}
	known := make(map[string]bool)
	for _, v := range vectors {
		known[v.name] = true
	}
	for name := range letThrough {
		if !known[name] {
			t.Errorf("letThrough names unknown vector %q", name)
		}
	}
	for name := range refusedByPolicy {
		if !known[name] {
			t.Errorf("refusedByPolicy names unknown vector %q", name)
		}
	}
	t.Logf("%d CCTV vectors: %v", len(vectors), counts)
}

// checkBinary checks that out is exactly the binary age file of v.
func checkBinary(t *testing.T, v *vector, out []byte) {
	t.Helper()
	want := v.file
	if v.armored {
		var err error
		if want, err = io.ReadAll(armor.NewReader(bytes.NewReader(v.file))); err != nil {
			t.Fatalf("armor.NewReader: %v", err)
		}
	}
	if !bytes.Equal(out, want) {
		t.Errorf("yielded %d bytes differing from the binary file (%d bytes)", len(out), len(want))
	}
}

func isSentinel(err error) bool {
	for _, s := range []error{ErrBadHeader, ErrBadArmor, ErrBadPayload, ErrRecipientMismatch} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
