// Package desk is the responder's desk: a web application that the difesa
// binary serves on 127.0.0.1 to the responder's own browser. Reports are
// decrypted in the Go process (package casebook) with the responder's
// identity; the hub keeps ciphertext only, and the browser gets plaintext
// over loopback only.
//
// # Threat model
//
// The desk protects a responder's decrypted reports from other web pages in
// the same browser, from other users of the same computer who can make HTTP
// requests to loopback, from DNS rebinding, and from the reports themselves:
//
//   - It listens on 127.0.0.1 on a random port. Every request must carry
//     Host exactly 127.0.0.1:PORT (421 otherwise).
//   - The printed address carries a one-time 256-bit secret, exchanged once
//     (constant-time comparison, then invalid) for a session cookie that is
//     random, HttpOnly, SameSite=Strict and held in memory only.
//   - A request that changes anything needs the session, an Origin (or
//     Sec-Fetch-Site) of the desk itself, and the session's CSRF token.
//   - Every report is hostile, and so is the case work colleagues share
//     (labels, notes, sub-statuses, assignees come from the hub's other
//     responders, through the hub): pages are html/template, with a strict CSP
//     (no inline script or style, nothing from elsewhere), no-store,
//     no referrer, nosniff. Images are shown only as re-encoded by
//     internal/media; every other file, and every original, is only a
//     download (Content-Disposition: attachment, CSP sandbox).
//   - Nothing of a report is left in the browser's files: every answer is
//     no-store, fields with plaintext have autofill off, a search's words
//     stay in the desk's memory under a random token (never in an address
//     or a posted page the browser's history and session files keep), and
//     a failed post answers with a redirect to its error page.
//
// # Caveats
//
// The desk does not protect against malware running as the responder, nor
// against someone who can read the responder's files and process memory:
// they have the identity.
package desk
