package wire

// SignedForm is a hub form's exact (canonical) bytes with the hub admin
// key's Ed25519 signature of them, both standard base64 so that no
// re-encoding on the way can change the signed bytes. It is the body of
// POST /api/v1/hubs/{hub}/forms and the answer of GET …/forms/{id} (the
// latest version) and GET …/forms/{id}/{version}. Readers decode it
// strictly with internal/form.ParseSigned.
type SignedForm struct {
	Form      []byte `json:"form"`
	Signature []byte `json:"signature"`
}

// FormInfo describes one form of a hub: its latest version. Nothing in it
// is signed; clients verify the form itself before they show it.
type FormInfo struct {
	ID      string `json:"id"`
	Version uint64 `json:"version"`
	// Hash is the hex SHA-256 of the signed form bytes.
	Hash string `json:"hash"`
	// Title is the form's title per language.
	Title map[string]string `json:"title"`
}

// FormList answers GET /api/v1/hubs/{hub}/forms, sorted by id.
type FormList struct {
	Forms []FormInfo `json:"forms"`
}

// EventFormPublished is the audit event of a form's publication.
const EventFormPublished = "form.published"

// Error codes of forms and answers (docs/forms.md), in the API and in the
// clients' refusals.
const (
	CodeFormInvalid      = "form_invalid"       // 400 not a form in the format of docs/forms.md
	CodeFormTooLarge     = "form_too_large"     // 413 over a limit (bytes, fields, choices, languages, texts)
	CodeFormBadCondition = "form_bad_condition" // 400 a condition on itself, a later or unknown field or value
	CodeFormUnsigned     = "form_unsigned"      // 422 not signed by the hub's admin key
	CodeFormWrongHub     = "form_wrong_hub"     // 422 signed for another hub
	CodeFormRollback     = "form_rollback"      // 409 not newer than the version already published or seen
	CodeFormConflict     = "form_conflict"      // 409 same version as one seen, other bytes
	CodeFormMismatch     = "form_mismatch"      // answers name another form, version or hash
	CodeAnswersInvalid   = "answers_invalid"    // answers break the form's rules
	CodeFormUnavailable  = "form_unavailable"   // the hub could not serve the form a filled template names
)
