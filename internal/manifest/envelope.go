package manifest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// DecodeEnvelope decodes the strict transport form of a signed document
// (a manifest, a form): one JSON object with exactly the members member
// and "signature", each once, each a string of canonical padded standard
// base64, and nothing after the object. It returns both members decoded.
// Its errors wrap kind and name the document "signed "+member. It bounds
// nothing: the caller limits b and checks the members' sizes.
func DecodeEnvelope(b []byte, member string, kind error) (body, sig []byte, err error) {
	what := "signed " + member
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("%w: %s is not a JSON object", kind, what)
	}
	var haveB, haveS bool
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s: invalid JSON", kind, what)
		}
		name, _ := t.(string)
		var dst *[]byte
		var have *bool
		switch name {
		case member:
			dst, have = &body, &haveB
		case "signature":
			dst, have = &sig, &haveS
		default:
			return nil, nil, fmt.Errorf("%w: %s: unknown member %q", kind, what, truncate(name))
		}
		if *have {
			return nil, nil, fmt.Errorf("%w: %s: member %q appears twice", kind, what, name)
		}
		*have = true
		t, err = dec.Token()
		v, ok := t.(string)
		if err != nil || !ok {
			return nil, nil, fmt.Errorf("%w: %s: %s is not a string", kind, what, name)
		}
		raw, err := base64.StdEncoding.Strict().DecodeString(v)
		if err != nil || base64.StdEncoding.EncodeToString(raw) != v {
			return nil, nil, fmt.Errorf("%w: %s: %s is not canonical standard base64", kind, what, name)
		}
		*dst = raw
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, nil, fmt.Errorf("%w: %s: invalid JSON", kind, what)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%w: %s: data after the JSON object", kind, what)
	}
	if !haveB || !haveS {
		return nil, nil, fmt.Errorf("%w: %s needs both %s and signature", kind, what, member)
	}
	return body, sig, nil
}
