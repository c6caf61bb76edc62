package web

import (
	"embed"
	"net/http"
	"strings"

	"difesa.org/difesa/internal/locale"
)

// Message catalogues, one JSON file per language under locales/, in the
// format of internal/locale; the tests require every catalogue to have
// every key. Keys starting with "js_" are handed to the script.
// locales/_context.json is not a language: it holds a note for
// translators on every key.
//
//go:embed locales/*.json
var localeFS embed.FS

// DefaultLang is the language of the reference catalogue.
const DefaultLang = locale.Default

var cat = locale.MustLoad(localeFS, "locales/*.json")

// Langs returns the codes of the languages the pages speak.
func Langs() []string { return cat.Langs() }

// pickLang chooses the page's language: ?lang= first (the explicit
// picker), then Accept-Language as a hint, then English.
func pickLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); cat.Has(l) {
		return l
	}
	return cat.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// T returns the message key in lang with args in its placeholders.
func T(lang, key string, args ...any) string { return cat.T(lang, key, args...) }

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
	for k := range cat.Messages(DefaultLang) {
		if only := jsOnly[k]; strings.HasPrefix(k, "js_") && (only == "" || only == page) {
			out[k] = T(lang, k)
		}
	}
	return out
}
