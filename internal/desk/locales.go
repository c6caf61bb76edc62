package desk

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

// The desk's message catalogues: locales/LANG.json, a flat object of keys
// to text with {0}, {1}… placeholders, plus "_name" (the language's own
// name, for the picker) and "_dir" ("ltr" or "rtl"). English is the
// reference: a missing key falls back to it, and the tests require every
// catalogue to have every key. The languages are those of the defender
// pages (internal/web/locales).
//
//go:embed locales/*.json
var localeFS embed.FS

const defaultLang = "en"

var catalogues, langs = loadCatalogues()

func loadCatalogues() (map[string]map[string]string, []string) {
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]string{}
	var codes []string
	for _, f := range files {
		if strings.HasPrefix(path.Base(f), "_") {
			continue
		}
		b, err := localeFS.ReadFile(f)
		if err != nil {
			panic(err)
		}
		var c map[string]string
		if err := json.Unmarshal(b, &c); err != nil {
			panic(fmt.Sprintf("desk: %s: %v", f, err)) // embedded at build time; the tests parse every file
		}
		code := strings.TrimSuffix(path.Base(f), ".json")
		out[code] = c
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return out, codes
}

// T returns the message key in lang with args in its placeholders. An
// unknown key is returned as it is, so that a missing message shows, and
// the tests catch it.
func T(lang, key string, args ...any) string {
	s, ok := catalogues[lang][key]
	if !ok {
		if s, ok = catalogues[defaultLang][key]; !ok {
			return key
		}
	}
	for i, a := range args {
		s = strings.ReplaceAll(s, fmt.Sprintf("{%d}", i), fmt.Sprint(a))
	}
	return s
}

// langOf is the language of a request: the session's choice (the picker),
// else Accept-Language as a hint, else English.
func langOf(sess *session, r *http.Request) string {
	if sess != nil {
		if l := sess.language(); l != "" {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if catalogues[base] != nil {
			return base
		}
	}
	return defaultLang
}
