package wire

// Alarm is one alarm of a hub (GET /api/v1/hubs/{hub}/alarms): a missed
// check-in, a duress check-in or an urgent alert, open until a responder
// acknowledges it. Times are hours, RFC 3339 UTC, like every time the hub
// keeps about defenders.
type Alarm struct {
	ID string `json:"id"`
	// Kind is [AlarmMissed], [AlarmDuress] or [AlarmAlert].
	Kind string `json:"kind"`
	// Submission is the check-in's instructions, or the alert.
	Submission string `json:"submission"`
	Opened     string `json:"opened"`
	// State is [AlarmOpen] or [AlarmAcknowledged].
	State string      `json:"state"`
	Marks []AlarmMark `json:"marks"`
	// Acknowledged is the hour of the acknowledgement and By the label of
	// the responder who gave it (or "key " and the start of a key's
	// fingerprint, for a recipient without a label).
	Acknowledged string `json:"acknowledged,omitempty"`
	By           string `json:"by,omitempty"`
	// Note is the acknowledgement's note: age ciphertext to the hub's
	// recipients (base64 in JSON), or absent.
	Note []byte `json:"note,omitempty"`
	// Escalated is how many times the alarm was notified again for not
	// being acknowledged.
	Escalated int `json:"escalated,omitempty"`
}

// AlarmMark is one entry of an alarm's history: [MarkMissed],
// [MarkDuress], [MarkCheckedIn], [MarkStopped] or [MarkAlert], with its
// hour.
type AlarmMark struct {
	Mark string `json:"mark"`
	Hour string `json:"hour"`
}

// AlarmList answers GET /api/v1/hubs/{hub}/alarms?after=CURSOR&limit=N:
// open alarms first, then acknowledged ones, newest first in each.
type AlarmList struct {
	Alarms []Alarm `json:"alarms"`
	Next   string  `json:"next"`
	More   bool    `json:"more"`
}

// AlarmReplay is the data of an [EventAlarmOpen] event: the event stream
// sends one per open alarm when it connects, before any live event. Its
// fields are those of every notification, and the alarm.
type AlarmReplay struct {
	ID          string   `json:"id"` // the alarm's id
	Hub         string   `json:"hub"`
	Type        string   `json:"type"` // EventAlarmOpen
	Count       int      `json:"count"`
	Urgent      bool     `json:"urgent"`
	Submissions []string `json:"submissions,omitempty"`
	Alarm       Alarm    `json:"alarm"`
}

// Alarm kinds, states and marks.
const (
	AlarmMissed = "missed"
	AlarmDuress = "duress"
	AlarmAlert  = "alert"

	AlarmOpen         = "open"
	AlarmAcknowledged = "acknowledged"

	MarkMissed    = "missed"
	MarkDuress    = "duress"
	MarkCheckedIn = "checked_in"
	MarkStopped   = "stopped"
	MarkAlert     = "alert"
)

// Events of alarms: [EventAlarmOpen] only on the responders' event stream
// (a replay), [EventAlarmEscalated] on every channel and the
// escalation-only ones.
const (
	EventAlarmOpen      = "alarm.open"
	EventAlarmEscalated = "alarm.escalated"
	// EventAlarmAcknowledged is the audit log's entry of an
	// acknowledgement.
	EventAlarmAcknowledged = "alarm.acknowledged"
)

// MaxAlarmNote is the largest payload of an acknowledgement note, in
// bytes of age payload (the encrypted text, after the header), and
// MaxAlarmNoteFile the largest note file as sent: a header for dozens of
// post-quantum recipients (up to 64 KiB) and the payload, armored.
const (
	MaxAlarmNote     = 8 << 10
	MaxAlarmNoteFile = 64<<10 + 2*MaxAlarmNote
)

// MaxAlarmPage is the most alarms one page of the listing holds, whatever
// ?limit= asks: each may carry a note.
const MaxAlarmPage = 50

// CodeNoAlarm answers an alarm id the hub does not have (404).
const CodeNoAlarm = "no_alarm"
