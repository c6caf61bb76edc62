package vocab

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Grain is how fine a time or a place is. Exports never go finer than a
// month or a region.
type Grain int

// The grains, finest first within time and within place.
const (
	Month Grain = iota + 1
	Quarter
	Year
	Region
	Country
)

func (g Grain) String() string {
	switch g {
	case Month:
		return "month"
	case Quarter:
		return "quarter"
	case Year:
		return "year"
	case Region:
		return "region"
	case Country:
		return "country"
	}
	return "grain(" + strconv.Itoa(int(g)) + ")"
}

// ErrCoarsen is returned by [Coarsen] for a code that cannot be brought to
// the grain asked: not a time or a place, not valid, or coarser already.
var ErrCoarsen = errors.New("vocab: code cannot be coarsened to that grain")

// The years a time code may name.
const (
	minYear = 1900
	maxYear = 2999
)

// parseTime parses "2026-03", "2026-Q1" or "2026": sub is the month or the
// quarter, 0 for a year.
func parseTime(code string) (g Grain, year, sub int, ok bool) {
	if len(code) < 4 || !digits(code[:4]) {
		return 0, 0, 0, false
	}
	year, _ = strconv.Atoi(code[:4])
	if year < minYear || year > maxYear {
		return 0, 0, 0, false
	}
	switch rest := code[4:]; {
	case rest == "":
		return Year, year, 0, true
	case len(rest) == 3 && rest[0] == '-' && digits(rest[1:]):
		m, _ := strconv.Atoi(rest[1:])
		return Month, year, m, m >= 1 && m <= 12
	case len(rest) == 3 && rest[:2] == "-Q" && '1' <= rest[2] && rest[2] <= '4':
		return Quarter, year, int(rest[2] - '0'), true
	}
	return 0, 0, 0, false
}

func digits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// MonthCode returns the time code of the calendar month that t falls in,
// in t's own location: "2026-03". The caller chooses the location (the
// case's), not the machine's.
func MonthCode(t time.Time) string {
	return fmt.Sprintf("%04d-%02d", t.Year(), int(t.Month()))
}

// Coarsen returns code brought to the coarser grain to, in the shared
// vocabulary: see [Extensions.Coarsen].
func Coarsen(code string, to Grain) (string, error) {
	return (*Extensions)(nil).Coarsen(code, to)
}

// Coarsen returns code brought to the grain to: a month to its quarter
// ("2026-03" to "2026-Q1") or year ("2026"), a quarter to its year, a
// region (NUTS or the hub's) to its country ("region.SI04" to
// "country.SI"). A code already at that grain is returned as it is; a code
// that is finer than to cannot be, and neither can a code that is not a
// valid time or place: [ErrCoarsen].
func (e *Extensions) Coarsen(code string, to Grain) (string, error) {
	if g, year, sub, ok := parseTime(code); ok {
		switch {
		case to < g || to > Year:
		case to == g:
			return code, nil
		case to == Year:
			return strconv.Itoa(year), nil
		default: // a month to its quarter
			return fmt.Sprintf("%04d-Q%d", year, (sub+2)/3), nil
		}
		return "", fmt.Errorf("%w: %q to %s", ErrCoarsen, code, to)
	}
	t, ok := e.Lookup(code)
	switch {
	case !ok:
	case t.Scheme == SchemeCountry && to == Country:
		return code, nil
	case t.Scheme == SchemeRegion && to == Region:
		return code, nil
	case t.Scheme == SchemeRegion && to == Country:
		return t.Country, nil
	}
	return "", fmt.Errorf("%w: %q to %s", ErrCoarsen, truncate(code), to)
}

// truncate shortens a code from untrusted input for an error message.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
