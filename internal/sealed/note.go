package sealed

import (
	"bytes"
	"fmt"

	"filippo.io/age"

	"difesa.org/difesa/internal/wire"
)

// MaxNoteText bounds a note's text so that its age file, with the header
// of up to a few dozen recipients, fits the hub's limit.
const MaxNoteText = 2 << 10

// Note encrypts an acknowledgement's note to the hub's recipients.
func Note(text string, to []age.Recipient) ([]byte, error) {
	var b bytes.Buffer
	w, err := age.Encrypt(&b, to...)
	if err != nil {
		return nil, fmt.Errorf("encrypting the note: %w", err)
	}
	if _, err := w.Write([]byte(text)); err != nil {
		return nil, fmt.Errorf("encrypting the note: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypting the note: %w", err)
	}
	if b.Len() > wire.MaxAlarmNoteFile {
		return nil, fmt.Errorf("the note is %d bytes encrypted to the hub's %d recipients, over the hub's %d: shorten it", b.Len(), len(to), wire.MaxAlarmNoteFile)
	}
	return b.Bytes(), nil
}
