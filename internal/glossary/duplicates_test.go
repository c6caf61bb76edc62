package glossary

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// catalogueFiles are every translation catalogue of difesa.
var catalogueFiles = []string{
	"../web/locales/*.json",
	"../cli/locales/*.json",
	"../cli/bulletin_locales/*.json",
	"../notify/messages.json",
}

// TestCataloguesHaveNoDuplicateKeys: a key written twice in one object is
// silently the last one for encoding/json, so the first is a translation
// nobody reads and no test checks (Portuguese had three, one of them with
// a word the glossary avoids).
func TestCataloguesHaveNoDuplicateKeys(t *testing.T) {
	t.Parallel()
	for _, pattern := range catalogueFiles {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no catalogue (%v)", pattern, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range duplicateKeys(b) {
				t.Errorf("%s: %s", f, d)
			}
		}
	}
}

func TestDuplicateKeysFound(t *testing.T) {
	t.Parallel()
	got := duplicateKeys([]byte(`{"a": "1", "b": {"x": 1, "x": 2}, "a": "3"}`))
	want := []string{`key "x" twice in one object`, `key "a" twice in one object`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("duplicateKeys = %q, want %q", got, want)
	}
	if got := duplicateKeys([]byte(`{"a": "1", "b": {"a": 1}}`)); len(got) != 0 {
		t.Fatalf("the same key in two objects is not a duplicate: %q", got)
	}
}

// duplicateKeys walks b's JSON tokens and reports each key that appears
// twice in the same object.
func duplicateKeys(b []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []string
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				key := k.(string)
				if seen[key] {
					out = append(out, fmt.Sprintf("key %q twice in one object", key))
				}
				seen[key] = true
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
			return err
		}
		return nil
	}
	if err := walk(); err != nil && err != io.EOF {
		out = append(out, "not JSON: "+err.Error())
	}
	return out
}
