package desk

import (
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/desk/casebook"
	"difesa.org/difesa/internal/web"
	"difesa.org/difesa/internal/wire"
)

var placeholderRE = regexp.MustCompile(`\{[0-9]+\}`)

// Every catalogue has every key of the English one, no other, with the
// same placeholders, its own name and a direction.
func TestCataloguesComplete(t *testing.T) {
	en := cat.Messages(defaultLang)
	for _, lang := range cat.Langs() {
		c := cat.Messages(lang)
		if c["_name"] == "" || (c["_dir"] != "ltr" && c["_dir"] != "rtl") {
			t.Errorf("%s: no _name or _dir", lang)
		}
		for k, v := range en {
			w, ok := c[k]
			if !ok {
				t.Errorf("%s: no %s", lang, k)
				continue
			}
			a, b := placeholderRE.FindAllString(v, -1), placeholderRE.FindAllString(w, -1)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("%s: %s: placeholders %v, English %v", lang, k, b, a)
			}
		}
		for k := range c {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: %s is not an English key", lang, k)
			}
		}
	}
}

// Every key the templates and handlers name is in the English catalogue:
// literal ones, and every member of the families named at run time.
func TestEveryMessageExists(t *testing.T) {
	var keys []string
	add := func(re, dir, glob, prefix string) {
		files, _ := filepath.Glob(filepath.Join(dir, glob))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(string(b), -1) {
				keys = append(keys, prefix+m[1])
			}
		}
	}
	add(`\{\{t "([a-z0-9_]+)"`, "templates", "*.html", "")
	add(`refuse\(w, r, [a-z]+, http\.Status[A-Za-z]+, "([a-z_]+)"\)`, ".", "*.go", "refused_")
	add(`fail\(w, r, http\.Status[A-Za-z]+, "([a-z_]+)"`, ".", "*.go", "error_")
	add(`return "(preview_[a-z_]+)"`, ".", "*.go", "")
	add(`NoPreview = "(preview_[a-z_]+)"`, ".", "*.go", "")
	for _, f := range reportFields {
		keys = append(keys, "field_"+f)
	}
	for k := range doneKeys {
		keys = append(keys, "done_"+k)
	}
	for _, k := range append(slices.Clone(listKinds), wire.AlarmMissed, wire.AlarmDuress, wire.AlarmAlert) {
		keys = append(keys, "kind_"+k)
	}
	for _, s := range []string{wire.StatusNew, wire.StatusInProgress, wire.StatusClosed} {
		keys = append(keys, "status_"+s)
	}
	for _, k := range casebook.LinkKinds {
		keys = append(keys, "link_"+k)
	}
	for _, f := range []string{caserecord.FieldAssignee, caserecord.FieldSubStatus, caserecord.FieldFollowUp} {
		keys = append(keys, "work_field_"+f)
	}
	keys = append(keys, "refused_no_session", "error_not_found", "error_read_only", "error_cannot_reply", "title_"+strings.Join(pageNames, " title_"))
	if len(keys) < 100 {
		t.Fatalf("only %d keys found: the patterns no longer match the code", len(keys))
	}
	for _, k := range keys {
		for _, k := range strings.Fields(k) {
			if _, ok := cat.Messages(defaultLang)[k]; !ok {
				t.Errorf("no message %s in locales/en.json", k)
			}
		}
	}
}

// The desk speaks the defender pages' languages, all of them.
func TestDeskSpeaksTheWebLanguages(t *testing.T) {
	if !slices.Equal(cat.Langs(), web.Langs()) {
		t.Fatalf("desk %v, web %v", cat.Langs(), web.Langs())
	}
}

// The picker switches the session's pages to the language chosen.
func TestLanguagePicker(t *testing.T) {
	d := newDesk(t)
	c, csrf := d.session(t)
	for _, lang := range cat.Langs() {
		if a := d.post(t, c, "/lang", url.Values{"csrf": {csrf}, "lang": {lang}, "back": {"/local"}}); a.StatusCode != http.StatusSeeOther || a.Header.Get("Location") != "/local?done=lang" {
			t.Fatalf("%s: %s %s", lang, a.Status, a.Header.Get("Location"))
		}
		a := d.get(t, c, "/no-such-page")
		if !strings.Contains(a.body, `<html lang="`+lang+`"`) || !strings.Contains(a.body, html.EscapeString(T(lang, "error_not_found"))) {
			t.Fatalf("%s: the page is not in it: %s", lang, a.body)
		}
	}
	for _, bad := range []string{"xx", "", "../en"} {
		if a := d.post(t, c, "/lang", url.Values{"csrf": {csrf}, "lang": {bad}}); a.StatusCode != http.StatusBadRequest {
			t.Errorf("lang %q: %s", bad, a.Status)
		}
	}
	if a := d.post(t, c, "/lang", url.Values{"csrf": {csrf}, "lang": {"en"}, "back": {"//evil.example/"}}); a.Header.Get("Location") != "/?done=lang" {
		t.Errorf("back to another site: %s", a.Header.Get("Location"))
	}
}
