package caserecord

// Version is the format version a record carries in its "v" member.
const Version = 1

// Record is the plaintext case record of one submission.
type Record struct {
	// V is [Version].
	V int `json:"v"`
	// Assignee is the responder label (from the manifest) the case is
	// assigned to, or empty.
	Assignee string `json:"assignee"`
	// Labels are labels from the hub's label set, sorted, each once.
	Labels []string `json:"labels"`
	// SubStatus is one of the hub's sub-statuses, or empty.
	SubStatus string `json:"sub_status"`
	// FollowUp is the day to come back to the case, YYYY-MM-DD, or empty.
	FollowUp string `json:"follow_up"`
	// Links point to related cases, sorted by kind and target, each once.
	Links []Link `json:"links"`
	// Notes are the internal notes, append-only, sorted by hour and id.
	Notes []Note `json:"notes"`
	// History records the changes of the single-valued fields, sorted.
	History []Change `json:"history"`
}

// Link kinds.
const (
	LinkDuplicate    = "duplicate"
	LinkSameDefender = "same_defender"
	LinkSameIncident = "same_incident"
)

// Link relates a case to another.
type Link struct {
	Kind   string `json:"kind"`
	Target string `json:"target"`
}

// Note is an internal note.
type Note struct {
	// ID is random, 16 lowercase hex digits, unique in the record.
	ID string `json:"id"`
	// Author is the responder label of the writer.
	Author string `json:"author"`
	// Hour is when it was written, to the hour (see [Hour]).
	Hour string `json:"hour"`
	Text string `json:"text"`
	// Attachment optionally names an attachment of the submission or of
	// its thread; empty if none.
	Attachment string `json:"attachment,omitempty"`
}

// Fields with a history.
const (
	FieldAssignee  = "assignee"
	FieldSubStatus = "sub_status"
	FieldFollowUp  = "follow_up"
)

// Change is one change of a single-valued field.
type Change struct {
	Author string `json:"author"`
	Hour   string `json:"hour"`
	Field  string `json:"field"`
	Old    string `json:"old"`
	New    string `json:"new"`
}

// Hub is the plaintext hub record: the hub's label set and sub-statuses.
type Hub struct {
	V           int      `json:"v"`
	Labels      []string `json:"labels"`
	SubStatuses []string `json:"sub_statuses"`
}

// field returns a pointer to the single-valued field named f.
func (r *Record) field(f string) *string {
	switch f {
	case FieldAssignee:
		return &r.Assignee
	case FieldSubStatus:
		return &r.SubStatus
	case FieldFollowUp:
		return &r.FollowUp
	}
	return nil
}

var fields = []string{FieldAssignee, FieldSubStatus, FieldFollowUp}
