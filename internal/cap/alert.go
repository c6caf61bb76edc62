package cap

import (
	"slices"
	"time"
)

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

// Expires returns the latest expiry of the alert's info blocks, and false
// if any block has none (the alert then does not expire by itself), if
// there is no info block, or if an expiry is not a CAP date-time (which
// cannot happen for an alert [Check] returned).
func (a *Alert) Expires() (time.Time, bool) {
	if len(a.Infos) == 0 {
		return time.Time{}, false
	}
	var latest time.Time
	for i, in := range a.Infos {
		if in.Expires == "" {
			return time.Time{}, false
		}
		t, err := ParseTime(in.Expires)
		if err != nil {
			return time.Time{}, false
		}
		if i == 0 || t.After(latest) {
			latest = t
		}
	}
	return latest, true
}

// Equal reports whether a and b hold the same alert, field by field; a nil
// list and an empty one are equal. [Check] of a [Alert.Marshal] document
// returns an alert Equal to the one marshalled.
func (a *Alert) Equal(b *Alert) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Identifier == b.Identifier && a.Sender == b.Sender && a.Sent == b.Sent &&
		a.Status == b.Status && a.MsgType == b.MsgType && a.Source == b.Source &&
		a.Scope == b.Scope && a.Restriction == b.Restriction && a.Addresses == b.Addresses &&
		slices.Equal(a.Codes, b.Codes) && a.Note == b.Note &&
		slices.Equal(a.References, b.References) && a.Incidents == b.Incidents &&
		slices.EqualFunc(a.Infos, b.Infos, Info.equal)
}

func (in Info) equal(o Info) bool {
	return in.Language == o.Language && slices.Equal(in.Categories, o.Categories) &&
		in.Event == o.Event && slices.Equal(in.ResponseTypes, o.ResponseTypes) &&
		in.Urgency == o.Urgency && in.Severity == o.Severity && in.Certainty == o.Certainty &&
		in.Audience == o.Audience && slices.Equal(in.EventCodes, o.EventCodes) &&
		in.Effective == o.Effective && in.Onset == o.Onset && in.Expires == o.Expires &&
		in.SenderName == o.SenderName && in.Headline == o.Headline &&
		in.Description == o.Description && in.Instruction == o.Instruction &&
		in.Web == o.Web && in.Contact == o.Contact && slices.Equal(in.Parameters, o.Parameters) &&
		slices.EqualFunc(in.Areas, o.Areas, Area.equal)
}

func (ar Area) equal(o Area) bool {
	return ar.Desc == o.Desc && slices.Equal(ar.Polygons, o.Polygons) &&
		slices.Equal(ar.Circles, o.Circles) && slices.Equal(ar.Geocodes, o.Geocodes) &&
		ar.Altitude == o.Altitude && ar.Ceiling == o.Ceiling
}
