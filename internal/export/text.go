package export

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// clean drops what could disguise text from a stranger: control
// characters other than newline and tab, and bidirectional overrides,
// become U+FFFD; invalid UTF-8 too.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r), r == 0x061c, r == 0x200e, r == 0x200f,
			0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
			return '\uFFFD'
		}
		return r
	}, s)
}

// line is clean on one line: newlines and tabs become spaces.
func line(s string) string {
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(clean(s))
}

func day(t time.Time) string {
	if t.IsZero() {
		return "unknown date"
	}
	return t.UTC().Format(time.DateOnly)
}

// printText is the plain-text view of a case.
func printText(c Case, names []string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Case %s\n", line(c.ID))
	fmt.Fprintf(&b, "Kind: %s\nCategory: %s\nReceived: %s (UTC)\n", line(c.Kind), line(c.Category), day(c.Created))
	if len(c.Fields) > 0 {
		b.WriteString("\nFields\n")
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "  %s: %s\n", line(f.Key), indent(clean(f.Value)))
		}
	}
	b.WriteString("\nNarrative\n")
	fmt.Fprintf(&b, "  %s\n", indent(clean(c.Narrative)))
	if len(c.Messages) > 0 {
		b.WriteString("\nConversation\n")
		for _, m := range c.Messages {
			fmt.Fprintf(&b, "\n  %s, %s:\n  %s\n", line(m.Author), day(m.Date), indent(clean(m.Text)))
		}
	}
	if len(names) > 0 {
		b.WriteString("\nAttachments (in attachments/, SHA-256 in SHA256SUMS)\n")
		for i, n := range names {
			fmt.Fprintf(&b, "  %s (%d bytes)\n", n, len(c.Attachments[i].Data))
		}
	}
	if len(c.Ciphertext) > 0 {
		fmt.Fprintf(&b, "\nThe original encrypted bundle, as the hub received it, is %s.\n", originalName)
	}
	return []byte(b.String())
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }
