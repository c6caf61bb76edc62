package form

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Parse decodes a form's signed bytes: at most [MaxSize], valid UTF-8,
// strict JSON (no duplicate or unknown member), every rule of
// docs/forms.md, and in canonical form — the bytes must equal
// [Form.Marshal] of what was decoded, so there is one spelling of each
// form. Use [Decode] for a form an admin wrote by hand.
func Parse(b []byte) (*Form, error) {
	f, err := Decode(b)
	if err != nil {
		return nil, err
	}
	canon, err := f.Marshal()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(canon, b) {
		return nil, fmt.Errorf("%w: not in canonical form (sign it with \"difesa admin form sign\")", ErrInvalid)
	}
	return f, nil
}

// Decode decodes a form written in any JSON layout (white space, member
// order), with every rule of [Parse] but the canonical encoding. The admin
// tool uses it on the source file, then signs [Form.Marshal].
func Decode(b []byte) (*Form, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: the form is %d bytes, at most %d", ErrTooLarge, len(b), MaxSize)
	}
	var f Form
	if err := decodeStrict(b, &f, formMembers); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// formMembers are the member names of a form's JSON objects.
var formMembers = []string{"format", "hub", "id", "version", "languages", "title", "help", "fields",
	"type", "required", "label", "code", "choices", "show_if", "max_length", "field", "values"}

// decodeStrict decodes JSON bytes into v, refusing invalid UTF-8, nesting
// deeper than [MaxDepth], duplicate members, members in another case than
// v's, unknown members and anything after the value.
func decodeStrict(b []byte, v any, names []string) error {
	if !utf8.Valid(b) {
		return errors.New("not valid UTF-8")
	}
	if err := checkMembers(b, names); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("data after the JSON value")
	}
	return nil
}

// checkMembers walks the JSON tokens of b: no object has a member twice,
// no member is spelled in another case than one of names (encoding/json
// would match it case-insensitively), and nothing nests deeper than
// MaxDepth.
func checkMembers(b []byte, names []string) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		obj   bool
		key   bool // the next string token is a member name
		names map[string]bool
	}
	var stack []*frame
	for {
		t, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("invalid JSON: %v", err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.key {
			if d, ok := t.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].obj {
					stack[len(stack)-1].key = true
				}
				continue
			}
			name := t.(string)
			if top.names[name] {
				return fmt.Errorf("member %q appears twice", truncate(name))
			}
			top.names[name] = true
			for _, n := range names {
				if name != n && strings.EqualFold(name, n) {
					return fmt.Errorf("member %q is spelled %q", n, truncate(name))
				}
			}
			top.key = false
			continue
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= MaxDepth {
				return fmt.Errorf("nested deeper than %d", MaxDepth)
			}
			stack = append(stack, &frame{obj: t == json.Delim('{'), key: true, names: map[string]bool{}})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].key = true
		}
	}
}

// Marshal returns the canonical bytes of f, after checking every rule:
// compact JSON, members in the order of [Form]'s fields, language maps
// sorted by tag, no HTML escaping, no final newline.
func (f *Form) Marshal() ([]byte, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	return marshalCanonical(f)
}

func marshalCanonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Hash returns the hex SHA-256 of a form's signed bytes, which identifies
// the version in answers.
func Hash(formBytes []byte) string {
	h := sha256.Sum256(formBytes)
	return hex.EncodeToString(h[:])
}

// truncate shortens hostile text for an error message.
func truncate(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
