package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"
)

// Version is the bundle format version written by [Write] and the only one
// [Read] accepts.
const Version = 1

// Entry names at the top of a bundle.
const (
	EnvelopeName = "envelope.json"
	ReportName   = "report.json"
	FormName     = "form.json"
	AnswersName  = "answers.json"
	FilesDir     = "files/"
)

// FormAnswers are the entries of a bundle made with one of a hub's own
// forms (docs/forms.md), in place of report.json: Form is the signed form
// as the defender's client verified and showed it (its transport form,
// form.json), Answers the answers (answers.json). Both are JSON; this
// package checks only that, and their size: internal/form checks the
// signature, the form and the answers.
type FormAnswers struct {
	Form    []byte
	Answers []byte
}

// checkFormJSON checks that data is UTF-8 JSON of at most max bytes.
func checkFormJSON(name string, data []byte, max int64) error {
	switch {
	case int64(len(data)) > max:
		return fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrTooLarge, name, len(data), max)
	case !utf8.Valid(data) || !json.Valid(data):
		return fmt.Errorf("%w: %s is not UTF-8 JSON", ErrMalformed, name)
	}
	return nil
}

// Kinds of bundle, in [Envelope.Kind].
const (
	KindReport   = "report"   // a new report of an attack
	KindAlert    = "alert"    // an urgent call for help
	KindCheckin  = "checkin"  // a periodic "I am fine"
	KindFollowup = "followup" // more on an earlier report
	KindReply    = "reply"    // a responder's answer
)

// ValidKind reports whether kind is one of the Kind constants.
func ValidKind(kind string) bool {
	switch kind {
	case KindReport, KindAlert, KindCheckin, KindFollowup, KindReply:
		return true
	}
	return false
}

// Envelope is envelope.json, the first entry of every bundle. Created is a
// date (YYYY-MM-DD), never a time: the hub must not learn when, to the
// minute, a defender was at a keyboard.
//
// ReplyRecipient, only in a bundle that opens a conversation (kind report
// or alert), is the defender's reply recipient (age1pq1…), derived from
// their codename: responders encrypt their replies to it as well as to the
// hub. It travels inside the encrypted bundle so that only responders,
// never the server, learn it.
type Envelope struct {
	Version        int    `json:"version"`
	Kind           string `json:"kind"`
	Language       string `json:"language,omitempty"`
	Created        string `json:"created"`
	ReplyRecipient string `json:"reply_recipient,omitempty"`
}

// NewEnvelope returns a version-[Version] envelope created on the UTC date
// of now.
func NewEnvelope(kind, language string, now time.Time) Envelope {
	return Envelope{
		Version:  Version,
		Kind:     kind,
		Language: language,
		Created:  now.UTC().Format(time.DateOnly),
	}
}

// Report is report.json, the structured form of a report. Every field is
// free text typed by a defender except Category, an ID from [Categories].
// Who is who was affected; Contact is how (and whether) the defender wants
// to be contacted back.
type Report struct {
	Category  string `json:"category"`
	Narrative string `json:"narrative,omitempty"`
	When      string `json:"when,omitempty"`
	Where     string `json:"where,omitempty"`
	Who       string `json:"who,omitempty"`
	Needs     string `json:"needs,omitempty"`
	Contact   string `json:"contact,omitempty"`
}

func (e *Envelope) validate() error {
	if e.Version != Version {
		return fmt.Errorf("%w: version %d (this build reads version %d)", ErrUnsupportedVersion, e.Version, Version)
	}
	if !ValidKind(e.Kind) {
		return fmt.Errorf("unknown kind %q", e.Kind)
	}
	if !validLanguage(e.Language) {
		return fmt.Errorf("invalid language tag %q", e.Language)
	}
	d, err := time.Parse(time.DateOnly, e.Created)
	if err != nil || d.Format(time.DateOnly) != e.Created {
		return fmt.Errorf("created %q is not a YYYY-MM-DD date", e.Created)
	}
	if e.ReplyRecipient != "" {
		if e.Kind != KindReport && e.Kind != KindAlert {
			return fmt.Errorf("a %s bundle cannot carry a reply recipient (only report and alert open a conversation)", e.Kind)
		}
		if !validReplyRecipient(e.ReplyRecipient) {
			return errors.New("reply_recipient is not a post-quantum age recipient (age1pq1…)")
		}
	}
	return nil
}

// maxReplyRecipient bounds reply_recipient; an ML-KEM-768 + X25519
// recipient is under 2 000 characters.
const maxReplyRecipient = 4096

// validReplyRecipient accepts a hybrid post-quantum age recipient, the only
// kind a codename derives.
func validReplyRecipient(s string) bool {
	if len(s) > maxReplyRecipient || !strings.HasPrefix(s, "age1pq1") {
		return false
	}
	_, err := age.ParseHybridRecipient(s)
	return err == nil
}

// validLanguage accepts "" or a BCP 47-shaped tag: 2–3 letters, then
// hyphen-separated alphanumeric subtags of 1–8, at most 35 bytes.
func validLanguage(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 35 {
		return false
	}
	for i, sub := range bytes.Split([]byte(s), []byte("-")) {
		if len(sub) == 0 || len(sub) > 8 || (i == 0 && (len(sub) < 2 || len(sub) > 3)) {
			return false
		}
		for _, c := range sub {
			alpha := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
			if !alpha && (i == 0 || c < '0' || c > '9') {
				return false
			}
		}
	}
	return true
}

// validCategoryID accepts the shape of a category ID, known or not.
func validCategoryID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (r *Report) validate() error {
	if !validCategoryID(r.Category) {
		return fmt.Errorf("invalid category %q", r.Category)
	}
	for _, f := range []string{r.Narrative, r.When, r.Where, r.Who, r.Needs, r.Contact} {
		if !utf8.ValidString(f) {
			return fmt.Errorf("report text is not valid UTF-8")
		}
	}
	return nil
}

// marshalJSON encodes v compactly, without HTML escaping, with a final
// newline so that the extracted file reads well in a terminal.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// parseEnvelope decodes envelope.json, checking the version before the
// rest so that a future format is reported as such, not as garbage.
func parseEnvelope(data []byte) (*Envelope, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: %s is not valid UTF-8", ErrMalformed, EnvelopeName)
	}
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, EnvelopeName, err)
	}
	if v.Version == 0 {
		return nil, fmt.Errorf("%w: %s has no version", ErrMalformed, EnvelopeName)
	}
	if v.Version != Version {
		return nil, fmt.Errorf("%w: version %d (this build reads version %d)", ErrUnsupportedVersion, v.Version, Version)
	}
	var env Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, EnvelopeName, err)
	}
	if err := env.validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, EnvelopeName, err)
	}
	return &env, nil
}

func parseReport(data []byte) (*Report, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: %s is not valid UTF-8", ErrMalformed, ReportName)
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, ReportName, err)
	}
	if err := rep.validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, ReportName, err)
	}
	return &rep, nil
}
