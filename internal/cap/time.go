package cap

import (
	"fmt"
	"time"
)

// timeLayout is CAP's date-time form without the offset, which Go's layouts
// cannot spell as CAP wants it for UTC ("-00:00").
const timeLayout = "2006-01-02T15:04:05"

// ParseTime parses CAP's date-time form, which always carries an explicit
// numeric offset ("-00:00" for UTC) and no fractional seconds.
//
// The form is exactly YYYY-MM-DDThh:mm:ss followed by "+" or "-" and hh:mm:
// CAP 1.2's schema pattern, `\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-,+]\d\d:\d\d`,
// also matches a comma before the offset, but its base type xs:dateTime
// does not, so no schema-valid document has one and ParseTime refuses it.
// The value must also be a real xs:dateTime: year 0001 to 9999, a day that
// exists in its month, hours 00 to 23 (not 24:00:00), seconds 00 to 59, and
// an offset of at most 14:00. Errors are [*Error]s with [CodeBadTime].
func ParseTime(s string) (time.Time, error) {
	t, reason := parseTime(s)
	if reason != "" {
		return time.Time{}, errorf(CodeBadTime, "%s: %s", excerpt(s), reason)
	}
	return t, nil
}

func parseTime(s string) (time.Time, string) {
	const form = "not in CAP's form YYYY-MM-DDThh:mm:ss+hh:mm"
	if len(s) != len("2006-01-02T15:04:05-07:00") {
		return time.Time{}, form
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var ok bool
		switch i {
		case 4, 7:
			ok = c == '-'
		case 10:
			ok = c == 'T'
		case 13, 16, 22:
			ok = c == ':'
		case 19:
			ok = c == '+' || c == '-'
		default:
			ok = '0' <= c && c <= '9'
		}
		if !ok {
			return time.Time{}, form
		}
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 2), num(8, 2)
	hour, minute, second := num(11, 2), num(14, 2), num(17, 2)
	offHour, offMinute := num(20, 2), num(23, 2)
	switch {
	case year == 0:
		return time.Time{}, "year 0000 does not exist"
	case month < 1 || month > 12:
		return time.Time{}, "month out of range"
	case day < 1 || day > daysIn(time.Month(month), year):
		return time.Time{}, fmt.Sprintf("day out of range for %04d-%02d", year, month)
	case hour > 23:
		return time.Time{}, "hour out of range (00 to 23)"
	case minute > 59:
		return time.Time{}, "minute out of range"
	case second > 59:
		return time.Time{}, "second out of range"
	case offMinute > 59 || offHour > 14 || offHour == 14 && offMinute != 0:
		return time.Time{}, "offset out of range (at most 14:00)"
	}
	offset := (offHour*60 + offMinute) * 60
	if s[19] == '-' {
		offset = -offset
	}
	loc := time.UTC
	if offset != 0 {
		loc = time.FixedZone("", offset)
	}
	return time.Date(year, time.Month(month), day, hour, minute, second, 0, loc), ""
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// FormatTime returns t in CAP's date-time form, at t's own offset, with
// "-00:00" for UTC as CAP prescribes. Fractional seconds are dropped. An
// offset CAP cannot write (one with seconds, as in some historical zones,
// or beyond ±14:00) is replaced by UTC. t's year must be between 1 and 9999
// for the result to be a CAP date-time.
func FormatTime(t time.Time) string {
	_, offset := t.Zone()
	if offset%60 != 0 || offset > 14*3600 || offset < -14*3600 {
		t, offset = t.UTC(), 0
	}
	if offset == 0 {
		return t.Format(timeLayout) + "-00:00"
	}
	return t.Format(timeLayout + "-07:00")
}
