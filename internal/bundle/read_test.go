package bundle

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadHostile(t *testing.T) {
	t.Parallel()
	env := envEntry(goodEnvelopeJSON)
	// 20000 bytes make a 24064-byte archive that Padmé pads to 24576.
	good := writeBundle(t, testEnvelope(), testReport(), []Attachment{{Name: "a.bin", Size: 20000, Body: bytes.NewReader(make([]byte, 20000))}})
	if len(good) != 24576 {
		t.Fatalf("test bundle is %d bytes, want 24576", len(good))
	}
	link := func(typ byte, name, target string) rawEntry {
		return rawEntry{hdr: tar.Header{Typeflag: typ, Name: name, Linkname: target, Mode: 0o777}}
	}
	manyFiles := []rawEntry{env}
	for i := range 1000 {
		manyFiles = append(manyFiles, reg(fmt.Sprintf("files/f%d", i), nil))
	}
	// A header claiming 3 GiB with no data behind it: refused before any read.
	var huge bytes.Buffer
	htw := tar.NewWriter(&huge)
	for _, e := range []rawEntry{env, reg("files/huge.bin", nil)} {
		h := e.hdr
		if h.Name == "files/huge.bin" {
			h.Size = 3 << 30
		}
		if err := htw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Size < 1<<20 {
			htw.Write(e.body)
		}
	}
	withTrailer := func(b []byte, tail ...byte) []byte { return append(bytes.Clone(b), tail...) }
	nonZeroPadding := bytes.Clone(good)
	nonZeroPadding[len(nonZeroPadding)-1] = 1

	tests := []struct {
		name  string
		input []byte
		lim   Limits
		want  error
	}{
		{"dotdot", rawTar(t, env, reg("../x", []byte("x"))), Limits{}, ErrUnsafePath},
		{"absolute", rawTar(t, env, reg("/etc/passwd", []byte("x"))), Limits{}, ErrUnsafePath},
		{"escape via files/", rawTar(t, env, reg("files/../../x", []byte("x"))), Limits{}, ErrUnsafePath},
		{"backslash", rawTar(t, env, reg(`files/..\..\x`, []byte("x"))), Limits{}, ErrUnsafePath},
		{"nested under files/", rawTar(t, env, reg("files/a/b", []byte("x"))), Limits{}, ErrUnsafePath},
		{"control char", rawTar(t, env, reg("files/a\x1b[2Jb", []byte("x"))), Limits{}, ErrUnsafePath},
		{"drive letter", rawTar(t, env, reg("C:x", []byte("x"))), Limits{}, ErrUnsafePath},
		{"symlink", rawTar(t, env, link(tar.TypeSymlink, "files/l", "/etc/passwd")), Limits{}, ErrUnsafePath},
		{"hardlink", rawTar(t, env, link(tar.TypeLink, "files/l", "envelope.json")), Limits{}, ErrUnsafePath},
		{"char device", rawTar(t, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeChar, Name: "files/tty", Devmajor: 5}}), Limits{}, ErrUnsafePath},
		{"block device", rawTar(t, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeBlock, Name: "files/sda", Devmajor: 8}}), Limits{}, ErrUnsafePath},
		{"fifo", rawTar(t, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeFifo, Name: "files/p"}}), Limits{}, ErrUnsafePath},
		{"dir outside files/", rawTar(t, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: "etc/"}}), Limits{}, ErrUnsafePath},
		{"dir inside files/", rawTar(t, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: "files/sub/"}}), Limits{}, ErrUnsafePath},
		{"duplicate name", rawTar(t, env, reg("files/a", []byte("1")), reg("files/a", []byte("2"))), Limits{}, ErrUnsafePath},
		{"1001 entries", rawTar(t, manyFiles...), Limits{}, ErrTooLarge},
		{"oversize file (header)", huge.Bytes(), Limits{}, ErrTooLarge},
		{"oversize file", rawTar(t, env, reg("files/a", make([]byte, 2000))), Limits{MaxFileSize: 1000}, ErrTooLarge},
		{"oversize total", rawTar(t, env, reg("files/a", make([]byte, 600)), reg("files/b", make([]byte, 600))), Limits{MaxTotalSize: 1000}, ErrTooLarge},
		{"huge report.json", rawTar(t, env, reg(ReportName, bytes.Repeat([]byte(" "), 1<<20+1))), Limits{}, ErrTooLarge},
		{"huge envelope.json", rawTar(t, envEntry(goodEnvelopeJSON+strings.Repeat(" ", 1<<20))), Limits{}, ErrTooLarge},
		{"malformed report.json", rawTar(t, env, reg(ReportName, []byte(`{"category":`))), Limits{}, ErrMalformed},
		{"report.json bad category", rawTar(t, env, reg(ReportName, []byte(`{"category":"../x"}`))), Limits{}, ErrMalformed},
		{"report.json not second", rawTar(t, env, reg("files/a", nil), reg(ReportName, []byte(`{"category":"other"}`))), Limits{}, ErrMalformed},
		{"report.json directory", rawTar(t, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: ReportName}}), Limits{}, ErrMalformed},
		{"malformed envelope.json", rawTar(t, envEntry(`{"version":1,`)), Limits{}, ErrMalformed},
		{"envelope.json twice", rawTar(t, env, env), Limits{}, ErrMalformed},
		{"envelope without version", rawTar(t, envEntry(`{"kind":"report","created":"2026-11-23"}`)), Limits{}, ErrMalformed},
		{"unknown kind", rawTar(t, envEntry(`{"version":1,"kind":"memo","created":"2026-11-23"}`)), Limits{}, ErrMalformed},
		{"created with time", rawTar(t, envEntry(`{"version":1,"kind":"report","created":"2026-11-23T10:00:00Z"}`)), Limits{}, ErrMalformed},
		{"unknown version", rawTar(t, envEntry(`{"version":2,"kind":"something new"}`)), Limits{}, ErrUnsupportedVersion},
		{"envelope not first", rawTar(t, reg("files/a", nil), env), Limits{}, ErrMalformed},
		{"plain tar archive", rawTar(t, reg("notes.txt", []byte("hello"))), Limits{}, ErrMalformed},
		{"unknown top-level file", rawTar(t, env, reg("notes.txt", []byte("hello"))), Limits{}, ErrMalformed},
		{"global PAX header", rawTar(t, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "g", PAXRecords: map[string]string{"comment": "x"}}}), Limits{}, ErrMalformed},
		{"empty archive", make([]byte, 1024), Limits{}, ErrMalformed},
		{"non-zero trailing byte", nonZeroPadding, Limits{}, ErrMalformed},
		{"trailing garbage", withTrailer(good, 'x'), Limits{}, ErrMalformed},
		{"too much padding", withTrailer(good, make([]byte, 64<<10)...), Limits{}, ErrMalformed},
		{"no end-of-archive marker", rawTar(t, env)[:1024], Limits{}, ErrMalformed},
		{"truncated entry", good[:1100], Limits{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			o, err := Read(bytes.NewReader(tt.input), tt.lim, DirSink(dir, nil))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read = %+v, %v; want %v", o, err, tt.want)
			}
			if o != nil {
				t.Errorf("Read returned %+v with an error", o)
			}
		})
	}
}

