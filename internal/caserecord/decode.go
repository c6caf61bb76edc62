package caserecord

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Parse reads a case record strictly: one JSON object of the format, no
// unknown or duplicate members, nothing after it, within the limits, and
// valid by [Record.Validate].
func Parse(b []byte) (*Record, error) {
	if len(b) > MaxRecordSize {
		return nil, fmt.Errorf("%w: %d bytes, over the %d of a case record", ErrTooLarge, len(b), MaxRecordSize)
	}
	var r Record
	if err := strictDecode(b, &r); err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// ParseHub reads a hub record as strictly as [Parse] reads a case record.
func ParseHub(b []byte) (*Hub, error) {
	if len(b) > MaxHubRecordSize {
		return nil, fmt.Errorf("%w: %d bytes, over the %d of a hub record", ErrTooLarge, len(b), MaxHubRecordSize)
	}
	var h Hub
	if err := strictDecode(b, &h); err != nil {
		return nil, err
	}
	if err := h.Validate(); err != nil {
		return nil, err
	}
	return &h, nil
}

func strictDecode(b []byte, v any) error {
	if err := checkDuplicates(b); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the record", ErrMalformed)
	}
	return nil
}

// checkDuplicates refuses an object with the same member twice at any
// depth (encoding/json would keep the last one silently), and nesting
// deeper than the format has.
func checkDuplicates(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		object bool
		seen   map[string]bool
		key    bool // the next string token is a member name
	}
	var stack []*frame
	for {
		t, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if name, ok := t.(string); ok && top != nil && top.object && top.key {
			if top.seen[name] {
				return fmt.Errorf("%w: member %q appears twice", ErrMalformed, name)
			}
			top.seen[name] = true
			top.key = false
			continue
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= 4 {
				return fmt.Errorf("%w: nested too deep", ErrMalformed)
			}
			stack = append(stack, &frame{object: t == json.Delim('{'), seen: map[string]bool{}, key: t == json.Delim('{')})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true
		}
	}
}
