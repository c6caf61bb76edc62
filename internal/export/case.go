package export

import (
	"errors"
	"time"
)

// Case is what an export holds. It is independent of the desk's own
// types: the desk fills one from its local copy.
type Case struct {
	// ID is the submission id.
	ID string
	// Kind is "report", "alert", … and Category the report's category.
	Kind, Category string
	// Created is the day the hub received the case; only its date is
	// written.
	Created time.Time
	// Fields are the structured fields, in the order of the form.
	Fields []Field
	// Narrative is the defender's free text.
	Narrative string
	// Messages is the conversation, oldest first.
	Messages []Message
	// Attachments are the files, as sent.
	Attachments []Attachment
	// Ciphertext is the original encrypted bundle; may be empty.
	Ciphertext []byte
}

// Field is one structured field of a case.
type Field struct {
	Key, Value string
}

// Message is one message of a case's conversation.
type Message struct {
	// Author is a role ("defender", "responder", "hub"), never a name the
	// desk has not shown.
	Author string
	// Date is the day of the message; only its date is written.
	Date time.Time
	Text string
}

// Attachment is one file of a case.
type Attachment struct {
	Name string
	Data []byte
}

// Limits on a case, generous for any real one.
const (
	MaxAttachments = 1000
	MaxFields      = 1000
	MaxMessages    = 100_000
)

// ErrTooLarge means a case has more parts than the limits above.
var ErrTooLarge = errors.New("export: case too large")

// ErrBothKeys means both recipients and a passphrase were given: age
// encrypts to a passphrase alone.
var ErrBothKeys = errors.New("export: encrypt to recipients or to a passphrase, not both")
