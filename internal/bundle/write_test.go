package bundle

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	contents := map[string][]byte{
		"empty.txt":              {},
		"hello.txt":              []byte("hello\n"),
		"big.bin":                randomBytes(t, 1<<20+1),
		"relazione è.pdf":        randomBytes(t, 1000),
		strings.Repeat("x", 150): []byte("long name"),
		"exactly-one-block.dat":  randomBytes(t, 512),
	}
	names := []string{"empty.txt", "hello.txt", "big.bin", "relazione è.pdf", strings.Repeat("x", 150), "exactly-one-block.dat"}
	files := attachments(names, contents)

	dir := t.TempDir()
	path := filepath.Join(dir, "bundle")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Write(out, testEnvelope(), testReport(), files)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	want, err := Size(testEnvelope(), testReport(), attachments(names, contents))
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); n != want || fi.Size() != n {
		t.Fatalf("Write returned %d, file has %d bytes, Size said %d", n, fi.Size(), want)
	}

	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	extract := filepath.Join(dir, "out")
	if err := os.Mkdir(extract, 0o700); err != nil {
		t.Fatal(err)
	}
	var renames []string
	o, err := Read(in, Limits{}, DirSink(extract, func(from, to string) { renames = append(renames, from+"→"+to) }))
	if err != nil {
		t.Fatal(err)
	}
	if !o.IsBundle || o.Message != "" {
		t.Fatalf("IsBundle = %v, Message = %q", o.IsBundle, o.Message)
	}
	if *o.Envelope != testEnvelope() {
		t.Errorf("Envelope = %+v", *o.Envelope)
	}
	if *o.Report != *testReport() {
		t.Errorf("Report = %+v", *o.Report)
	}
	if len(renames) != 0 {
		t.Errorf("unexpected renames %v", renames)
	}
	if len(o.Files) != len(names) {
		t.Fatalf("Files = %v", o.Files)
	}
	for i, name := range names {
		if o.Files[i] != (FileInfo{name, int64(len(contents[name]))}) {
			t.Errorf("Files[%d] = %+v, want %q", i, o.Files[i], name)
		}
		got, err := os.ReadFile(filepath.Join(extract, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, contents[name]) {
			t.Errorf("%s: content differs", name)
		}
		if fi, _ := os.Stat(filepath.Join(extract, name)); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", name, fi.Mode())
		}
	}
}

func TestNoReport(t *testing.T) {
	t.Parallel()
	env := testEnvelope()
	env.Kind = KindCheckin
	env.Language = ""
	b := writeBundle(t, env, nil, nil)
	o, err := Read(bytes.NewReader(b), DefaultLimits, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Report != nil || len(o.Files) != 0 || *o.Envelope != env {
		t.Fatalf("got %+v", o)
	}
}

func TestSizeMatchesWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rep   *Report
		sizes map[string]int
	}{
		{"envelope only", nil, nil},
		{"report", testReport(), nil},
		{"empty file", testReport(), map[string]int{"a": 0}},
		{"one byte", nil, map[string]int{"a": 1}},
		{"block minus one", nil, map[string]int{"a": 511}},
		{"one block", nil, map[string]int{"a": 512}},
		{"block plus one", nil, map[string]int{"a": 513}},
		{"many", testReport(), map[string]int{"a": 10, "b": 1000, "c": 100_000, "d": 0}},
		{"long name (PAX)", nil, map[string]int{strings.Repeat("n", 200): 7}},
		{"non-ASCII name (PAX)", nil, map[string]int{"fotografía_ñ.jpg": 3000}},
		{"1 MiB + 1", testReport(), map[string]int{"big": 1<<20 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			contents := map[string][]byte{}
			var names []string
			for n, s := range tt.sizes {
				names = append(names, n)
				contents[n] = bytes.Repeat([]byte{'z'}, s)
			}
			want, err := Size(testEnvelope(), tt.rep, attachments(names, contents))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			n, err := Write(&buf, testEnvelope(), tt.rep, attachments(names, contents))
			if err != nil {
				t.Fatal(err)
			}
			if n != want || int64(buf.Len()) != want {
				t.Fatalf("Size = %d, Write returned %d and wrote %d", want, n, buf.Len())
			}
			if n != Padme(n) {
				t.Errorf("length %d is not a Padmé length", n)
			}
			if _, err := Read(&buf, DefaultLimits, nil); err != nil {
				t.Fatalf("Read: %v", err)
			}
		})
	}
}

