package cli

import (
	"fmt"
	"slices"
	"strings"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
)

// formReader shows the answers of bundles made with a hub's own form, with
// their questions in the responder's language. The form travels in the
// bundle; it is shown only if the hub's pinned admin key signed it and the
// answers name exactly it (form id, version and hash), so a responder
// always sees the questions the defender was asked, even of an older
// version.
type formReader struct {
	pub    manifest.PublicKey
	pinned bool
	hub    string
	lang   string
	// c fetches the form an offline template names.
	c *client.Client
}

// newFormReader takes the admin key pinned for c's hub, if any.
func newFormReader(e *env, c *client.Client) *formReader {
	fr := &formReader{hub: c.HubID(), lang: e.lang, c: c}
	if ps, err := pinStore(); err == nil {
		if pin, ok, err := ps.Get(c.HubURL()); err == nil && ok {
			if pk, err := manifest.ParsePublicKey(pin.AdminKey); err == nil {
				fr.pub, fr.pinned = pk, true
			}
		}
	}
	return fr
}

// write appends the form's answers to b, every line after indent.
func (fr *formReader) write(b *strings.Builder, o *bundle.Opened, indent string) {
	if o.Form == nil {
		return
	}
	var filled *form.Filled
	err := fmt.Errorf("%w: no admin key is pinned for this hub (run \"difesa inbox\" or \"difesa forms\" first)", form.ErrUnsigned)
	if fr != nil && fr.pinned {
		filled, err = form.OpenBundle(o.Form, o.Files, fr.pub, fr.hub)
	}
	if err != nil {
		fmt.Fprintf(b, "%sForm        NOT CHECKED (%s): %s\n", indent, form.Code(err), clean(oneLine(err.Error())))
		fmt.Fprintf(b, "%s            the questions cannot be shown; the answers by question id:\n", indent)
		a, perr := form.ParseAnswers(o.Form.Answers)
		if perr != nil {
			fmt.Fprintf(b, "%s            (the answers do not read either: %s)\n", indent, clean(oneLine(perr.Error())))
			return
		}
		ids := make([]string, 0, len(a.Answers))
		for id := range a.Answers {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fmt.Fprintf(b, "%s%s: %s\n", indent, id, clean(oneLine(strings.Join(a.Answers[id], ", "))))
		}
		return
	}
	f := filled.Form
	lang := ""
	if fr != nil {
		lang = fr.lang
	}
	fmt.Fprintf(b, "%sForm        %s, version %d: %s (signed by the hub's admin key)\n", indent, f.ID, f.Version, clean(oneLine(f.In(f.Title, lang))))
	for i := range f.Fields {
		fl := &f.Fields[i]
		vals := filled.Answers.Answers[fl.ID]
		if len(vals) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s%s\n", indent, clean(oneLine(f.In(fl.Label, lang))))
		for _, v := range f.Value(fl, vals, lang) {
			for line := range strings.Lines(clean(v)) {
				fmt.Fprintf(b, "%s    %s\n", indent, strings.TrimRight(line, "\n"))
			}
		}
	}
}
