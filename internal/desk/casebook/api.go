package casebook

import (
	"errors"
	"net/http"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
)

// Errors of the [Book].
var (
	// ErrNotFound means the desk has no such case, attachment or alarm.
	ErrNotFound = errors.New("casebook: not found")

	// ErrReadOnly means the hub cannot be reached: the desk shows its
	// local copy, but actions that change the hub are refused.
	ErrReadOnly = errors.New("casebook: the hub cannot be reached; the desk is read-only")

	// ErrCannotReply means the case has no conversation the defender can
	// read (they left no reply key).
	ErrCannotReply = errors.New("casebook: the defender of this case cannot be answered")

	// ErrClosed means the book was closed.
	ErrClosed = errors.New("casebook: closed")
)

// Options configure [Open].
type Options struct {
	// Dir is the desk folder (an internal/vault folder; created, mode 0700).
	Dir string
	// Identities unlock the desk folder; they are also the default
	// identities of each hub.
	Identities []age.Identity
	// Recipient is the recipient of one of Identities: the desk folder's
	// data key is wrapped to it.
	Recipient age.Recipient
	// Hubs are the hubs the desk follows.
	Hubs []HubConfig
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Logf receives the desk's log lines (none if nil). They never hold
	// plaintext, and times in them are coarse.
	Logf func(format string, args ...any)
	// SyncEvery is how often each hub is asked what changed besides its
	// event stream (one minute if zero).
	SyncEvery time.Duration
}

// HubConfig is one hub of the desk.
type HubConfig struct {
	// URL is the hub's address, "http://HOST:PORT/hubs/ID".
	URL string
	// Identities are the responder's identities for this hub
	// ([Options.Identities] if empty).
	Identities []age.Identity
	// HTTPClient, if set, carries every request to the hub (its Transport
	// is used; set for -proxy). Nil: a direct connection, or $ALL_PROXY.
	HTTPClient *http.Client
	// Proxy is a proxy URL for the hub, as the CLI's -proxy (ignored when
	// HTTPClient is set).
	Proxy string
	// Pin is the admin key's fingerprint learned out of band (the CLI's
	// -pin), checked before a reply or a note is encrypted to the hub's
	// signed recipient list. Empty: the pin in Pins.
	Pin string
	// Pins remembers the admin key and the last manifest accepted, as the
	// CLI's pin store does (client.DefaultPinStore). Nil: nothing is
	// remembered and every check is a first contact.
	Pins *client.PinStore
}

// Change is a live update for the page: a case (or alarm) of a hub
// changed, appeared or went away.
type Change struct {
	Hub, ID string
	// Urgent is set for an alarm, or an alert that is not closed.
	Urgent bool
	// Kind is the submission kind ("report", "alert", …), "alarm" (ID is
	// the alarm's), or "purge": the local copy was purged, Hub and ID are
	// empty, and everything shown must be read again.
	Kind string
}

// HubStatus is what the page says about a hub's connection.
type HubStatus struct {
	Hub, URL string
	// Online is false when the last contact with the hub failed: the desk
	// is read-only for it. Before the first contact it is false too, with
	// Err empty (connecting).
	Online bool
	// Err says why, when not Online.
	Err string
	// Syncing is set while a sync runs. Done of Total submissions were
	// downloaded so far: Total is what the hub holds that the desk does
	// not (the bar of a first sync, or of one resumed), 0 if the hub did
	// not say.
	Syncing     bool
	Done, Total int
	// LastSyncHour is the hour of the last complete sync,
	// "2006-01-02 15:00" UTC, or "".
	LastSyncHour string
}

// Filter narrows the inbox and search. Empty fields match everything.
type Filter struct {
	Hub, Kind, Category, Status, Month string
	// Query is the full-text query of [Book.Search]: every word must
	// start a word of the case.
	Query string
	// Assignee narrows to the cases assigned to a responder label,
	// [AssigneeMine] (the responder's own label on the case's hub) or
	// [AssigneeNone]; Label to the cases with that label; Due to the
	// cases whose follow-up day is today or past.
	Assignee, Label string
	Due             bool
	// Offset and Limit page the items (Limit 0: 50; at most 500).
	Offset, Limit int
}