func TestDeterministicHeaders(t *testing.T) {
	t.Parallel()
	contents := map[string][]byte{"a.txt": []byte("a"), strings.Repeat("l", 120): []byte("b"), "ü.txt": nil}
	names := []string{"a.txt", strings.Repeat("l", 120), "ü.txt"}
	b1 := writeBundle(t, testEnvelope(), testReport(), attachments(names, contents))
	b2 := writeBundle(t, testEnvelope(), testReport(), attachments(names, contents))
	if !bytes.Equal(b1, b2) {
		t.Fatal("two writes of the same bundle differ")
	}
	if !bytes.HasPrefix(b1, []byte(EnvelopeName+"\x00")) {
		t.Fatalf("bundle does not start with %s", EnvelopeName)
	}
	tr := tar.NewReader(bytes.NewReader(b1))
	wantNames := []string{EnvelopeName, ReportName, "files/a.txt", "files/" + strings.Repeat("l", 120), "files/ü.txt"}
	wantFormat := []tar.Format{tar.FormatUSTAR, tar.FormatUSTAR, tar.FormatUSTAR, tar.FormatPAX, tar.FormatPAX}
	for i := range wantNames {
		h, err := tr.Next()
		if err != nil {
			t.Fatal(err)
		}
		if h.Name != wantNames[i] || h.Format != wantFormat[i] {
			t.Errorf("entry %d: %q format %v, want %q %v", i, h.Name, h.Format, wantNames[i], wantFormat[i])
		}
		if h.Mode != 0o600 || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" ||
			h.ModTime.Unix() != 0 || h.Typeflag != tar.TypeReg {
			t.Errorf("entry %q: non-deterministic header %+v", h.Name, h)
		}
		for k := range h.PAXRecords {
			if k != "path" {
				t.Errorf("entry %q: PAX record %q", h.Name, k)
			}
		}
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Fatalf("after last entry: %v", err)
	}
	envJSON := `{"version":1,"kind":"report","language":"it","created":"2026-11-23"}` + "\n"
	if got := string(b1[512 : 512+len(envJSON)]); got != envJSON {
		t.Errorf("envelope.json = %q", got)
	}
}

func TestWriteInvalid(t *testing.T) {
	t.Parallel()
	withEnv := func(f func(*Envelope)) Envelope { e := testEnvelope(); f(&e); return e }
	tests := []struct {
		name  string
		env   Envelope
		rep   *Report
		files []Attachment
		want  error
	}{
		{"version 2", withEnv(func(e *Envelope) { e.Version = 2 }), nil, nil, ErrUnsupportedVersion},
		{"unknown kind", withEnv(func(e *Envelope) { e.Kind = "memo" }), nil, nil, ErrInvalid},
		{"created is a time", withEnv(func(e *Envelope) { e.Created = "2026-11-23T10:04:00Z" }), nil, nil, ErrInvalid},
		{"created not padded", withEnv(func(e *Envelope) { e.Created = "2026-1-2" }), nil, nil, ErrInvalid},
		{"bad language", withEnv(func(e *Envelope) { e.Language = "it_IT" }), nil, nil, ErrInvalid},
		{"unknown category", testEnvelope(), &Report{Category: "spam"}, nil, ErrInvalid},
		{"empty category", testEnvelope(), &Report{}, nil, ErrInvalid},
		{"report not UTF-8", testEnvelope(), &Report{Category: "other", Narrative: "\xff"}, nil, ErrInvalid},
		{"huge report", testEnvelope(), &Report{Category: "other", Narrative: strings.Repeat("a", 1<<20)}, nil, ErrTooLarge},
		{"slash in name", testEnvelope(), nil, []Attachment{{Name: "a/b"}}, ErrUnsafePath},
		{"dotdot name", testEnvelope(), nil, []Attachment{{Name: ".."}}, ErrUnsafePath},
		{"empty name", testEnvelope(), nil, []Attachment{{Name: ""}}, ErrUnsafePath},
		{"newline in name", testEnvelope(), nil, []Attachment{{Name: "a\nb"}}, ErrUnsafePath},
		{"duplicate", testEnvelope(), nil, []Attachment{{Name: "a"}, {Name: "a"}}, ErrUnsafePath},
		{"negative size", testEnvelope(), nil, []Attachment{{Name: "a", Size: -1}}, ErrInvalid},
		{"file too large", testEnvelope(), nil, []Attachment{{Name: "a", Size: 2<<30 + 1}}, ErrTooLarge},
		{"total too large", testEnvelope(), nil, []Attachment{{Name: "a", Size: 2 << 29}, {Name: "b", Size: 2 << 29}, {Name: "c", Size: 1}}, ErrTooLarge},
		{"too many files", testEnvelope(), nil, make([]Attachment, 1000), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Size(tt.env, tt.rep, tt.files); !errors.Is(err, tt.want) {
				t.Errorf("Size: %v, want %v", err, tt.want)
			}
			n, err := Write(io.Discard, tt.env, tt.rep, tt.files)
			if !errors.Is(err, tt.want) || n != 0 {
				t.Errorf("Write: %d, %v, want 0, %v", n, err, tt.want)
			}
		})
	}
}

func TestWriteSizeMismatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file Attachment
		want error
	}{
		{"short body", Attachment{Name: "a", Size: 10, Body: strings.NewReader("12345")}, ErrSizeMismatch},
		{"long body", Attachment{Name: "a", Size: 3, Body: strings.NewReader("12345")}, ErrSizeMismatch},
		{"nil body", Attachment{Name: "a", Size: 3}, ErrSizeMismatch},
		{"failing body", Attachment{Name: "a", Size: 3, Body: iotest.ErrReader(errBoom)}, errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Write(io.Discard, testEnvelope(), nil, []Attachment{tt.file}); !errors.Is(err, tt.want) {
				t.Fatalf("Write: %v, want %v", err, tt.want)
			}
		})
	}
}

var errBoom = errors.New("boom")

func BenchmarkWrite(b *testing.B) {
	const size = 64 << 20
	env := testEnvelope()
	rep := testReport()
	b.SetBytes(size)
	for b.Loop() {
		files := []Attachment{{Name: "video.mp4", Size: size, Body: io.LimitReader(zeroReader{}, size)}}
		if _, err := Write(io.Discard, env, rep, files); err != nil {
			b.Fatal(err)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