func TestReadAcceptsStockTarShapes(t *testing.T) {
	t.Parallel()
	env := envEntry(goodEnvelopeJSON)
	tests := []struct {
		name  string
		input []byte
	}{
		{"files/ directory entry", rawTar(t, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: "files/", Mode: 0o755}}, reg("files/a", []byte("a")))},
		{"record padding", append(rawTar(t, env, reg("files/a", []byte("a"))), make([]byte, 10240-3*512-1024)...)},
		{"unknown JSON fields", rawTar(t, envEntry(`{"version":1,"kind":"alert","created":"2026-01-01","future":true}`), reg(ReportName, []byte(`{"category":"some_new_category","x":1}`)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := Read(bytes.NewReader(tt.input), DefaultLimits, nil)
			if err != nil || !o.IsBundle {
				t.Fatalf("Read = %+v, %v", o, err)
			}
		})
	}
}

func TestReadMessage(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("è", 600) // 1200 bytes, cut mid-rune at 1001
	tests := []struct {
		name      string
		input     string
		lim       Limits
		want      string
		truncated bool
	}{
		{"empty", "", Limits{}, "", false},
		{"short text", "help, they took Marco\n", Limits{}, "help, they took Marco\n", false},
		{"one block of text", strings.Repeat("a", 512), Limits{}, strings.Repeat("a", 512), false},
		{"long text", strings.Repeat("word ", 10000), Limits{}, strings.Repeat("word ", 10000), false},
		{"binary", "\x00\x01\x02\xff", Limits{}, "\x00\x01\x02\xff", false},
		{"truncated", long, Limits{MaxMessageSize: 1001}, strings.Repeat("è", 500), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := Read(strings.NewReader(tt.input), tt.lim, func(string, int64, io.Reader) error {
				t.Error("sink called for a message")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if o.IsBundle || o.Envelope != nil || o.Truncated != tt.truncated {
				t.Fatalf("got %+v", o)
			}
			if tt.truncated {
				if !strings.HasPrefix(o.Message, tt.want+"\n\n[message truncated") {
					t.Fatalf("Message = %q", o.Message)
				}
			} else if o.Message != tt.want {
				t.Fatalf("Message = %q, want %q", o.Message, tt.want)
			}
		})
	}
}

// TestReadSourceError checks that a failure of the underlying reader (age
// detecting a corrupted or truncated ciphertext) is returned as such, at
// every point of the stream, and never hidden as ErrMalformed or a message.
func TestReadSourceError(t *testing.T) {
	t.Parallel()
	b := writeBundle(t, testEnvelope(), testReport(), []Attachment{{Name: "a", Size: 5000, Body: bytes.NewReader(make([]byte, 5000))}})
	for _, cut := range []int{0, 100, 512, 700, 1536, 3000, len(b) - 10} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			t.Parallel()
			r := io.MultiReader(bytes.NewReader(b[:cut]), iotest.ErrReader(errBoom))
			if _, err := Read(r, DefaultLimits, DirSink(t.TempDir(), nil)); !errors.Is(err, errBoom) {
				t.Fatalf("Read: %v, want %v", err, errBoom)
			}
		})
	}
	r := io.MultiReader(strings.NewReader(strings.Repeat("text", 1000)), iotest.ErrReader(errBoom))
	if _, err := Read(r, Limits{MaxMessageSize: 10}, nil); !errors.Is(err, errBoom) {
		t.Fatalf("Read message: %v, want %v", err, errBoom)
	}
}

func TestReadSinkError(t *testing.T) {
	t.Parallel()
	b := writeBundle(t, testEnvelope(), nil, []Attachment{{Name: "a", Size: 1, Body: strings.NewReader("1")}})
	_, err := Read(bytes.NewReader(b), DefaultLimits, func(string, int64, io.Reader) error { return errBoom })
	if !errors.Is(err, errBoom) {
		t.Fatalf("Read: %v", err)
	}
}
