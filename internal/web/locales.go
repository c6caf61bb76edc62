package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
)

// Message catalogues, one JSON file per language under locales/: a flat
// object of message keys to text, plus "_name" (the language's own name,
// for the picker) and "_dir" ("ltr" or "rtl"). English is the reference:
// a missing key falls back to it, and the tests require every catalogue to
// have every key. Placeholders are {0}, {1}…; keys starting with "js_" are
// handed to the script. locales/_context.json is not a language: it holds
// a note for translators on every key (files whose name starts with "_"
// are skipped).
//
//go:embed locales/*.json
var localeFS embed.FS

// DefaultLang is the language of the reference catalogue.
const DefaultLang = "en"

type catalogue map[string]string

var catalogues, langs = loadCatalogues()

func loadCatalogues() (map[string]catalogue, []string) {
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		panic(err)
	}
	out := map[string]catalogue{}
	var codes []string
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			continue
		}
		b, err := localeFS.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var c catalogue
		if err := json.Unmarshal(b, &c); err != nil {
			panic(fmt.Sprintf("web: %s: %v", f, err)) // embedded at build time; the tests parse every file
		}
		code := strings.TrimSuffix(path.Base(f), ".json")
		out[code] = c
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return out, codes
}

// Langs returns the codes of the languages the pages speak.
func Langs() []string { return slices.Clone(langs) }

// pickLang chooses the page's language: ?lang= first (the explicit
// picker), then Accept-Language as a hint, then English.
func pickLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); catalogues[l] != nil {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if catalogues[base] != nil {
			return base
		}
	}
	return DefaultLang
}

// T returns the message key in lang with args in its placeholders.
func T(lang, key string, args ...any) string {
	s, ok := catalogues[lang][key]
	if !ok {
		if s, ok = catalogues[DefaultLang][key]; !ok {
			return key
		}
	}
	for i, a := range args {
		s = strings.ReplaceAll(s, fmt.Sprintf("{%d}", i), fmt.Sprint(a))
	}
	return s
}

// jsOnly names the script's messages that one page alone uses (the page
// that reads a conversation, the page that starts a check-in, the form
// pages): the other
// pages go without them, which keeps the report page within its weight
// budget (docs/web.md).
var jsOnly = map[string]string{
	"js_code_word": "replies", "js_code_count": "replies", "js_code_long": "replies", "js_no_thread": "replies",
	"js_kind_report": "replies", "js_kind_alert": "replies", "js_kind_followup": "replies", "js_kind_reply": "replies",
	"js_own_message": "replies", "js_reply_unreadable": "replies", "js_download": "replies", "js_confirm_delete": "replies",
	"js_deleted": "replies", "js_err_load": "replies", "js_err_delete": "replies", "js_sent": "replies",
	"js_checkin_first": "checkin_start", "js_checkin_limits": "checkin_start", "js_checkin_empty": "checkin_start",
	"js_form_refused": "form", "js_form_checked": "form", "js_form_required": "form", "js_form_yes": "form", "js_form_no": "form",
	"js_form_date_hint": "form", "js_form_number_hint": "form", "js_form_missing": "form", "js_form_bad": "form",
}

// jsMessages returns the messages the script needs on page, in lang.
func jsMessages(lang, page string) map[string]string {
	out := map[string]string{}
	for k := range catalogues[DefaultLang] {
		if only := jsOnly[k]; strings.HasPrefix(k, "js_") && (only == "" || only == page) {
			out[k] = T(lang, k)
		}
	}
	return out
}
