package ageformat

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"filippo.io/age"
	"filippo.io/age/armor"
)

// testKeys holds identities generated once for the whole test binary.
var testKeys = struct {
	x25519 []*age.X25519Identity
	hybrid []*age.HybridIdentity
}{}

func init() {
	for range 3 {
		x, err := age.GenerateX25519Identity()
		if err != nil {
			panic(err)
		}
		h, err := age.GenerateHybridIdentity()
		if err != nil {
			panic(err)
		}
		testKeys.x25519 = append(testKeys.x25519, x)
		testKeys.hybrid = append(testKeys.hybrid, h)
	}
}

// encrypt returns plaintext encrypted by age to recipients, armored or not.
func encrypt(tb testing.TB, plaintext []byte, armored bool, recipients ...age.Recipient) []byte {
	tb.Helper()
	buf := &bytes.Buffer{}
	var dst io.Writer = buf
	var a io.WriteCloser
	if armored {
		a = armor.NewWriter(buf)
		dst = a
	}
	w, err := age.Encrypt(dst, recipients...)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(plaintext); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	if a != nil {
		if err := a.Close(); err != nil {
			tb.Fatal(err)
		}
	}
	return buf.Bytes()
}

type keySet struct {
	name       string
	recipients []age.Recipient
	identity   age.Identity
}

func keySets() []keySet {
	x, h := testKeys.x25519, testKeys.hybrid
	return []keySet{
		{"x25519", []age.Recipient{x[0].Recipient()}, x[0]},
		{"x25519x3", []age.Recipient{x[0].Recipient(), x[1].Recipient(), x[2].Recipient()}, x[2]},
		{"hybrid", []age.Recipient{h[0].Recipient()}, h[0]},
		{"hybridx2", []age.Recipient{h[0].Recipient(), h[1].Recipient()}, h[1]},
	}
}

var plaintextSizes = []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3 * chunkSize}

func TestRealEncryptions(t *testing.T) {
	t.Parallel()
	for _, ks := range keySets() {
		for _, size := range plaintextSizes {
			for _, armored := range []bool{false, true} {
				name := fmt.Sprintf("%s/%d/armored=%v", ks.name, size, armored)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					plaintext := make([]byte, size)
					rand.Read(plaintext)
					file := encrypt(t, plaintext, armored, ks.recipients...)

					// OneByteReader stresses the capture of age's
					// read-ahead and the armor detection peek.
					for _, src := range []io.Reader{bytes.NewReader(file), iotest.OneByteReader(bytes.NewReader(file))} {
						r, err := NewReader(src)
						if err != nil {
							t.Fatal(err)
						}
						h := r.Header()
						if h.Armored != armored {
							t.Errorf("Armored = %v", h.Armored)
						}
						if len(h.Stanzas) != len(ks.recipients) {
							t.Errorf("%d stanzas, want %d", len(h.Stanzas), len(ks.recipients))
						}
						if err := CheckRecipients(h, ks.recipients); err != nil {
							t.Errorf("CheckRecipients: %v", err)
						}
						binary, err := io.ReadAll(r)
						if err != nil {
							t.Fatal(err)
						}
						if r.Size() != int64(len(binary)) {
							t.Errorf("Size() = %d, read %d", r.Size(), len(binary))
						}
						if !armored && !bytes.Equal(binary, file) {
							t.Fatal("binary output differs from the input")
						}
						hdr, err := age.ExtractHeader(bytes.NewReader(binary))
						if err != nil || len(hdr) != h.Size || !bytes.HasPrefix(binary, hdr) {
							t.Errorf("Header.Size = %d, age header is %d bytes (%v)", h.Size, len(hdr), err)
						}
						pr, err := age.Decrypt(bytes.NewReader(binary), ks.identity)
						if err != nil {
							t.Fatal(err)
						}
						got, err := io.ReadAll(pr)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got, plaintext) {
							t.Fatal("decrypted plaintext differs")
						}
					}
				})
			}
		}
	}
}

func TestReaderRefusals(t *testing.T) {
	t.Parallel()
	x := testKeys.x25519[0].Recipient()
	good := encrypt(t, []byte("report"), false, x)
	hdrLen := func(b []byte) int {
		h, err := age.ExtractHeader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return len(h)
	}(good)
	armored := encrypt(t, []byte("report"), true, x)

	// A header of many unknown stanzas, which age parses, past MaxHeaderSize.
	var big strings.Builder
	big.WriteString("age-encryption.org/v1\n")
	for big.Len() <= MaxHeaderSize {
		big.WriteString("-> grease " + strings.Repeat("A", 40) + "\n" + strings.Repeat("A", 64) + "\n\n")
	}
	big.WriteString("--- " + strings.Repeat("A", 43) + "\n")

	tests := []struct {
		name  string
		file  []byte
		want  error
		where string // "NewReader" or "Read"
	}{
		{"empty", nil, ErrBadHeader, "NewReader"},
		{"garbage", []byte("hello, world\n"), ErrBadHeader, "NewReader"},
		{"header only", good[:hdrLen], ErrBadPayload, "Read"},
		{"nonce only", good[:hdrLen+16], ErrBadPayload, "Read"},
		{"truncated tag", good[:len(good)-1-6], ErrBadPayload, "Read"},
		{"header too large", []byte(big.String()), ErrBadHeader, "NewReader"},
		{"armor trailing garbage", append(bytes.Clone(armored), "junk\n"...), ErrBadArmor, "Read"},
		{"armor truncated", armored[:len(armored)-10], ErrBadArmor, "Read"},
		{"armor bad first line", append([]byte("-----BEGIN AGE ENCRYPTED FILE----- \n"), armored[35:]...), ErrBadArmor, "NewReader"},
		{"crlf header", bytes.ReplaceAll(good[:hdrLen], []byte("\n"), []byte("\r\n")), ErrBadHeader, "NewReader"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := NewReader(bytes.NewReader(tt.file))
			where := "NewReader"
			if err == nil {
				where = "Read"
				_, err = io.ReadAll(r)
			}
			if !errors.Is(err, tt.want) || where != tt.where {
				t.Fatalf("%s: %v, want %v at %s", where, err, tt.want, tt.where)
			}
			// The error is sticky.
			if r != nil {
				if _, err2 := r.Read(make([]byte, 1)); err2 != err {
					t.Errorf("second Read: %v, want %v", err2, err)
				}
			}
		})
	}
}

