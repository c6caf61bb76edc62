package bundle

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRead feeds Read real bundles, hostile archives and plain messages,
// mutated. Read must never panic, never return both a result and an
// error, and never make DirSink write anything but regular files directly
// inside its directory.
//
// Seeds are tar archives of several kilobytes, and Go's minimiser is
// quadratic in input size, so cap it when fuzzing:
//
//	go test -run '^$' -fuzz FuzzRead -fuzztime 30s -fuzzminimizetime 100x ./internal/bundle/
func FuzzRead(f *testing.F) {
	env := envEntry(goodEnvelopeJSON)
	f.Add(writeBundle(f, testEnvelope(), testReport(), []Attachment{
		{Name: "a.txt", Size: 5, Body: strings.NewReader("hello")},
		{Name: "empty", Size: 0, Body: strings.NewReader("")},
		{Name: "relazione è " + strings.Repeat("x", 100) + ".pdf", Size: 3, Body: strings.NewReader("pdf")},
	}))
	f.Add(writeBundle(f, testEnvelope(), nil, nil))
	// Small seeds keep minimisation quick; TestReadHostile covers padding.
	f.Add(rawTar(f, env, reg("../x", []byte("x"))))
	f.Add(rawTar(f, env, reg("files/../../x", []byte("x"))))
	f.Add(rawTar(f, env, reg("files/.x", []byte("x")), reg("files/a", []byte("1")), reg("files/a", []byte("2"))))
	f.Add(rawTar(f, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: "files/l", Linkname: "/etc/passwd"}}))
	f.Add(rawTar(f, env, rawEntry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: "files/", Mode: 0o755}}, reg("files/..", nil)))
	f.Add(rawTar(f, envEntry(`{"version":2}`)))
	f.Add(rawTar(f, reg("notes.txt", []byte("hi"))))
	f.Add([]byte("just a message\n"))
	f.Add([]byte{})
	// One directory per fuzzing process, emptied after each input: a
	// t.TempDir per input costs more than Read itself.
	root := f.TempDir()
	dir := filepath.Join(root, "out")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		defer os.RemoveAll(dir)
		lim := Limits{MaxEntries: 20, MaxFileSize: 1 << 16, MaxTotalSize: 1 << 17, MaxJSONSize: 1 << 12, MaxMessageSize: 1 << 10}
		o, err := Read(bytes.NewReader(data), lim, DirSink(dir, nil))
		if err != nil && o != nil {
			t.Fatalf("Read returned %+v and %v", o, err)
		}
		if err == nil && o.IsBundle {
			if o.Envelope == nil || o.Message != "" {
				t.Fatalf("bundle without envelope or with message: %+v", o)
			}
			for _, fi := range o.Files {
				if checkAttachmentName(fi.Name) != nil || fi.Size < 0 || fi.Size > lim.MaxFileSize {
					t.Fatalf("Read accepted %+v", fi)
				}
			}
		}
		if err == nil && !o.IsBundle && len(o.Files) != 0 {
			t.Fatalf("message with files: %+v", o)
		}
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch {
			case path == root || path == dir:
			case filepath.Dir(path) != dir:
				t.Errorf("wrote outside the sink's directory: %s", path)
			case !d.Type().IsRegular():
				t.Errorf("wrote a non-regular file: %s (%v)", path, d.Type())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
