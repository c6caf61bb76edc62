package wire

// Headers of check-in arming: verifiers of the two codes, base64url of
// SHA-256("difesa checkin verifier v1" || normalised code).
const (
	HeaderCheckinVerifier = "Difesa-Checkin-Verifier"
	HeaderDuressVerifier  = "Difesa-Duress-Verifier"
)

// KindCheckin is a check-in's encrypted instructions for responders.
const KindCheckin = "checkin"

// CheckinArmed answers POST …/checkins with 201.
type CheckinArmed struct {
	// ID is the id of the submission holding the instructions.
	ID       string `json:"id"`
	Deadline string `json:"deadline"`
}

// CheckinRequest is the body of POST …/checkin and POST …/checkin/stop
// (JSON, or a form with the field "code").
type CheckinRequest struct {
	Code string `json:"code"`
}

// CheckinDone answers a check-in, normal or duress alike.
type CheckinDone struct {
	NextDeadline string `json:"next_deadline"`
}

// CodeNoCheckin answers an unknown check-in code (404).
const CodeNoCheckin = "no_checkin"

// Check-in states shown in listings (wire.Submission.Checkin).
const (
	CheckinStateArmed  = "armed"
	CheckinStateMissed = "missed"
)
