package export

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzAttachmentNames: whatever names a stranger sends, the exported ones
// are single, visible, valid path elements, unique ignoring case.
func FuzzAttachmentNames(f *testing.F) {
	f.Add("../../etc/passwd", "PASSWD", "passwd")
	f.Add("a.txt", "A.TXT", "a (2).txt")
	f.Add("\x00", "CON", ".")
	f.Add("x\u202egpj.exe", `C:\a`, "/abs")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		names := attachmentNames([]Attachment{{Name: a}, {Name: b}, {Name: c}, {Name: a}})
		seen := map[string]bool{}
		for _, n := range names {
			if n == "" || len(n) > 255 || !utf8.ValidString(n) || strings.HasPrefix(n, ".") {
				t.Fatalf("unsafe name %q", n)
			}
			for _, r := range n {
				if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) || r == '\u202e' {
					t.Fatalf("name %q has %U", n, r)
				}
			}
			if seen[strings.ToLower(n)] {
				t.Fatalf("name %q twice in %q", n, names)
			}
			seen[strings.ToLower(n)] = true
		}
	})
}
