package cap

import (
	"errors"
	"strings"
)

// String returns r in CAP's form, "sender,identifier,sent".
func (r Reference) String() string {
	return r.Sender + "," + r.Identifier + "," + r.Sent
}

// ParseReferences parses the text of CAP's references element: one or more
// "sender,identifier,sent" triplets, separated by single spaces (CAP allows
// any white space; difesa requires one spelling). Each sender and
// identifier must be valid as such, and each sent a CAP date-time. Errors
// are [*Error]s with [CodeBadValue], or [CodeBadTime] for a bad sent.
func ParseReferences(s string) ([]Reference, error) {
	var refs []Reference
	for i, triplet := range strings.Split(s, " ") {
		parts := strings.Split(triplet, ",")
		if len(parts) != 3 {
			return nil, errorf(CodeBadValue, "reference %d: %s is not \"sender,identifier,sent\" (references are separated by single spaces)", i+1, excerpt(triplet))
		}
		r := Reference{Sender: parts[0], Identifier: parts[1], Sent: parts[2]}
		if reason := badIdentifier(r.Sender); reason != "" {
			return nil, errorf(CodeBadValue, "reference %d: sender: %s", i+1, reason)
		}
		if reason := badIdentifier(r.Identifier); reason != "" {
			return nil, errorf(CodeBadValue, "reference %d: identifier: %s", i+1, reason)
		}
		if _, reason := parseTime(r.Sent); reason != "" {
			return nil, errorf(CodeBadTime, "reference %d: sent: %s: %s", i+1, excerpt(r.Sent), reason)
		}
		refs = append(refs, r)
	}
	return refs, nil
}

// formatReferences returns refs as the text of a references element.
func formatReferences(refs []Reference) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.String()
	}
	return strings.Join(parts, " ")
}

// references returns n's references.
func references(path string, n *node) ([]Reference, error) {
	s, err := leaf(path, n)
	if err != nil {
		return nil, err
	}
	refs, err := ParseReferences(s)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, &Error{Code: e.Code, Detail: path + ": " + e.Detail}
		}
		return nil, err
	}
	return refs, nil
}
