package form

// Limits of the format (docs/forms.md). They bound what a parser accepts
// from a hostile server, not only what an admin may write.
const (
	// MaxSize bounds a form's bytes.
	MaxSize = 256 << 10
	// MaxSignedSize bounds the signed transport form.
	MaxSignedSize = 2*MaxSize + 1024
	// MaxFields bounds a form's fields, MaxChoices a field's choices,
	// MaxLanguages a form's languages and MaxConditionValues a condition's
	// values.
	MaxFields          = 100
	MaxChoices         = 100
	MaxLanguages       = 16
	MaxConditionValues = 32
	// MaxVersion is the largest version: 2^53-1, exact in JavaScript.
	MaxVersion = 1<<53 - 1
	// MaxTitle, MaxLabel and MaxHelp bound texts, in code points.
	MaxTitle = 200
	MaxLabel = 500
	MaxHelp  = 2000
	// MaxDepth bounds the JSON nesting of a form or of answers.
	MaxDepth = 8

	// MaxShortText is the default and largest MaxLength of a short text or
	// place; MaxLongText of a long text (code points).
	MaxShortText = 1000
	MaxLongText  = 512 << 10
	// MaxAnswersSize bounds answers' bytes (the bundle's JSON limit).
	MaxAnswersSize = 1 << 20
	// MaxFilesPerField bounds the attachments one files field names.
	MaxFilesPerField = 100
	// MaxNumber bounds a number's characters.
	MaxNumber = 32
)

// maxLength returns the largest answer of a text field, in code points.
func (fl *Field) maxLength() int {
	def := MaxShortText
	if fl.Type == TypeLongText {
		def = MaxLongText
	}
	if fl.MaxLength > 0 && fl.MaxLength < def {
		return fl.MaxLength
	}
	return def
}
