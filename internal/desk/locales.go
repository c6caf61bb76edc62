package desk

import (
	"embed"
	"net/http"

	"difesa.org/difesa/internal/locale"
)

// The desk's message catalogues: locales/LANG.json, in the format of
// internal/locale. The tests require every catalogue to have every key.
// The languages are those of the defender pages (internal/web/locales).
//
//go:embed locales/*.json
var localeFS embed.FS

const defaultLang = locale.Default

var cat = locale.MustLoad(localeFS, "locales/*.json")

// T returns the message key in lang with args in its placeholders. An
// unknown key is returned as it is, so that a missing message shows, and
// the tests catch it.
func T(lang, key string, args ...any) string { return cat.T(lang, key, args...) }

// langOf is the language of a request: the session's choice (the picker),
// else Accept-Language as a hint, else English.
func langOf(sess *session, r *http.Request) string {
	if sess != nil {
		if l := sess.language(); l != "" {
			return l
		}
	}
	return cat.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}
