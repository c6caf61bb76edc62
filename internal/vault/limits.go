package vault

import "fmt"

const (
	// MaxValueSize bounds one value. The desk keeps larger attachments as
	// several records, or keeps only their original ciphertext.
	MaxValueSize = 64 << 20

	// MaxNameLen bounds a bucket name or a key.
	MaxNameLen = 128
)

// checkName accepts identifiers only: 1 to [MaxNameLen] bytes of ASCII
// letters, digits and ".-_:". Names are stored in the clear.
func checkName(what, s string) error {
	if s == "" || len(s) > MaxNameLen {
		return fmt.Errorf("%w: %s of %d bytes", ErrBadName, what, len(s))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '.', c == '-', c == '_', c == ':':
		default:
			return fmt.Errorf("%w: %s has a character other than letters, digits and \"._:-\"", ErrBadName, what)
		}
	}
	return nil
}
