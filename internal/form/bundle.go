package form

import (
	"fmt"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/wire"
)

// BundleEntries returns the form.json and answers.json of a bundle made
// with the signed form s: the transport form as verified and shown, and
// the answers, each with a final newline. It checks the answers against
// the form first, so a client never sends answers the form refuses.
func BundleEntries(s *wire.SignedForm, a *Answers) (*bundle.FormAnswers, error) {
	f, err := Parse(s.Form)
	if err != nil {
		return nil, err
	}
	if err := CheckAnswers(f, Hash(s.Form), a); err != nil {
		return nil, err
	}
	ab, err := a.Marshal()
	if err != nil {
		return nil, err
	}
	return &bundle.FormAnswers{Form: append(MarshalSigned(s), '\n'), Answers: append(ab, '\n')}, nil
}

// Filled is a bundle's form and answers, checked.
type Filled struct {
	Form    *Form
	Hash    string
	Answers *Answers
}

// OpenBundle checks the form and answers of a bundle read by
// [bundle.Read]: the form signed by the hub's admin key pub for hub
// ([ErrUnsigned], [ErrWrongHub]), the answers naming exactly that form's
// id, version and hash ([ErrMismatch]: the form was swapped), the answers
// valid for it ([ErrAnswers]), and every attachment a files answer names
// present in the bundle.
func OpenBundle(fa *bundle.FormAnswers, files []bundle.FileInfo, pub manifest.PublicKey, hub string) (*Filled, error) {
	if fa == nil {
		return nil, fmt.Errorf("%w: the bundle has no form", ErrInvalid)
	}
	s, err := ParseSigned(fa.Form)
	if err != nil {
		return nil, err
	}
	f, err := VerifyFor(s, pub, hub, "")
	if err != nil {
		return nil, err
	}
	a, err := ParseAnswers(fa.Answers)
	if err != nil {
		return nil, err
	}
	h := Hash(s.Form)
	if err := CheckAnswers(f, h, a); err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(files))
	for _, fi := range files {
		have[fi.Name] = true
	}
	for _, fl := range f.Fields {
		if fl.Type != TypeFiles {
			continue
		}
		for _, name := range a.Answers[fl.ID] {
			if !have[name] {
				return nil, fmt.Errorf("%w: field %s names %q, which is not in the bundle", ErrAnswers, fl.ID, truncate(name))
			}
		}
	}
	return &Filled{Form: f, Hash: h, Answers: a}, nil
}

// Value returns an answer for people, in lang: choice labels instead of
// choice ids, "yes"/"no" as they are, other values unchanged.
func (f *Form) Value(fl *Field, values []string, lang string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = v
		for _, c := range fl.Choices {
			if c.ID == v {
				out[i] = f.In(c.Label, lang)
			}
		}
	}
	return out
}
