// Package form is the definition of the report forms a hub designs: which
// questions a defender is asked, in which languages, with which choices and
// under which conditions. A form is signed by the hub's offline admin key
// (like manifests and bulletins), so that a server that has been taken
// over cannot rewrite the questions: a form that slips in "your name and
// home address" is refused by the defender's own client, because the admin
// key never signed it.
//
// The format is documented in docs/forms.md, with test vectors in
// docs/vectors/forms.json.
//
// # Canonical bytes
//
// A form is JSON, but what the admin signs is one canonical encoding of it
// ([Form.Marshal]): members in a fixed order, language maps sorted, no
// white space, no escapes but the ones JSON requires. [Parse] accepts bytes
// only if re-encoding what it decoded gives the same bytes, so that two
// implementations cannot read different questions from the same signed
// bytes (duplicate members, case-folded names, lone surrogates and number
// spellings are all refused that way). The SHA-256 of the signed bytes
// ([Hash]) identifies a form version; a bundle's answers name it.
//
// # Threat model
//
// The server stores forms and serves them, but only the admin key signs
// them. Clients verify the signature against the admin key they pinned,
// check that the form is for the hub they talk to, and remember the
// highest version they have seen of each form, so a server cannot roll a
// form back to an older version either. Conditions refer only to earlier
// fields, so a form cannot loop, and every list and text has a limit, so a
// hostile form costs little to refuse.
//
// # Caveats
//
// A server can withhold a newer version (freezing), as it can a manifest:
// the version a client shows is the newest it has seen, not necessarily
// the newest that exists.
package form
