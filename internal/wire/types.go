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
}

// SubmissionList answers GET /api/v1/hubs/{hub}/submissions.
type SubmissionList struct {
	Submissions []Submission `json:"submissions"`
}

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
