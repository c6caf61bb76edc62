// Package bundle defines the plaintext that a difesa client age-encrypts
// for a hub: a small tar archive holding envelope.json, an optional
// report.json and attachments under files/, followed by zero padding.
//
// It exists so that the client and the hub agree on one format that is
// both strict and boring: boring so that a responder without difesa can
// still run `age -d -i key.txt sub.age | tar x` and read a report, strict
// so that a hostile plaintext cannot hurt the hub that opens it.
// docs/bundle.md describes the format byte by byte.
//
// # Format
//
// [Write] produces a POSIX ustar archive (PAX only for names that need
// it) with deterministic headers: mode 0600, modification time 0, no user
// or group. envelope.json comes first, report.json second if present, then
// files/NAME for each attachment. After the two zero blocks that end the
// archive come zero bytes up to the [Padme] length of the archive, so that
// the ciphertext size reveals little more than the order of magnitude of
// the bundle. Tar readers stop at the end-of-archive marker and never see
// the padding.
//
// # Threat model
//
// Anyone can encrypt to a hub's public key, so [Read] treats a plaintext as
// written by an attacker. It refuses absolute paths, "..", backslashes, NUL
// and control characters, links, devices, FIFOs, directories other than
// files/, nested or duplicate attachment names, entries and sizes over
// [Limits], malformed or oversized JSON, unknown versions and kinds,
// archives without an end-of-archive marker, and any non-zero byte (or too
// much padding) after the end of the archive. It never writes anything
// itself: attachments go to a [Sink], and [DirSink] creates files only
// inside one directory, with O_EXCL, never following or replacing what is
// there.
//
// A plaintext whose first 512 bytes are not a tar header at all is not an
// error: it is someone using stock age on a text file, and comes back as
// [Opened.Message]. A tar archive that is not a bundle is an error.
//
// # Caveats
//
// Read streams: when it fails, the sink may already hold some attachments.
// Extract into a fresh directory and delete it on error.
//
// Every string in an [Opened] (report fields, attachment names, messages)
// comes from a stranger and may hold terminal escape sequences or
// bidirectional-override characters; clean it before display. Category is
// checked only for shape, not against [Categories], so that a hub can
// read reports from a newer client; use [CategoryTitle] to show it.
//
// Padding hides the exact size, not the magnitude: a 10 MiB video is still
// distinguishable from a one-line check-in.
package bundle
