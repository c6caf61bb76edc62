package vocab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// checkLabels checks a hub term's labels and scope note: an English label,
// no language the vocabulary does not speak, and plain text of bounded
// length in each.
func checkLabels(labels map[string]string, scope string) error {
	if labels["en"] == "" {
		return fmt.Errorf("%w: an English label (labels.en) is required", ErrExtensionFormat)
	}
	for lang, l := range labels {
		if !slices.Contains(Languages, lang) {
			return fmt.Errorf("%w: labels in %q: the languages are %s", ErrExtensionFormat, truncate(lang), strings.Join(Languages, ", "))
		}
		if err := checkText(l, maxLabelRunes); err != nil {
			return fmt.Errorf("%w: label in %s %w", ErrExtensionFormat, lang, err)
		}
	}
	if scope != "" {
		if err := checkText(scope, maxScopeRunes); err != nil {
			return fmt.Errorf("%w: scope %w", ErrExtensionFormat, err)
		}
	}
	return nil
}

// checkText refuses text that is empty, too long, padded with spaces, not
// UTF-8, or holds control or bidirectional formatting characters (which
// could make a label in a table read as another).
func checkText(s string, maxRunes int) error {
	switch {
	case !utf8.ValidString(s):
		return errors.New("is not valid UTF-8")
	case strings.TrimSpace(s) != s || s == "":
		return errors.New("is empty or starts or ends with a space")
	case utf8.RuneCountInString(s) > maxRunes:
		return fmt.Errorf("is longer than %d characters", maxRunes)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			return fmt.Errorf("holds the control character %U", r)
		}
	}
	return nil
}

// noDuplicateKeys refuses JSON in which an object has a key twice, which
// encoding/json would silently resolve to the last.
func noDuplicateKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if k, ok := tok.(string); ok && top != nil && top.object && top.key {
			if top.keys[k] {
				return fmt.Errorf("the key %q appears twice in an object", truncate(k))
			}
			top.keys[k] = true
			top.key = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, object: true, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true
		}
	}
}
