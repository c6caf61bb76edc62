package casebook

import (
	"slices"
	"strings"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
)

// adminKey is the admin key pinned for h, as "difesa open" takes it: the
// questions of a form are shown only when the pinned key signed it. It is
// nil until a pin exists (the first reply or acknowledgement pins the
// hub's key on first use, as the CLI does).
func (h *hubConn) adminKey() *manifest.PublicKey {
	h.adminMu.Lock()
	defer h.adminMu.Unlock()
	if h.admin != nil || h.pins == nil {
		return h.admin
	}
	pin, ok, err := h.pins.Get(h.url)
	if err != nil || !ok {
		return nil
	}
	if pk, err := manifest.ParsePublicKey(pin.AdminKey); err == nil {
		h.admin = &pk
	}
	return h.admin
}

// answers are a form's answers. With the hub's pinned admin key, and a
// form it signed that the answers name exactly, they are the questions
// and the answers as people read them, in the form's order and its first
// language; otherwise the answers by question id, in the order of the
// ids, after a first field "form" that says why.
func answers(o *bundle.Opened, pub *manifest.PublicKey, hub string) []Field {
	if o == nil || o.Form == nil {
		return nil
	}
	why := "not checked: no admin key is pinned for this hub"
	if pub != nil {
		filled, err := form.OpenBundle(o.Form, o.Files, *pub, hub)
		if err == nil {
			f := filled.Form
			out := []Field{}
			for i := range f.Fields {
				fl := &f.Fields[i]
				vals := filled.Answers.Answers[fl.ID]
				if len(vals) == 0 {
					continue
				}
				out = append(out, Field{Name: f.In(fl.Label, ""), Value: strings.Join(f.Value(fl, vals, ""), "\n")})
			}
			return out
		}
		why = "not checked: " + err.Error()
	}
	out := []Field{{Name: "form", Value: why}}
	a, err := form.ParseAnswers(o.Form.Answers)
	if err != nil {
		return append(out, Field{Name: "error", Value: err.Error()})
	}
	ids := make([]string, 0, len(a.Answers))
	for id := range a.Answers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		out = append(out, Field{Name: id, Value: strings.Join(a.Answers[id], "\n")})
	}
	return out
}
