package bundle

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestSanitizeName(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"relazione è.pdf", "relazione è.pdf"},
		{".bashrc", "bashrc"},
		{"..", "attachment"},
		{"...", "attachment"},
		{"", "attachment"},
		{"a/b", "a_b"},
		{`a\b`, "a_b"},
		{"../../etc/passwd", "_.._etc_passwd"},
		{"a\x00b", "a_b"},
		{"a\x1b[31mred", "a_[31mred"},
		{"a\nb", "a_b"},
		{"invoice\u202efdp.exe", "invoice_fdp.exe"},
		{"C:x", "C_x"},
		{`a<>:"|?*b`, "a_______b"},
		{"name. ", "name"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"console.txt", "console.txt"},
		{"\xff\xfe.txt", "_.txt"},
		{strings.Repeat("a", 300) + ".pdf", strings.Repeat("a", 236) + ".pdf"},
		{strings.Repeat("è", 200), strings.Repeat("è", 120)},
	}
	for _, tt := range tests {
		got := SanitizeName(tt.in)
		if got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := SanitizeName(got); again != got {
			t.Errorf("SanitizeName not idempotent on %q: %q", got, again)
		}
	}
}

func TestDirSinkCollisions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "report.pdf"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	var renames []string
	sink := DirSink(dir, func(from, to string) { renames = append(renames, from+" → "+to) })
	for i, name := range []string{"report.pdf", "report.pdf", ".hidden", "noext", "noext", "a/b"} {
		body := strings.Repeat("x", i)
		if err := sink(name, int64(len(body)), strings.NewReader(body)); err != nil {
			t.Fatalf("sink(%q): %v", name, err)
		}
	}
	wantRenames := []string{
		"report.pdf → report (1).pdf",
		"report.pdf → report (2).pdf",
		".hidden → hidden",
		"noext → noext (1)",
		"a/b → a_b",
	}
	if !slices.Equal(renames, wantRenames) {
		t.Errorf("renames = %q, want %q", renames, wantRenames)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.pdf")); string(b) != "mine" {
		t.Errorf("existing file overwritten: %q", b)
	}
	want := map[string]string{"report (1).pdf": "", "report (2).pdf": "x", "hidden": "xx", "noext": "xxx", "noext (1)": "xxxx", "a_b": "xxxxx"}
	for name, content := range want {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil || string(b) != content {
			t.Errorf("%s = %q, %v; want %q", name, b, err, content)
		}
		if fi, _ := os.Lstat(path); fi.Mode() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode())
		}
	}
}

func TestDirSinkRefusesSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(outside, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "a.txt")); err != nil {
		t.Fatal(err)
	}
	// A dangling symlink too: O_CREATE alone would create its target.
	dangling := filepath.Join(t.TempDir(), "created-by-attacker")
	if err := os.Symlink(dangling, filepath.Join(dir, "b.txt")); err != nil {
		t.Fatal(err)
	}
	var renames []string
	sink := DirSink(dir, func(from, to string) { renames = append(renames, to) })
	for _, name := range []string{"a.txt", "b.txt"} {
		if err := sink(name, 4, strings.NewReader("evil")); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(outside); string(b) != "precious" {
		t.Errorf("symlink target overwritten: %q", b)
	}
	if _, err := os.Lstat(dangling); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dangling symlink target created: %v", err)
	}
	if !slices.Equal(renames, []string{"a (1).txt", "b (1).txt"}) {
		t.Errorf("renames = %q", renames)
	}
}

func TestDirSinkRemovesPartialFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := io.MultiReader(strings.NewReader("part"), iotest.ErrReader(errBoom))
	if err := DirSink(dir, nil)("a.txt", 100, r); !errors.Is(err, errBoom) {
		t.Fatalf("sink: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("partial file left behind: %v", entries)
	}
}

func TestDirSinkMissingDir(t *testing.T) {
	t.Parallel()
	err := DirSink(filepath.Join(t.TempDir(), "nope"), nil)("a", 0, strings.NewReader(""))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("sink: %v", err)
	}
}

func TestSaveOnceSink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "v.bin"), []byte("theirs"), 0o600); err != nil {
		t.Fatal(err)
	}
	var got []string
	sink := SaveOnceSink(dir, func(s Saved) { got = append(got, fmt.Sprintf("%s→%s %v", s.Name, s.File, s.Duplicate)) })
	for _, f := range []struct{ name, body string }{
		{"v.bin", "video"},  // taken by another file: v (1).bin
		{"v.bin", "video"},  // the same again: not written
		{"v.bin", "theirs"}, // the same as the file that was there
		{"v.bin", "other"},  // new content: v (2).bin
		{"a/b", "x"},        // sanitised: a_b
		{"a/b", "x"},        // again
	} {
		if err := sink(f.name, int64(len(f.body)), strings.NewReader(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"v.bin→v (1).bin false", "v.bin→v (1).bin true", "v.bin→v.bin true", "v.bin→v (2).bin false", "a/b→a_b false", "a/b→a_b true"}
	if !slices.Equal(got, want) {
		t.Errorf("saved = %q, want %q", got, want)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"a_b", "v (1).bin", "v (2).bin", "v.bin"}; !slices.Equal(names, want) {
		t.Errorf("files = %q, want %q", names, want)
	}
}
