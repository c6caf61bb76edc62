// Package caseedit is the one edit loop of case records, shared by the
// CLI ("difesa case …") and the desk: fetch the record, decrypt it, apply
// a change, seal it to the hub's verified recipients and write it with
// the version read (compare-and-swap); when a colleague wrote first (409
// stale_version), fetch theirs, merge with [caserecord.Merge] and write
// again, a bounded number of times. No edit of either side is lost.
//
// # Caveats
//
// The caller verifies the hub's recipient list (client.VerifiedRecipients)
// and passes its recipients: this package never decides whom a record is
// encrypted to. Hours of notes and changes come from the caller, already
// coarse ([caserecord.Hour]).
package caseedit
