package hub

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// MaxBulletinSenderLen bounds a hub's CAP sender. CAP sets no limit; this
// one keeps the sender readable in feeds and references.
const MaxBulletinSenderLen = 128

// DefaultBulletinSender is the CAP sender of hub id's bulletins unless the
// configuration names another: "difesa-" and the id. It is deterministic,
// so clients can predict it, and a valid CAP sender because hub ids are.
func DefaultBulletinSender(id string) string { return "difesa-" + id }

// CheckBulletinSender reports whether s can be the sender of a hub's CAP
// bulletins. CAP 1.2 (3.2.1, sender) forbids spaces, commas and the
// restricted characters < and &; difesa also refuses every other space or
// control character, quotes and >, so that the sender reads the same in
// XML, in references ("sender,identifier,sent") and in the pages.
func CheckBulletinSender(s string) error {
	if s == "" {
		return errors.New("must not be empty")
	}
	if len(s) > MaxBulletinSenderLen {
		return fmt.Errorf("is longer than %d bytes", MaxBulletinSenderLen)
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == unicode.ReplacementChar || strings.ContainsRune(`,<>&"'`, r)
	}); i >= 0 {
		return fmt.Errorf("%q contains %q: CAP senders have no spaces, commas, quotes, < > or &", s, []rune(s[i:])[0])
	}
	return nil
}
