// Package codename turns a defender's codename into the keys of their
// thread at a hub, so that a defender can hear back and add follow-ups
// without an account.
//
// At the first submission the defender's side makes a codename with
// [Generate]: seven words of the EFF Large Wordlist less a denylist
// (denylist.txt: words that hurt or endanger the person who writes them
// down), about 90.1 bits of entropy, to write down. Whenever the defender comes back, [Parse] reads
// the codename as typed (case, accents and separators do not matter) and
// [Derive] computes, for that hub, the same [Keys] every time:
//
//   - a post-quantum hybrid age identity (AGE-SECRET-KEY-PQ-1…), whose
//     recipient (age1pq1…) the hub's readers encrypt replies to;
//   - a 32-byte thread token that the defender presents to the hub, as
//     [TokenString];
//   - the token's verifier, [TokenVerifier], the only value the hub stores.
//
// The web pages do the same in JavaScript (web/src/codename.js); the
// vectors in docs/vectors/codename.json hold the two together.
// docs/codename.md is the specification: normalisation rules, byte
// layouts, and why Argon2id with these parameters.
//
// # Threat model
//
// The codename is the defender's only credential and the root of the keys
// that decrypt replies. So:
//
//   - It is made on the defender's side, from [crypto/rand], never by the
//     hub, and never leaves the defender's device: the hub sees the
//     recipient, the token and, stored, the verifier.
//   - Guessing it is hopeless: about 2^89 derivations on average. Each one
//     runs Argon2id, so that someone holding a copy of the hub's database
//     (the verifiers) cannot test codenames offline cheaply; the entropy,
//     not the KDF, is what makes that attack fail.
//   - Derivation is domain-separated per hub: the same codename at two
//     hubs gives unrelated keys and tokens, so hubs cannot link a defender
//     who uses one codename at both.
//   - Errors never repeat the codename, or any word of it; a [Codename]
//     hides itself from [log/slog].
//
// # Caveats
//
//   - Anyone who has the codename can read the replies and write as the
//     defender. Losing it loses the thread: there is no recovery.
//   - A codename a person picks is not a generated one: its entropy is
//     whatever they chose. Nothing can tell the two apart, so the pages
//     must only ever offer generated codenames.
//   - [Parse] does not correct typing mistakes. A mistake that spells
//     another word of the list gives a different codename, whose thread
//     does not exist.
//   - "yoyo" and "yo-yo" are two distinct words of the list.
//   - [Derive] costs 4 MiB and about 6 ms in Go, seconds in a browser
//     without a JIT: it belongs on the defender's side, never in a request
//     handler of the hub.
package codename
