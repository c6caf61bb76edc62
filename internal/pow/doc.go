// Package pow asks uploads for a small proof of work, and only while the
// server is under load: a price on floods that costs a defender a few
// seconds at worst, paid in the browser in plain JavaScript.
//
// Behind a Tor onion service every client arrives from the same address,
// so the server cannot tell a defender from a script by where they come
// from. What it can do, when uploads pile up, is ask each new one to carry
// work that takes a browser a moment and a flood a CPU per few hundred
// uploads a second. docs/pow.md is the specification: the wire format, the
// hash, the difficulty steps, measured solve times, and the test vectors
// (docs/vectors/pow.json) that the Go code and web/src/pow.js both check.
//
// A [Gate] holds it together: it measures the load ([Gate.Started]), turns
// it into a difficulty in bits with a [Policy] ([Gate.Bits]), issues
// challenges ([Gate.Challenge]) and redeems solutions ([Gate.Redeem]).
// Clients call [Solve].
//
// # The challenge
//
// A challenge is text the server MACs, so that it keeps no state until a
// solution comes back:
//
//	v1.<hub>.<expiry, unix seconds>.<bits>.<16 random bytes, base64url>.<HMAC-SHA256, base64url>
//
// A solution is a nonce of 8 bytes (16 lowercase hex digits) such that
// SHA-256(SHA-256(challenge) || nonce) starts with at least bits zero bits.
// The inner hash is computed once; each try is then a single SHA-256
// block, which keeps the JavaScript solver small and as fast as it can be.
//
// # Threat model
//
//   - Challenges cannot be forged: the MAC key is 32 random bytes made at
//     start and kept in memory only. Restarting the server invalidates
//     every outstanding challenge, which is harmless since they live two
//     minutes.
//   - A challenge names its hub, expires, and is redeemed once: the gate
//     remembers redeemed challenges until they expire. That memory is
//     bounded ([DefaultMaxSpent]); when it is full the gate refuses
//     solutions ([ErrBusy]) rather than forget one, so a replay is never
//     admitted.
//   - Verification costs one HMAC and, for a genuine challenge, two
//     SHA-256: far less than issuing work costs a client.
//   - Nothing about the client is kept: no address, no time beyond the
//     challenge's own expiry, which the client was given.
//
// # Caveats
//
//   - Native code hashes a hundred to a thousand times faster than
//     JavaScript without JIT (Tor Browser's Safer level). A difficulty a
//     defender's browser solves in two seconds costs a native attacker
//     milliseconds: the work slows a flood down and makes it cost CPU; it
//     does not stop one. Quotas and concurrency caps are what bound the
//     damage; the work only raises the price of reaching them.
//   - Uploads through the form without JavaScript cannot do the work.
//     While work is asked for they share a small reserved rate
//     ([Policy.FormsPerMinute]), which a flood through the form can use
//     up: then those defenders wait.
package pow
