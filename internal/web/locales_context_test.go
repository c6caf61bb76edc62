package web_test

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"difesa.org/difesa/internal/web"
)

// TestEveryKeyHasAContextNote: locales/_context.json explains every key of
// the English catalogue to translators, and names no key that does not
// exist, so a native reviewer can work from the files alone.
func TestEveryKeyHasAContextNote(t *testing.T) {
	t.Parallel()
	read := func(name string) map[string]string {
		b, err := os.ReadFile("locales/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", name, err)
		}
		return m
	}
	en, notes := read("en"), read("_context")
	for k := range en {
		if len(strings.TrimSpace(notes[k])) < 10 {
			t.Errorf("_context.json: no note for %q", k)
		}
		if strings.Contains(en[k], "{0}") && !strings.Contains(notes[k], "{0}") {
			t.Errorf("_context.json: the note for %q does not say what {0} holds", k)
		}
	}
	for k := range notes {
		if _, ok := en[k]; !ok && k != "_comment" {
			t.Errorf("_context.json: %q is not a key of en.json", k)
		}
	}
	if slices.Contains(web.Langs(), "_context") {
		t.Error("_context.json is served as a language")
	}
}

// TestScriptMessagesMatchTheirUse: every message key the script uses is in
// the catalogue, every js_ key of the catalogue is used, and failing to load
// or delete a conversation has its own message: js_err_server says a
// sending was refused and nothing was stored, which is false there.
func TestScriptMessagesMatchTheirUse(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../web/src/app.js")
	if err != nil {
		t.Fatal(err)
	}
	// The form pages' script speaks with the same catalogue.
	formSrc, err := os.ReadFile("../../web/src/formpage.js")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("locales/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]string
	if err := json.Unmarshal(b, &en); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`'(js_[a-z_]+)'`).FindAllStringSubmatch(string(src)+string(formSrc), -1) {
		used[m[1]] = true
	}
	for k := range used {
		if _, ok := en[k]; !ok && !strings.HasSuffix(k, "_") {
			t.Errorf("app.js or formpage.js uses %q, which en.json lacks", k)
		}
	}
	for k := range en {
		if strings.HasPrefix(k, "js_") && !used[k] && !(strings.HasPrefix(k, "js_kind_") && used["js_kind_"]) {
			t.Errorf("en.json has %q, which neither app.js nor formpage.js uses", k)
		}
	}
	// The two places that read or delete a conversation, and what they say.
	for _, tc := range []struct{ near, want string }{
		{"method: 'DELETE'", "js_err_delete"},
		{"if (res.status === 404) throw new Error(t('js_no_thread'))", "js_err_load"},
	} {
		i := strings.Index(string(src), tc.near)
		if i < 0 {
			t.Fatalf("app.js: %q not found", tc.near)
		}
		end := min(i+400, len(src))
		if part := string(src[i:end]); !strings.Contains(part, tc.want) || strings.Contains(part, "js_err_server") {
			t.Errorf("app.js near %q: want %s, not js_err_server:\n%s", tc.near, tc.want, part)
		}
	}
	assets, err := os.ReadFile("assets/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"js_err_load", "js_err_delete"} {
		if !strings.Contains(string(assets), k) {
			t.Errorf("assets/app.js does not use %s: rebuild it (cd web && npm run build)", k)
		}
	}
}
