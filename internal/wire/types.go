package wire

// MediaTypeAge is the Content-Type of age files on the wire, in both
// directions. The server also accepts application/octet-stream and
// text/plain (armored files) on upload.
const MediaTypeAge = "application/vnd.age"

// SubmissionCreated answers POST /api/v1/hubs/{hub}/submissions with 201.
type SubmissionCreated struct {
	ID   string `json:"id"`
	Hub  string `json:"hub"`
	Kind string `json:"kind"`
	Size int64  `json:"size"`
}

// Submission is one entry of a responder's inbox. Received is the hour (or
// the hub's coarser granularity) the submission arrived in, in RFC 3339 UTC.
type Submission struct {
	ID       string `json:"id"`
	Kind     string `json:"kind"`
	Size     int64  `json:"size"`
	Received string `json:"received"`
	Status   string `json:"status"`
	// Recipients is the fingerprint of the recipient set the submission was
	// encrypted to (see docs/api.md).
	Recipients string `json:"recipients"`
	// Epoch is the manifest epoch whose recipients the file is encrypted to.
	Epoch uint64 `json:"epoch"`
	// Checkin is the state of the timer (armed, missed) whose instructions
	// this is, for kind checkin.
	Checkin string `json:"checkin,omitempty"`
	// Serial is the submission's place in the order the hub received its
	// submissions (1, 2, …; gaps where records changed): it orders
	// submissions of the same hour, and says nothing more about when.
	Serial uint64 `json:"serial"`
	// Thread is the id of the submission that opened the conversation this
	// one belongs to (its own id for the opening one), or empty.
	Thread string `json:"thread,omitempty"`
	// Case is the version of the submission's case record (0: it has
	// none): a desk fetches the record when it differs from its copy's.
	// A write of the record lists the submission again, as a change.
	Case uint64 `json:"case,omitempty"`
	// CaseEpoch is the manifest epoch the case record was last written to
	// (0: no record, or written before epochs were kept): rekey writes
	// again the records of older epochs.
	CaseEpoch uint64 `json:"case_epoch,omitempty"`
	// Restricted is true when the case (this submission's, or its
	// conversation's) is restricted to some responders, the caller among
	// them: it is encrypted to them only.
	Restricted bool `json:"restricted,omitempty"`
}

// SubmissionList answers GET /api/v1/hubs/{hub}/submissions?after=CURSOR&limit=N:
// up to N submissions (default [DefaultPageSize], at most [MaxPageSize]) whose
// latest change (arrival, status, re-encryption) came after CURSOR, in the
// order of those changes. Every submission is listed once from the start;
// one that changes while a client pages through comes again further on.
type SubmissionList struct {
	Submissions []Submission `json:"submissions"`
	// Next is the cursor of the next page, and, once More is false, the
	// cursor from which to list what changes later.
	Next string `json:"next"`
	// More reports whether submissions follow Next now.
	More bool `json:"more"`
	// Restricted counts the hub's restricted cases that the caller is not
	// among the responders of, and that no page lists for them (docs/api.md,
	// "Restricted cases"): the same number on every page.
	Restricted int `json:"restricted,omitempty"`
	// Unreadable counts, of those, the cases none of whose responders is
	// among the hub's current recipients any more: no remaining member of
	// the hub can read them (they stay encrypted to the old keys).
	Unreadable int `json:"unreadable,omitempty"`
}

// Page sizes of the listings that take ?after=CURSOR&limit=N.
const (
	DefaultPageSize = 500
	MaxPageSize     = 1000
)

// StatusUpdate is the body of PUT /api/v1/hubs/{hub}/submissions/{id}/status.
type StatusUpdate struct {
	Status string `json:"status"`
}

// Triage statuses a responder can set.
const (
	StatusNew        = "new"
	StatusInProgress = "in_progress"
	StatusClosed     = "closed"
)

// ChallengeRequest asks for a login challenge for one of the hub's
// recipients (POST /api/v1/hubs/{hub}/auth/challenge).
type ChallengeRequest struct {
	Recipient string `json:"recipient"`
}

// Challenge carries a random secret encrypted (armored age) to the recipient.
type Challenge struct {
	ID         string `json:"id"`
	Ciphertext string `json:"ciphertext"`
	ExpiresIn  int    `json:"expires_in"` // seconds
}

// TokenRequest proves the challenge was decrypted
// (POST /api/v1/hubs/{hub}/auth/token). Response is the decrypted secret,
// base64url without padding.
type TokenRequest struct {
	ID       string `json:"id"`
	Response string `json:"response"`
}

// Token is a bearer token for the hub's responder API.
type Token struct {
	Token     string `json:"token"`
	ExpiresIn int    `json:"expires_in"` // seconds
}

// Health answers GET /healthz.
type Health struct {
	Status string `json:"status"`
}
