// Package caserestrict holds the steps of restricting a case to some of
// a hub's responders and of lifting a restriction (docs/case-record.md,
// "Restricted cases"), shared by the CLI ("difesa case restrict",
// "difesa case unrestrict") and the desk: tell the hub first ([Apply]),
// so that it refuses the case to the others at once, then encrypt every
// blob of the case again to its responders, or to the whole hub
// ([Reencrypt]): the submission, each message of its conversation, its
// case record. A stop half-way leaves some blobs encrypted as before;
// the same steps run again finish, looking only at what is not yet as it
// should be.
//
// # Caveats
//
// The caller verifies the hub's recipient list and chooses the keys from
// it; [caseedit.RestrictionRecipients] turns a restriction into the
// recipients. Plaintext flows through memory and pipes only, never to
// disk; a replaced ciphertext is kept in a temporary file (mode 0600)
// while it is decrypted.
package caserestrict
