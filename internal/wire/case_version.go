package wire

import (
	"strconv"
	"strings"
)

// FormatVersion writes a case record version as the strong ETag the API
// uses in ETag and If-Match: "VERSION".
func FormatVersion(v uint64) string { return `"` + strconv.FormatUint(v, 10) + `"` }

// ParseVersion reads what [FormatVersion] writes, and nothing else: one
// strong ETag of decimal digits without a leading zero (except "0"
// itself), within uint64. Weak ETags, "*", lists and spaces are refused.
func ParseVersion(s string) (uint64, bool) {
	if len(s) < 3 || len(s) > 22 || s[0] != '"' || s[len(s)-1] != '"' {
		return 0, false
	}
	d := s[1 : len(s)-1]
	if strings.Trim(d, "0123456789") != "" || (len(d) > 1 && d[0] == '0') {
		return 0, false
	}
	v, err := strconv.ParseUint(d, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}
