package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/wire"
)

// writeTemplate shows a filled offline template (docs/forms.md, "The
// offline template"), a plain text the defender encrypted with the age
// tool: the form it names is fetched from the hub by id, version and hash
// and checked against the pinned admin key; only then are the answers
// shown under their questions. If anything does not check, it says why
// (with the code) and shows the answers by question id, so nothing is
// lost.
func (fr *formReader) writeTemplate(ctx context.Context, b *strings.Builder, text string) {
	ft, err := form.ParseTemplate([]byte(text))
	if err != nil {
		fmt.Fprintf(b, "Form        NOT READ (%s): %s\n", form.Code(err), clean(oneLine(err.Error())))
		b.WriteString("\nMessage:\n" + clean(text))
		return
	}
	var a *form.Answers
	var f *form.Form
	err = fmt.Errorf("%w: no admin key is pinned for this hub (run \"difesa inbox\" or \"difesa forms\" first)", form.ErrUnsigned)
	if fr.pinned && fr.c != nil {
		vf, ferr := fr.c.FormVersion(ctx, fr.pub, ft.Form, ft.Version, ft.Hash)
		if err = ferr; err == nil {
			f = vf.Form
			a, err = ft.Answers(f, vf.Hash)
		}
	}
	if err != nil {
		code := form.Code(err)
		if code == "" {
			code = wire.CodeFormUnavailable
		}
		fmt.Fprintf(b, "Form        %s, version %d, filled offline: NOT CHECKED (%s): %s\n", clean(ft.Form), ft.Version, code, clean(oneLine(err.Error())))
		fmt.Fprintf(b, "            the questions cannot be shown; the answers by question id:\n")
		ids := make([]string, 0, len(ft.Sections))
		for id := range ft.Sections {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fmt.Fprintf(b, "\n%s\n", id)
			for _, l := range ft.Sections[id] {
				fmt.Fprintf(b, "    %s\n", clean(l))
			}
		}
		return
	}
	fmt.Fprintf(b, "Form        %s, version %d: %s (filled offline; signed by the hub's admin key)\n", f.ID, f.Version, clean(oneLine(f.In(f.Title, fr.lang))))
	for i := range f.Fields {
		fl := &f.Fields[i]
		vals := a.Answers[fl.ID]
		if len(vals) == 0 {
			continue
		}
		fmt.Fprintf(b, "\n%s\n", clean(oneLine(f.In(fl.Label, fr.lang))))
		for _, v := range f.Value(fl, vals, fr.lang) {
			for line := range strings.Lines(clean(v)) {
				fmt.Fprintf(b, "    %s\n", strings.TrimRight(line, "\n"))
			}
		}
	}
}
