package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Restricted cases (docs/api.md, "Restricted cases"): a responder may
// restrict a case (a submission, its conversation and its case record) to
// some of the hub's responders, named by their age recipient keys, the
// one thing a responder's token is bound to. The server stores that list
// beside the submission and refuses everything of the case to tokens of
// other responders with 404 [CodeRestricted].

// Restriction is what GET and PUT …/submissions/ID/restriction answer.
type Restriction struct {
	// Version counts the restriction's changes (setting, changing and
	// lifting it): 0 while it was never set. A change names the version it
	// replaces with If-Match, as case records do.
	Version uint64 `json:"version"`
	// Keys are the recipients (age1… strings) the case is restricted to,
	// sorted; empty when the case is not restricted.
	Keys []string `json:"keys"`
	// Updated is the hour of the last change, RFC 3339 UTC, or "".
	Updated string `json:"updated,omitempty"`
}

// RestrictionChange is the body of PUT …/submissions/ID/restriction: the
// keys the case is to be restricted to. Lifting a restriction is
// DELETE …/restriction.
type RestrictionChange struct {
	Keys []string `json:"keys"`
}

// Limits of a restriction.
const (
	// MaxRestrictionKeys is the most keys a restriction names, as many as
	// a manifest lists.
	MaxRestrictionKeys = 64
	// MaxRecipientKeySize bounds one key (a post-quantum age1pq1…
	// recipient is about 2,000 characters).
	MaxRecipientKeySize = 4096
	// MaxRestrictionSize bounds the JSON body of a change.
	MaxRestrictionSize = 320 << 10
)

// Error codes of restricted cases.
const (
	// CodeRestricted (404) answers a responder outside a case's
	// restriction, for the case's submission, its conversation and its
	// messages, its case record and its restriction.
	CodeRestricted = "restricted"
	// CodeBadRestriction (400) refuses a restriction change: no keys, too
	// many, a key twice, a key that is not one of the hub's current
	// recipients, or a list without the responder who sends it.
	CodeBadRestriction = "bad_restriction"
)

// ErrBadRestriction is matched by every error of [ParseRestrictionChange].
var ErrBadRestriction = errors.New("bad restriction")

// ParseRestrictionChange decodes the body of a restriction change
// strictly (one JSON object with exactly the member "keys", nothing
// after it, at most [MaxRestrictionSize] bytes) and checks its keys: 1 to
// [MaxRestrictionKeys] of them, each an "age1…" string of at most
// [MaxRecipientKeySize] bytes without spaces, none twice. Whether each is
// one of the hub's recipients is the server's check. The keys come back
// sorted.
func ParseRestrictionChange(data []byte) ([]string, error) {
	if len(data) > MaxRestrictionSize {
		return nil, fmt.Errorf("%w: the body is over %d bytes", ErrBadRestriction, MaxRestrictionSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var keys []string
	found := false
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", ErrBadRestriction)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: malformed JSON: %v", ErrBadRestriction, err)
		}
		if name, _ := t.(string); name != "keys" {
			return nil, fmt.Errorf("%w: unknown member %q (only \"keys\")", ErrBadRestriction, t)
		}
		if found {
			return nil, fmt.Errorf("%w: \"keys\" given twice", ErrBadRestriction)
		}
		found = true
		if err := dec.Decode(&keys); err != nil {
			return nil, fmt.Errorf("%w: \"keys\" must be a list of strings: %v", ErrBadRestriction, err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, fmt.Errorf("%w: malformed JSON: %v", ErrBadRestriction, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrBadRestriction)
	}
	if !found || keys == nil {
		return nil, fmt.Errorf("%w: no \"keys\": name the responders' keys (to lift a restriction, DELETE it)", ErrBadRestriction)
	}
	return CheckRestrictionKeys(keys)
}

// CheckRestrictionKeys checks a list of keys as [ParseRestrictionChange]
// does and returns a sorted copy.
func CheckRestrictionKeys(keys []string) ([]string, error) {
	switch {
	case len(keys) == 0:
		return nil, fmt.Errorf("%w: the list of keys is empty: name at least one responder (to lift a restriction, DELETE it)", ErrBadRestriction)
	case len(keys) > MaxRestrictionKeys:
		return nil, fmt.Errorf("%w: %d keys, more than %d", ErrBadRestriction, len(keys), MaxRestrictionKeys)
	}
	out := make([]string, 0, len(keys))
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		switch {
		case len(k) > MaxRecipientKeySize:
			return nil, fmt.Errorf("%w: key #%d is over %d bytes", ErrBadRestriction, i+1, MaxRecipientKeySize)
		case !strings.HasPrefix(k, "age1") || strings.ContainsFunc(k, notKeyRune):
			return nil, fmt.Errorf("%w: key #%d is not an age recipient (age1…)", ErrBadRestriction, i+1)
		case seen[k]:
			return nil, fmt.Errorf("%w: key #%d is listed twice", ErrBadRestriction, i+1)
		}
		seen[k] = true
		out = append(out, k)
	}
	slices.Sort(out)
	return out, nil
}

// notKeyRune reports a rune that no age recipient string holds (they are
// lowercase Bech32).
func notKeyRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
}
