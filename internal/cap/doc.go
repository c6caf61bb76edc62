// Package cap reads and writes the hub bulletins difesa publishes: OASIS
// Common Alerting Protocol 1.2 documents.
//
// A bulletin is signed by the hub's admin key over its exact bytes and
// served exactly as published, so everything that reads one — the server
// before storing it, the defender's client before showing it — runs the
// same strict [Check] first: the XML must survive a round trip through
// encoding/xml unchanged (github.com/mattermost/xml-roundtrip-validator),
// must not use DOCTYPE, entities or processing instructions, and must be a
// CAP 1.2 alert in the subset difesa supports. Everything [Check] accepts
// is valid against the official CAP 1.2 XML schema; what the schema allows
// but difesa does not use (resources, digital signatures inside the
// document, extension elements) is refused with a clear error rather than
// passed through unchecked.
package cap
