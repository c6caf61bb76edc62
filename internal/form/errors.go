package form

import (
	"errors"

	"difesa.org/difesa/internal/wire"
)

// The sentinel errors below classify every refusal; errors of this package
// wrap one of them with a detail for people. [Code] maps them to the
// stable codes of internal/wire.
var (
	// ErrInvalid means bytes that should be a form (or its signed transport
	// form) break the format of docs/forms.md.
	ErrInvalid = errors.New("form: invalid form")
	// ErrTooLarge means a form or answers exceed a limit of [Limits].
	ErrTooLarge = errors.New("form: over a limit")
	// ErrBadCondition means a condition refers to the field itself, to a
	// later field, to an unknown field or choice, or to a field that has no
	// choices.
	ErrBadCondition = errors.New("form: broken condition")
	// ErrUnsigned means the signature is not the hub admin key's.
	ErrUnsigned = errors.New("form: not signed by the hub's admin key")
	// ErrWrongHub means a validly signed form names another hub or id.
	ErrWrongHub = errors.New("form: form is for another hub")
	// ErrRollback means a form's version is older than one already seen.
	ErrRollback = errors.New("form: older version than one already seen")
	// ErrConflict means a form has the version of one already seen, with
	// other bytes: the admin key signed two forms with one version.
	ErrConflict = errors.New("form: another form with the same version was seen")
	// ErrMismatch means answers name another form, version or hash than the
	// form they are checked against (a form swapped between fetch and send).
	ErrMismatch = errors.New("form: answers are for another form")
	// ErrAnswers means answers break the form's rules or the answers format.
	ErrAnswers = errors.New("form: invalid answers")
)

// Code returns the stable wire code of err ("" if err is none of this
// package's).
func Code(err error) string {
	for _, c := range []struct {
		err  error
		code string
	}{
		{ErrTooLarge, wire.CodeFormTooLarge},
		{ErrBadCondition, wire.CodeFormBadCondition},
		{ErrUnsigned, wire.CodeFormUnsigned},
		{ErrWrongHub, wire.CodeFormWrongHub},
		{ErrRollback, wire.CodeFormRollback},
		{ErrConflict, wire.CodeFormConflict},
		{ErrMismatch, wire.CodeFormMismatch},
		{ErrAnswers, wire.CodeAnswersInvalid},
		{ErrInvalid, wire.CodeFormInvalid},
	} {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}
