package pow

import "errors"

// Every refusal of [Gate.Redeem] and [Issuer.Redeem] wraps exactly one of
// these, so that callers can tell them apart with [errors.Is].
var (
	// ErrMalformed means the proof of work is not "<challenge> <nonce>" in
	// the exact format of docs/pow.md, or is longer than [MaxHeaderLen].
	ErrMalformed = errors.New("pow: malformed proof of work")

	// ErrForged means the challenge was not issued by this server (or by
	// this run of it: the key changes at every start).
	ErrForged = errors.New("pow: challenge not issued by this server")

	// ErrWrongHub means the challenge was issued for another hub.
	ErrWrongHub = errors.New("pow: challenge issued for another hub")

	// ErrExpired means the challenge's time is up.
	ErrExpired = errors.New("pow: challenge expired")

	// ErrTooEasy means the challenge asks for less work than the server
	// now does.
	ErrTooEasy = errors.New("pow: challenge easier than the current difficulty")

	// ErrWrongSolution means the nonce does not solve the challenge.
	ErrWrongSolution = errors.New("pow: nonce does not solve the challenge")

	// ErrSpent means the challenge was already redeemed.
	ErrSpent = errors.New("pow: challenge already used")

	// ErrTooHard is returned by [Solve] for a challenge that asks for
	// more than [MaxSolveBits]: no hub may ask for that much work.
	ErrTooHard = errors.New("pow: the challenge asks for more work than any hub may")

	// ErrBusy means so many challenges were redeemed lately that the server
	// cannot remember one more; it refuses rather than forget one.
	ErrBusy = errors.New("pow: too many recent solutions to remember")
)
