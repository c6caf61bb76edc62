package cap

import "time"

const (
	// Namespace is the XML namespace of CAP 1.2.
	Namespace = "urn:oasis:names:tc:emergency:cap:1.2"
	// MediaType is the media type CAP documents are served with.
	MediaType = "application/cap+xml"
	// MaxSize is the largest document [Check] reads, in bytes.
	MaxSize = 64 << 10
)

// Alert is a CAP 1.2 alert message, in the subset difesa supports. Times
// are kept as the text CAP prescribes ("2026-11-23T14:00:00+01:00"); use
// [ParseTime] and [FormatTime].
type Alert struct {
	Identifier string
	Sender     string
	Sent       string
	Status     string // Actual, Exercise, System, Test, Draft
	MsgType    string // Alert, Update, Cancel, Ack, Error
	Source     string
	Scope      string // Public, Restricted, Private
	// Restriction is required when Scope is Restricted, Addresses when
	// Scope is Private.
	Restriction string
	Addresses   string
	Codes       []string
	Note        string
	// References name earlier messages this one updates or cancels.
	References []Reference
	Incidents  string
	Infos      []Info
}

// Reference identifies an earlier message: CAP's "sender,identifier,sent".
type Reference struct {
	Sender, Identifier, Sent string
}

// Info is one info block: the alert in one language.
type Info struct {
	Language      string // RFC 3066 tag; empty means CAP's default, en-US
	Categories    []string
	Event         string
	ResponseTypes []string
	Urgency       string
	Severity      string
	Certainty     string
	Audience      string
	EventCodes    []NameValue
	Effective     string
	Onset         string
	Expires       string
	SenderName    string
	Headline      string
	Description   string
	Instruction   string
	Web           string
	Contact       string
	Parameters    []NameValue
	Areas         []Area
}

// NameValue is CAP's valueName/value pair (eventCode, parameter, geocode).
type NameValue struct {
	Name, Value string
}

// Area is one area block.
type Area struct {
	Desc     string
	Polygons []string
	Circles  []string
	Geocodes []NameValue
	Altitude string
	Ceiling  string
}

// ParseTime parses CAP's date-time form, which always carries an explicit
// numeric offset ("-00:00" for UTC) and no fractional seconds.
func ParseTime(s string) (time.Time, error) { panic("unimplemented") }

// FormatTime returns t in CAP's date-time form.
func FormatTime(t time.Time) string { panic("unimplemented") }

// Expires returns the latest expiry of the alert's info blocks, and false
// if any block has none (the alert then does not expire by itself).
func (a *Alert) Expires() (time.Time, bool) { panic("unimplemented") }
