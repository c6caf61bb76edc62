package caserecord

// Limits of a case record and of the hub record. A record over them is
// refused by [Parse] and by [Record.Validate], with an error that says
// which limit.
const (
	// MaxRecordSize bounds the JSON of a case record, in bytes. Its age
	// file stays well under the server's 256 KiB.
	MaxRecordSize = 192 << 10
	// MaxHubRecordSize bounds the JSON of the hub record, in bytes.
	MaxHubRecordSize = 32 << 10
	// MaxNotes bounds the notes of one case.
	MaxNotes = 500
	// MaxNoteText bounds a note's text, in bytes of UTF-8.
	MaxNoteText = 8 << 10
	// MaxHistory bounds the changes one record keeps.
	MaxHistory = 2000
	// MaxLinks bounds the links of one case.
	MaxLinks = 100
	// MaxCaseLabels bounds the labels on one case.
	MaxCaseLabels = 32
	// MaxHubLabels bounds the hub's label set, MaxSubStatuses its
	// sub-statuses.
	MaxHubLabels   = 64
	MaxSubStatuses = 32
	// MaxName bounds a label, a sub-status or a responder label, in
	// Unicode code points (the manifest's label limit).
	MaxName = 64
	// MaxValue bounds the old and new values of a history entry, in
	// bytes.
	MaxValue = 256
	// MaxRef bounds an attachment reference, in bytes.
	MaxRef = 256
)
