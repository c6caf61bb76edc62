package wire

// Proof of work, asked of anonymous uploads only while the server is under
// load (docs/pow.md).
const (
	// HeaderPoW carries a solved challenge on an upload:
	// "<challenge> <nonce>".
	HeaderPoW = "Difesa-PoW"

	// CodePoWRequired answers an upload without HeaderPoW while work is
	// asked for: 429, with a challenge in [ErrorBody.PoW]. Solve it and
	// send the upload again.
	CodePoWRequired = "pow_required"
	// CodePoWInvalid answers an upload whose HeaderPoW is malformed,
	// forged, for another hub, expired, too easy, wrong or already used:
	// 429, with a fresh challenge in [ErrorBody.PoW].
	CodePoWInvalid = "pow_invalid"
)

// PoW answers GET /api/v1/hubs/{hub}/pow, and rides along with
// [CodePoWRequired] and [CodePoWInvalid]. Difficulty 0 means no work is
// asked for now, and then there is no challenge.
type PoW struct {
	// Difficulty is the number of leading zero bits the solution's hash
	// needs; the challenge says the same in its fourth field.
	Difficulty int    `json:"difficulty"`
	Challenge  string `json:"challenge,omitempty"`
	// ExpiresIn is the challenge's life in seconds.
	ExpiresIn int `json:"expires_in,omitempty"`
}
