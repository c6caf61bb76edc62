// Package manifest signs and checks a hub's recipient list, so that a
// compromised server cannot slip its own key into the keys defenders
// encrypt their reports to.
//
// difesa's server holds no secret key, and that is its main protection: a
// seized or hacked server reveals no report. But the server also tells
// clients which age recipients to encrypt to. If it could change that list
// unnoticed, an attacker controlling it would add a key of their own and
// read every new report. So the list is a manifest signed by the hub's
// admin key (Ed25519), whose secret half lives only on the administrator's
// machine; clients know the public key, and refuse a list it did not sign.
//
// A manifest is a short, strict text document (see docs/manifest.md for the
// grammar and a test vector):
//
//	difesa-manifest/v1
//	hub: it
//	epoch: 2
//	issued: 2026-11-23
//	previous: <hex SHA-256 of the epoch 1 manifest's bytes>
//	recipient: age1pq1… responder Legal desk
//	recipient: age1pq1… admin Maria Rossi
//
// Manifests form a hash chain: epoch n+1 names the hash of epoch n, and
// clients accept only epoch 1 to start ([CheckFirst]) and then exactly the
// next epoch with the right previous hash ([CheckSuccessor]). The admin
// builds the next manifest with [Next], signs it with [Sign] on their own
// machine, and uploads the [Signed] transport form.
//
// # Threat model
//
// The server, the network and anyone between them are untrusted; the admin
// key's secret and the client's copy of the admin public key are trusted.
// Against an attacker who controls the server, the package guarantees:
//
//   - No forged list: a manifest not signed by the admin key is refused
//     ([ErrBadSignature]). The signature covers the exact bytes; [Parse]
//     accepts one spelling per manifest (it accepts bytes only if
//     [Manifest.Marshal] reproduces them), so what is verified is what is
//     used, and a JavaScript client that implements the same grammar
//     decodes the same list.
//   - No rollback or replay: a client that knows epoch n accepts only epoch
//     n+1 ([ErrEpochNotNext]). An old manifest listing a key the admin has
//     since removed (a lost laptop, a responder who left) cannot be served
//     again to a client that has seen the newer one.
//   - No gaps: epochs must follow one by one. A client shown epoch n+2
//     without n+1 could not check that n+2's previous hash is right, nor
//     see what n+1 contained; the server must serve every link.
//   - No fork: two different manifests for the same epoch cannot both
//     chain to what a client knows ([ErrBrokenChain]).
//   - No cross-hub substitution: one admin key may sign several hubs; a
//     manifest names its hub and is refused for another ([ErrWrongHub]).
//   - No cross-protocol signature: every manifest starts with the line
//     "difesa-manifest/v1", and Ed25519 signs the whole message, so a
//     signature by the admin key over anything else it might sign later
//     (CAP XML bulletins start with "<?xml" or "<alert") is never a valid
//     manifest signature, and the reverse. Any future format signed with
//     the same key must start with its own, different, first line.
//   - No secret leaks: a secret key pasted where a public one belongs (age
//     identity as a recipient, admin secret key as the admin public key) is
//     refused without being repeated in the error.
//
// # Caveats
//
//   - Trust on first use. The admin public key must reach the client
//     through a channel the server does not control, or be compared with
//     the administrator by its [PublicKey.Fingerprint]. A client that takes
//     the key from the server gets no protection.
//   - Freezing. A server can keep serving an old, validly signed manifest
//     to a client that has never seen a newer one, or withhold the next
//     one: the chain proves order, not freshness. The issued date is
//     informative and not checked against the clock or the previous
//     manifest. Clients should show the epoch and date, and responders
//     should learn the current epoch out of band.
//   - A new client must walk the chain from epoch 1; a server that has lost
//     early manifests cannot onboard clients.
//   - The admin key is a single point of trust and this version has no
//     rotation: a new admin key starts a new chain, distributed out of band.
//   - [Next] has no key and does not verify its input. The admin tool must
//     build on a manifest it verified, or it will sign whatever the server
//     put in it.
//   - The signature is not bound to the chain: previous hashes the manifest
//     bytes only. Go's Ed25519 refuses malleated signatures anyway.
//   - Labels are any printable Unicode ([unicode.IsPrint]); they are not
//     normalised, and two labels can look alike. The key, not the label,
//     identifies a recipient. Implementations on another Unicode version
//     may disagree on newly assigned characters; they then refuse a
//     manifest Go accepts (failing closed).
//   - MaxSize (64 KiB) holds 64 classic recipients but only about 32
//     post-quantum ones, whose keys are 1,959 characters long.
package manifest
