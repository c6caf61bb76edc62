package cap

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"difesa.org/difesa/internal/testutil/tool"
)

// The tests in this file check Check against an independent XML parser,
// libxml2's xmllint: everything Check accepts must be well-formed for it
// and, when the official schema is at hand, valid against CAP 1.2's XSD.

// acceptedDocuments returns every document the tests see Check accept: the
// valid table, what Marshal writes for each, and a generated corpus.
func acceptedDocuments(t testing.TB) map[string][]byte {
	t.Helper()
	docs := make(map[string][]byte)
	add := func(name string, doc []byte) {
		if _, err := Check(doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		docs[name] = doc
	}
	for _, tt := range validCases(t) {
		add("valid/"+tt.name, []byte(tt.doc))
		a, _ := Check([]byte(tt.doc))
		out, err := a.Marshal()
		if err != nil {
			t.Fatalf("%s: Marshal: %v", tt.name, err)
		}
		add("marshal/"+tt.name, out)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 150 {
		out, err := genAlert(r).Marshal()
		if err != nil {
			t.Fatalf("generated %d: Marshal: %v", i, err)
		}
		add(fmt.Sprintf("generated/%d", i), out)
	}
	return docs
}

// xmllint runs xmllint --noout --nonet [--schema xsd] on doc and returns
// its exit code and output; ok means exit code 0 and nothing said (libxml2
// reports namespace errors without failing).
func xmllint(t *testing.T, bin, xsd string, doc []byte) (ok bool, code int, out string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "doc.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--noout", "--nonet"}
	if xsd != "" {
		args = append(args, "--schema", xsd)
	}
	b, err := exec.Command(bin, append(args, file)...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running xmllint: %v", err)
	}
	out = string(b)
	if xsd != "" && code == 0 && out == file+" validates\n" {
		out = ""
	}
	return code == 0 && out == "", code, out
}

func findXmllint(t testing.TB) string {
	t.Helper()
	return tool.Need(t, "xmllint", "apt-get install libxml2-utils")
}

// schemaFile is where the official CAP 1.2 XSD is kept, beside the
// repository: ../shared/cap/CAP-v1.2.xsd from its root (see
// /work/shared/cap/README.md); it is not copied into the repository.
var schemaFile = filepath.Join("shared", "cap", "CAP-v1.2.xsd")

// findSchema returns the official CAP 1.2 XSD's path: $DIFESA_CAP_XSD, or
// shared/cap/CAP-v1.2.xsd in the repository root's parent or, for a git
// worktree checked out deeper, the nearest ancestor that has one. When it
// is missing the test skips, or fails under CI=true.
func findSchema(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("DIFESA_CAP_XSD"); p != "" {
		if _, err := os.Stat(p); err != nil {
			tool.Missing(t, fmt.Sprintf("DIFESA_CAP_XSD is %s, which cannot be read (%v): point it at the official OASIS CAP 1.2 schema, CAP-v1.2.xsd", p, err))
		}
		return p
	}
	p, tried := lookupSchema(t)
	if p == "" {
		tool.Missing(t, fmt.Sprintf("official CAP 1.2 schema not found at %s: save the OASIS file CAP-v1.2.xsd "+
			"(http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.xsd) at ../shared/cap/ from the repository root, or set DIFESA_CAP_XSD to its path; "+
			"it is not copied into this repository", tried))
	}
	return p
}

// lookupSchema looks for schemaFile from the parent of the repository root
// (the directory holding go.mod) upwards, and returns its path, or "" and
// the first place it looked.
func lookupSchema(t testing.TB) (path, first string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "the parent of the repository root (no go.mod above " + dir + ")"
		}
		dir = parent
	}
	first = filepath.Join(filepath.Dir(dir), schemaFile)
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		p := filepath.Join(d, schemaFile)
		if _, err := os.Stat(p); err == nil {
			return p, first
		}
		if filepath.Dir(d) == d {
			return "", first
		}
	}
}

func TestAcceptedDocumentsValidateAgainstOfficialSchema(t *testing.T) {
	bin := findXmllint(t)
	xsd := findSchema(t)
	for name, doc := range acceptedDocuments(t) {
		if ok, code, out := xmllint(t, bin, xsd, doc); !ok {
			if code == 5 {
				t.Fatalf("xmllint could not compile the schema %s:\n%s", xsd, out)
			}
			t.Errorf("%s: Check accepts it, but it is not valid against the official schema (exit %d):\n%s\n%s", name, code, out, doc)
		}
	}
	// The other way round, for refusals that are the schema's own rules:
	// proof that this test sees a difference when there is one.
	for _, tt := range hostileCases(t) {
		if !tt.schema {
			continue
		}
		if ok, code, _ := xmllint(t, bin, xsd, []byte(tt.doc)); ok || code == 5 {
			t.Errorf("%s: Check refuses it (%s), but xmllint --schema accepts it (exit %d)", tt.name, tt.code, code)
		}
	}
}

func TestAcceptedDocumentsAreWellFormedForXmllint(t *testing.T) {
	bin := findXmllint(t)
	for name, doc := range acceptedDocuments(t) {
		if ok, code, out := xmllint(t, bin, "", doc); !ok {
			t.Errorf("%s: Check accepts it, but xmllint does not (exit %d):\n%s", name, code, out)
		}
	}
	// Documents Check refuses as not well-formed (or not namespace
	// well-formed), xmllint must refuse or complain about too.
	for _, tt := range hostileCases(t) {
		if !tt.malformed {
			continue
		}
		if ok, _, _ := xmllint(t, bin, "", []byte(tt.doc)); ok {
			t.Errorf("%s: Check refuses it (%s) as not well-formed, but xmllint accepts it silently", tt.name, tt.code)
		}
	}
}

// TestSchemaLookup checks that the schema is found at ../shared/cap from
// the repository root, as in CI, and from a git worktree checked out one
// level deeper (wt/NAME beside the shared directory's parent).
func TestSchemaLookup(t *testing.T) {
	root := t.TempDir()
	xsd := filepath.Join(root, schemaFile)
	for _, dir := range []string{filepath.Dir(xsd), filepath.Join(root, "main", "internal", "cap"), filepath.Join(root, "wt", "cap", "internal", "cap"), filepath.Join(root, "lone", "repo")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{xsd, filepath.Join(root, "main", "go.mod"), filepath.Join(root, "wt", "cap", "go.mod")} {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct{ name, dir, want string }{
		{"repository", filepath.Join(root, "main", "internal", "cap"), xsd},
		{"worktree", filepath.Join(root, "wt", "cap", "internal", "cap"), xsd},
		{"no repository", filepath.Join(root, "lone", "repo"), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(tt.dir)
			if got, _ := lookupSchema(t); got != tt.want {
				t.Errorf("lookupSchema from %s = %q, want %q", tt.dir, got, tt.want)
			}
		})
	}
}
