package cli

import (
	"strings"

	"difesa.org/difesa/internal/form"
)

// yesNo reads an answer to a yes/no question: y, yes, n or no, and the
// words of lang that its catalogue lists under _yes and _no ("s, sí, si"),
// in any case. It returns form.Yes or form.No, and false for anything else.
func yesNo(lang, s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", false
	}
	for _, c := range []struct{ key, val string }{{"_yes", form.Yes}, {"_no", form.No}} {
		words := messageCatalogues[defaultLang][c.key]
		if lang != defaultLang {
			words += "," + messageCatalogues[lang][c.key]
		}
		for w := range strings.SplitSeq(words, ",") {
			if w = strings.ToLower(strings.TrimSpace(w)); w != "" && w == s {
				return c.val, true
			}
		}
	}
	return "", false
}