// Page is one page of the inbox or search.
type Page struct {
	// Alarms are the alarms that match, open ones first.
	Alarms []Alarm
	// Items are the cases of the page, in inbox order.
	Items []Item
	// Total is the number of cases that match.
	Total int
	// Counts are the cases per state, over all that match the filter
	// without its Status.
	Counts Counts
	// Restricted is the number of cases the hubs restricted to other
	// responders: they are not listed, only counted (restrict.go).
	// Unreadable counts, of those, the ones no responder of their hub's
	// current manifest can read.
	Restricted, Unreadable int
}

// Counts are the number of cases in each state.
type Counts struct {
	New, InProgress, Closed, Unread int
	// DueToday and Overdue count the cases whose follow-up day is today,
	// or before today (the desk computer's day).
	DueToday, Overdue int
}

// Item is a case in a list.
type Item struct {
	Hub, ID, Kind, Category, Status, Subject string
	// Month is the month the case arrived in, "2006-01" (what
	// [Filter.Month] matches); Day the day of its latest message,
	// "2006-01-02". Both UTC.
	Month, Day string
	// Unread is set while a message of the case was not opened in the
	// desk ([Book.MarkRead]); Urgent for an alert not closed, or a case
	// with an open alarm.
	Unread bool
	Urgent bool
	// Followups is the number of the defender's follow-ups.
	Followups int
	// Assignee, Labels, SubStatus and FollowUp are the case record's
	// (empty without one). Due is "today" or "overdue" when the
	// follow-up day is today or past, else "".
	Assignee  string
	Labels    []string
	SubStatus string
	FollowUp  string
	Due       string
}

// Case is a report (or alert, or check-in) with its whole conversation.
type Case struct {
	Item
	// Fields are the structured fields of the report, in order.
	Fields    []Field
	Narrative string
	// Attachments are the opening message's files.
	Attachments []Attachment
	// Thread is the conversation after the opening message, oldest first.
	Thread []Message
	// Answers are the form's questions and answers, when the report was
	// made with a form.
	Answers []Field
	// Alarms are the alarms raised by this case.
	Alarms []Alarm
	// CanReply is set when the defender left a reply key.
	CanReply bool
	// Work is the case work colleagues share about it (work_api.go).
	Work Work
	// Restriction says whether the case is restricted, and to whom.
	Restriction Restriction
	// Err says why the case could not be read, if it could not.
	Err string
}

// Field is a name and a value.
type Field struct {
	Name, Value string
}

// Attachment is a file of a message.
type Attachment struct {
	// N numbers the files of a case from 0 across the whole conversation
	// ([Book.Attachment] takes it).
	N      int
	Name   string
	Size   int64
	SHA256 string
	// Image is set when the first bytes look like an image (sniffed, not
	// trusted: the web side previews only what internal/media decodes).
	Image bool
}

// Message is one message of a conversation.
type Message struct {
	// From is "defender" or "hub".
	From        string
	ID          string
	Text        string
	Day         string
	Attachments []Attachment
}

// Alarm is a missed check-in, a duress check-in or an urgent alert.
type Alarm struct {
	Hub, ID, Kind, Submission string
	// Opened is the hour it was raised, "2006-01-02 15:00" UTC.
	Opened string
	// Marks are the alarm's history, "MARK 2006-01-02 15:00" (missed,
	// duress, checked_in, stopped, alert), and, once acknowledged,
	// "acknowledged HOUR by LABEL".
	Marks []string
	Open  bool
}

// File is an attachment of a reply.
type File struct {
	Name string
	Data []byte
}

// Usage is how much plaintext-derived data the desk holds.
type Usage struct {
	Records int
	Bytes   int64
}
