// Package export writes a case out of the desk for a lawyer or a partner
// organisation: the original encrypted bundle (the evidence, as the hub
// received it), a print view in HTML and in plain text, the attachments,
// and a SHA256SUMS file that `sha256sum -c` checks. [Write] makes one tar
// archive, optionally encrypted with age to recipients or a passphrase;
// [WriteDir] makes a folder.
//
// The layout, under one folder named after the case:
//
//	case-ID/original.age         the encrypted bundle, byte for byte
//	case-ID/case.html            the print view (no script; inline CSS only)
//	case-ID/case.txt             the same, as plain text
//	case-ID/attachments/NAME     each attachment
//	case-ID/SHA256SUMS           the SHA-256 of every other file
//
// # Threat model
//
// Everything in a [Case] came from a stranger. Attachment names are made
// safe path elements (no "..", no separator, no control character, no
// device name, unique even on a case-insensitive disk), the print view is
// escaped by html/template and forbids script and remote loads with its
// own Content-Security-Policy, and the text view drops control and
// bidirectional-override characters that could disguise it. Dates are
// written as days, never precise times.
//
// # Caveats
//
// An unencrypted export is plaintext on disk: the desk says so before it
// writes one. Attachments are written as they are; opening one is the
// reader's choice, outside the export.
package export
