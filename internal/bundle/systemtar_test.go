package bundle

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// TestSystemTar checks the promise of the format: a padded bundle, as age
// would decrypt it, extracts with the stock tar command, from a file and
// from a pipe, and the pipe is read to its end so that `age -d` writing
// the padding never meets a closed pipe.
func TestSystemTar(t *testing.T) {
	t.Parallel()
	tarCmd := tool.Need(t, "tar", "apt-get install tar")
	contents := map[string][]byte{
		"empty.txt":       {},
		"photo.jpg":       randomBytes(t, 4<<20+1), // Padmé adds ~120 KiB, more than a pipe buffer
		"relazione è.txt": []byte("testo\n"),
		"note.txt":        []byte("hello\n"),
	}
	names := []string{"empty.txt", "photo.jpg", "relazione è.txt", "note.txt"}
	b := writeBundle(t, testEnvelope(), testReport(), attachments(names, contents))
	sz, _ := Size(testEnvelope(), testReport(), attachments(names, contents))
	if int64(len(b)) != sz || sz != 4<<20+128<<10 {
		t.Fatalf("Size = %d, bundle is %d bytes, want %d", sz, len(b), 4<<20+128<<10)
	}
	path := filepath.Join(t.TempDir(), "bundle.tar")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}

	check := func(t *testing.T, dir string) {
		t.Helper()
		for _, name := range names {
			got, err := os.ReadFile(filepath.Join(dir, "files", name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, contents[name]) {
				t.Errorf("%s differs after tar -x", name)
			}
		}
		env, err := os.ReadFile(filepath.Join(dir, EnvelopeName))
		if err != nil {
			t.Fatal(err)
		}
		if want := goodEnvelopeJSON + "\n"; string(env) != want {
			t.Errorf("envelope.json = %q, want %q", env, want)
		}
		if _, err := os.ReadFile(filepath.Join(dir, ReportName)); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		out, err := exec.Command(tarCmd, "-x", "-f", path, "-C", dir).CombinedOutput()
		if err != nil || len(out) != 0 {
			t.Fatalf("tar -x: %v\n%s", err, out)
		}
		check(t, dir)
	})
	// From a pipe, as in `age -d -i key.txt sub.age | tar x`. GNU tar
	// stops reading at the end-of-archive marker, so the writer may meet a
	// closed pipe while writing the padding (age then dies of SIGPIPE after
	// tar has extracted everything); with --ignore-zeros tar reads to the
	// end. Both must extract identical files.
	for _, tt := range []struct {
		name      string
		args      []string
		mustDrain bool
	}{
		{"pipe", []string{"-x"}, false},
		{"pipe --ignore-zeros", []string{"-x", "--ignore-zeros"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(tarCmd, append(tt.args, "-C", dir)...)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			_, werr := stdin.Write(b)
			stdin.Close()
			if err := cmd.Wait(); err != nil || stderr.Len() != 0 {
				t.Fatalf("tar %v: %v\n%s", tt.args, err, stderr.Bytes())
			}
			if werr != nil && tt.mustDrain {
				t.Errorf("writing the padding into tar's stdin: %v", werr)
			}
			check(t, dir)
		})
	}
}
