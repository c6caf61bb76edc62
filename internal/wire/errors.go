package wire

import "fmt"

// Error is the body of every non-2xx answer of the API:
//
//	{"error": {"code": "too_large", "message": "…"}}
//
// Code is stable and meant for programs; Message is for humans and may change.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Status is the HTTP status the error was (or will be) sent with.
	Status int `json:"-"`
}

// ErrorBody wraps an [Error] on the wire.
type ErrorBody struct {
	Error *Error `json:"error"`
	// PoW is a fresh challenge, with [CodePoWRequired] and [CodePoWInvalid].
	PoW *PoW `json:"pow,omitempty"`
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s (%d %s)", e.Message, e.Status, e.Code)
	}
	return fmt.Sprintf("%s (%s)", e.Message, e.Code)
}

// Is lets errors.Is match API errors by code, so callers can write
// errors.Is(err, &wire.Error{Code: wire.CodeTooLarge}).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Stable error codes. Adding one is fine; changing one breaks clients.
const (
	CodeBadRequest        = "bad_request"        // 400 malformed request
	CodeBadAgeHeader      = "bad_age_header"     // 400 not a well-formed age header
	CodeBadArmor          = "bad_armor"          // 400 broken ASCII armor
	CodeBadPayload        = "bad_payload"        // 400 payload framing impossible for age
	CodeBadCursor         = "bad_cursor"         // 400 malformed listing cursor, or one the hub has not reached
	CodeUnauthorized      = "unauthorized"       // 401 missing, expired or unknown token
	CodeForbidden         = "forbidden"          // 403 authenticated but not allowed
	CodeNotFound          = "not_found"          // 404 unknown hub, submission or route
	CodeMethodNotAllowed  = "method_not_allowed" // 405
	CodeTooLarge          = "too_large"          // 413 body over the hub's limit
	CodeUnsupportedType   = "unsupported_media"  // 415 wrong Content-Type
	CodeRecipientMismatch = "recipient_mismatch" // 422 stanzas do not match the hub's recipients
	CodeBadChallenge      = "bad_challenge"      // 422 wrong, used or expired login challenge
	CodeTooManyRequests   = "too_many_requests"  // 429 limit reached; see Retry-After
	CodeInternal          = "internal"           // 500 nothing more is said
	CodeUnavailable       = "unavailable"        // 503 overloaded or shutting down; see Retry-After
	CodeStorageFull       = "storage_full"       // 507 the server's disk is full
)