func TestReaderSourceErrors(t *testing.T) {
	t.Parallel()
	good := encrypt(t, make([]byte, 1000), false, testKeys.x25519[0].Recipient())
	errBoom := errors.New("connection reset")
	for _, cut := range []int{0, 10, 200, len(good) - 5} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			src := io.MultiReader(bytes.NewReader(good[:cut]), iotest.ErrReader(errBoom))
			r, err := NewReader(src)
			if err == nil {
				_, err = io.ReadAll(r)
			}
			if !errors.Is(err, errBoom) || isSentinel(err) || errors.Is(err, ErrBadArmor) {
				t.Fatalf("got %v, want an I/O error wrapping only %v", err, errBoom)
			}
		})
	}
}

// ageEncryptedChunkCount is age's internal/stream.EncryptedChunkCount
// (v1.3.2), copied to check that checkPayloadSize agrees with it.
func ageEncryptedChunkCount(encryptedSize int64) bool {
	chunks := (encryptedSize + encChunkSize - 1) / encChunkSize
	plaintextSize := encryptedSize - chunks*tagSize
	expChunks := (plaintextSize + chunkSize - 1) / chunkSize
	if plaintextSize == 0 {
		expChunks = 1
	}
	return expChunks == chunks
}

func TestCheckPayloadSizeMatchesAge(t *testing.T) {
	t.Parallel()
	var sizes []int64
	for k := int64(0); k < 5; k++ {
		for d := int64(-40); d <= 40; d++ {
			sizes = append(sizes, k*encChunkSize+d)
		}
	}
	sizes = append(sizes, 1<<40, 1<<40+nonceSize+tagSize)
	for _, s := range sizes {
		if s < 0 {
			continue
		}
		want := ageEncryptedChunkCount(s)
		err := checkPayloadSize(s + nonceSize)
		if (err == nil) != want {
			t.Errorf("encrypted size %d: checkPayloadSize = %v, age says valid = %v", s, err, want)
		}
		if err != nil && !errors.Is(err, ErrBadPayload) {
			t.Errorf("error %v does not wrap ErrBadPayload", err)
		}
	}
	for _, s := range []int64{0, 1, 15} {
		if !errors.Is(checkPayloadSize(s), ErrBadPayload) {
			t.Errorf("payload of %d bytes (no full nonce) accepted", s)
		}
	}
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless repeats b forever.
type endless []byte

func (e endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], e)
	}
	return n, nil
}

func TestReaderBoundedMemory(t *testing.T) {
	t.Parallel()
	limit := int64(MaxHeaderSize + parseSlack + maxArmorWhitespace + len(armor.Header))
	for name, src := range map[string]io.Reader{
		"endless intro":   endless("age"),
		"endless stanza":  io.MultiReader(strings.NewReader("age-encryption.org/v1\n-> X25519 "), endless("A")),
		"endless stanzas": io.MultiReader(strings.NewReader("age-encryption.org/v1\n"), endless("-> a\n\n")),
		"endless armor":   io.MultiReader(strings.NewReader(armor.Header+"\n"), endless("YWdl\n")),
		"endless space":   endless(" \n"),
	} {
		t.Run(name, func(t *testing.T) {
			c := &countingReader{r: src}
			if _, err := NewReader(c); !errors.Is(err, ErrBadHeader) && !errors.Is(err, ErrBadArmor) {
				t.Fatalf("NewReader: %v", err)
			}
			if c.n > limit {
				t.Errorf("consumed %d bytes of an endless header, limit %d", c.n, limit)
			}
		})
	}
}

// TestReaderStreams is not parallel so that the allocation count is its own.
func TestReaderStreams(t *testing.T) {
	// The payload is streamed, not buffered: 256 MiB pass through with a
	// small, constant amount of allocation.
	good := encrypt(t, nil, false, testKeys.x25519[0].Recipient())
	hdrAndNonce := good[:len(good)-tagSize]
	const payload = 4000*encChunkSize + 100 // a possible size, about 256 MiB
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := NewReader(io.MultiReader(bytes.NewReader(hdrAndNonce), io.LimitReader(endless(make([]byte, 4096)), payload)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, r, make([]byte, 32<<10))
	runtime.ReadMemStats(&after)
	if err != nil || n != int64(len(hdrAndNonce))+payload {
		t.Fatalf("streamed %d bytes: %v", n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes to stream 256 MiB", alloc)
	}
}
