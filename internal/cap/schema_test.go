package cap

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The tests in this file check Check against an independent XML parser,
// libxml2's xmllint: everything Check accepts must be well-formed for it
// and, when the official schema is at hand, valid against CAP 1.2's XSD.

// acceptedDocuments returns every document the tests see Check accept: the
// valid table, what Marshal writes for each, and a generated corpus.
func acceptedDocuments(t *testing.T) map[string][]byte {
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

func findXmllint(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not found in PATH: install it (Debian/Ubuntu package libxml2-utils) to run this test")
	}
	return bin
}

// findSchema returns the official CAP 1.2 XSD's path: $DIFESA_CAP_XSD, or
// ../shared/cap/CAP-v1.2.xsd next to the repository.
func findSchema(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("DIFESA_CAP_XSD"); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("DIFESA_CAP_XSD is %s, which cannot be read (%v): point it at the official OASIS CAP 1.2 schema, CAP-v1.2.xsd", p, err)
		}
		return p
	}
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
			t.Skip("repository root (go.mod) not found: set DIFESA_CAP_XSD to the official OASIS CAP 1.2 schema, CAP-v1.2.xsd")
		}
		dir = parent
	}
	p := filepath.Join(filepath.Dir(dir), "shared", "cap", "CAP-v1.2.xsd")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("official CAP 1.2 schema not found at %s: save the OASIS file CAP-v1.2.xsd "+
			"(http://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.xsd) there, or set DIFESA_CAP_XSD to its path; "+
			"it is not copied into this repository", p)
	}
	return p
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
