package cap

import (
	"bytes"
	"errors"

	xrv "github.com/mattermost/xml-roundtrip-validator"
)

// Check validates doc and returns the alert it holds. It refuses, with an
// [*Error], anything that is not exactly a CAP 1.2 alert difesa supports.
// It does not know about hubs: the sender, identifier uniqueness and
// references are the caller's to check.
//
// The checks run in this order, and the first refusal is returned:
//
//  1. size: more than [MaxSize] bytes is [CodeTooLarge], before anything
//     is parsed;
//  2. round trip: the XML must survive a round trip through encoding/xml
//     unchanged, as github.com/mattermost/xml-roundtrip-validator checks
//     ([CodeAmbiguous]; input it cannot even tokenize is [CodeMalformed]);
//  3. tokens: a strict encoding/xml pass over UTF-8 only, refusing a byte
//     order mark, any XML declaration but version 1.0 and encoding UTF-8,
//     DOCTYPE and every other <!…> declaration, comments, CDATA sections and
//     processing instructions ([CodeForbidden]), and input that is not
//     well-formed ([CodeMalformed]);
//  4. CAP: the root, namespaces and attributes ([CodeNamespace]), each
//     element's sequence ([CodeMissing], [CodeUnexpected]), and each value
//     ([CodeBadValue], [CodeBadTime]), then the rules tying elements
//     together.
func Check(doc []byte) (*Alert, error) {
	if len(doc) > MaxSize {
		return nil, errorf(CodeTooLarge, "%d bytes, over the limit of %d", len(doc), MaxSize)
	}
	if err := xrv.Validate(bytes.NewReader(doc)); err != nil {
		var rt xrv.XMLValidationError
		if errors.As(err, &rt) {
			return nil, errorf(CodeAmbiguous, "line %d, column %d: markup that encoding/xml does not read back unchanged", rt.Line, rt.Column)
		}
		return nil, malformed(err)
	}
	root, err := readTree(doc)
	if err != nil {
		return nil, err
	}
	return decodeAlert(root)
}
