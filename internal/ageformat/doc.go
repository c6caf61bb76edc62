// Package ageformat checks, without any key, that an upload is a well-formed
// age file addressed to the hub's recipients.
//
// difesa's server receives age-encrypted reports from human-rights defenders
// but holds no secret key: the keys live with the people who read the
// reports, offline. So the server cannot decrypt what it stores, and
// without this package it would store whatever bytes anyone sends. That
// matters because a report that the readers later find corrupt, truncated,
// passphrase-encrypted or addressed to the wrong key is a report lost, found
// out too late for the defender to send it again; and because a hub that
// stores arbitrary bytes is a free, anonymous file drop.
//
// [NewReader] parses the header with age's own parser (through
// [filippo.io/age.ExtractHeader] and [filippo.io/age.DecryptHeader]), so
// there is no second, looser grammar to drift from age's; it requires the
// canonical encoding age produces, applies the stanza checks age applies
// before unwrapping (argument count and length, body length, low-order
// X25519 shares), and streams the rest of the file while checking that its
// size is possible for age's STREAM payload. [CheckRecipients] then checks
// that the stanzas are exactly the ones the hub's recipients produce.
// Nothing here does any cryptographic operation.
//
// # Threat model
//
// The uploader is anonymous and untrusted, and may send any bytes, of any
// length, as slowly as it likes. Against that, the package guarantees:
//
//   - Bounded work and memory: at most [MaxHeaderSize] plus a few KiB is
//     read and held before the header is accepted or refused, and the
//     payload is streamed, never buffered. Every check is linear in the
//     input; there is no KDF, no public-key operation.
//   - No parser differential with age: an accepted header is one age parses
//     to the same stanzas, and the bytes the [Reader] yields are the binary
//     file age would read (de-armored if the upload was armored), so the
//     readers' age decrypts exactly what was checked.
//   - Every refusal wraps a sentinel ([ErrBadHeader], [ErrBadArmor],
//     [ErrBadPayload], [ErrRecipientMismatch]) so it can be answered with a
//     stable error code; failures of the underlying reader wrap none.
//
// # Caveats
//
// Without a key, some failures cannot be seen. A file that passes here can
// still fail to decrypt, and the readers' client must treat that as a
// possible attack, not a bug:
//
//   - Stanzas are not bound to recipients. X25519 and mlkem768x25519 stanzas
//     carry ephemeral shares, so a file encrypted to someone else's keys of
//     the same types and number passes [CheckRecipients]. The ML-KEM
//     ciphertext cannot be checked at all: decapsulation accepts any 1,088
//     bytes (implicit rejection).
//   - The header MAC needs the file key; a tampered header with a stale MAC
//     passes.
//   - The payload's authentication tags, and which chunk carries the
//     last-chunk flag (it is mixed into the nonce), need the file key. A
//     payload of random bytes with a possible size passes, as do files whose
//     final chunk is missing or duplicated, or that carry trailing garbage
//     shaped like a chunk. So a valid header followed by arbitrary bytes is
//     accepted: this package bounds what can be stored, it does not make the
//     hub useless as a file drop for someone willing to wrap data in an age
//     header. Quotas, not format checks, are the answer to that.
//   - X25519 shares are accepted in every encoding age accepts, including
//     non-canonical ones (bit 255 set, or u ≥ 2^255-19) that age's encryption
//     never produces, as long as they are not low-order.
//   - The [Reader] only vouches for the file once Read has returned io.EOF;
//     a caller that commits the upload before that stores an unchecked file.
//
// docs/age-validation.md lists the age test vectors (c2sp.org/CCTV/age) that
// pass these checks although age would refuse them, and why.
package ageformat
