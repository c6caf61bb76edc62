package manifest

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"difesa.org/difesa/internal/hub"
)

// Parse decodes a manifest. It is strict: it accepts exactly the bytes
// [Manifest.Marshal] would produce for the result, and refuses anything
// else with an error wrapping [ErrMalformed]. Parse does not check a
// signature; use [Signed.Verify], [CheckFirst] or [CheckSuccessor] for
// manifests that arrive over the network.
func Parse(b []byte) (*Manifest, error) {
	if err := checkText(b); err != nil {
		return nil, err
	}
	lines := strings.Split(string(b[:len(b)-1]), "\n")
	for i, l := range lines {
		if l == "" {
			return nil, fmt.Errorf("%w: line %d is blank", ErrMalformed, i+1)
		}
	}
	if lines[0] != Header {
		if strings.HasPrefix(lines[0], "\uFEFF") {
			return nil, fmt.Errorf("%w: starts with a byte order mark", ErrMalformed)
		}
		return nil, fmt.Errorf("%w: line 1: want %q", ErrMalformed, Header)
	}
	if len(lines) < 6 {
		return nil, fmt.Errorf("%w: %d lines: want hub, epoch, issued, previous and at least one recipient", ErrMalformed, len(lines))
	}
	m := &Manifest{}
	var err error
	if m.Hub, err = field(lines, 1, "hub"); err != nil {
		return nil, err
	}
	if !hub.ValidID(m.Hub) {
		return nil, fmt.Errorf("%w: line 2: hub id %q: use 1-32 lowercase letters, digits and dashes, starting with a letter or digit", ErrMalformed, truncate(m.Hub))
	}
	epoch, err := field(lines, 2, "epoch")
	if err != nil {
		return nil, err
	}
	var ok bool
	if m.Epoch, ok = parseEpoch(epoch); !ok {
		return nil, fmt.Errorf("%w: line 3: epoch %q: want a decimal number from 1 to 2^64-1 without leading zeros", ErrMalformed, truncate(epoch))
	}
	if m.Issued, err = field(lines, 3, "issued"); err != nil {
		return nil, err
	}
	if err := checkDate(m.Issued); err != nil {
		return nil, fmt.Errorf("%w: line 4: %w", ErrMalformed, err)
	}
	prev, err := field(lines, 4, "previous")
	if err != nil {
		return nil, err
	}
	if prev == "none" {
		if m.Epoch != 1 {
			return nil, fmt.Errorf("%w: line 5: previous is none but epoch is %d: only epoch 1 starts a chain", ErrMalformed, m.Epoch)
		}
	} else {
		if !isHash(prev) {
			return nil, fmt.Errorf("%w: line 5: previous %q: want none or 64 lowercase hex digits", ErrMalformed, truncate(prev))
		}
		m.Previous = prev
	}
	if n := len(lines) - 5; n > MaxRecipients {
		return nil, fmt.Errorf("%w: %d recipients, more than %d", ErrMalformed, n, MaxRecipients)
	}
	for i := 5; i < len(lines); i++ {
		r, err := parseRecipientLine(lines, i)
		if err != nil {
			return nil, err
		}
		m.Recipients = append(m.Recipients, r)
	}
	// Every field was checked above or is checked by Marshal; comparing the
	// bytes makes sure no second spelling of a manifest slips through.
	out, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(out, b) {
		return nil, fmt.Errorf("%w: not in canonical form", ErrMalformed)
	}
	return m, nil
}

// checkText applies the byte-level rules: size, UTF-8, no secret, LF line
// endings only, a final LF, no tab, no trailing space.
func checkText(b []byte) error {
	switch {
	case len(b) == 0:
		return fmt.Errorf("%w: empty", ErrMalformed)
	case len(b) > MaxSize:
		return fmt.Errorf("%w: more than %d bytes", ErrMalformed, MaxSize)
	case !utf8.Valid(b):
		return fmt.Errorf("%w: not valid UTF-8", ErrMalformed)
	case looksSecret(string(b)):
		// Refuse before anything could echo a line.
		return fmt.Errorf("%w: %w", ErrMalformed, secretKeyError{"a public recipient (age1…)"})
	case bytes.IndexByte(b, '\r') >= 0:
		return fmt.Errorf("%w: holds a carriage return: lines end with LF only", ErrMalformed)
	case bytes.IndexByte(b, '\t') >= 0:
		return fmt.Errorf("%w: holds a tab", ErrMalformed)
	case b[len(b)-1] != '\n':
		return fmt.Errorf("%w: the last line does not end with LF", ErrMalformed)
	case bytes.Contains(b, []byte(" \n")):
		return fmt.Errorf("%w: a line ends with a space", ErrMalformed)
	}
	return nil
}

// field returns the value of line i, which must be "name: value".
func field(lines []string, i int, name string) (string, error) {
	v, ok := strings.CutPrefix(lines[i], name+": ")
	if !ok {
		return "", fmt.Errorf("%w: line %d: want %q", ErrMalformed, i+1, name+": …")
	}
	return v, nil
}

// parseRecipientLine parses "recipient: KEY ROLE[ LABEL]". Marshal checks
// the parts.
func parseRecipientLine(lines []string, i int) (Recipient, error) {
	v, err := field(lines, i, "recipient")
	if err != nil {
		return Recipient{}, err
	}
	key, rest, ok := strings.Cut(v, " ")
	if !ok {
		return Recipient{}, fmt.Errorf("%w: line %d: want \"recipient: KEY ROLE [LABEL]\"", ErrMalformed, i+1)
	}
	role, label, _ := strings.Cut(rest, " ")
	if _, err := parseKey(key); err != nil {
		return Recipient{}, fmt.Errorf("%w: line %d: %w", ErrMalformed, i+1, err)
	}
	r := Recipient{Key: key, Role: Role(role), Label: label}
	if r.Role != RoleResponder && r.Role != RoleAdmin {
		return Recipient{}, fmt.Errorf("%w: line %d: role %q: want %s or %s", ErrMalformed, i+1, truncate(role), RoleResponder, RoleAdmin)
	}
	if label != "" {
		if err := checkLabel(label); err != nil {
			return Recipient{}, fmt.Errorf("%w: line %d: %w", ErrMalformed, i+1, err)
		}
	}
	return r, nil
}
