package api

import (
	"net/http"
	"strconv"

	"difesa.org/difesa/internal/wire"
)

// Listings that can grow without bound (a hub's submissions, its audit
// log) are read a page at a time: ?after=CURSOR&limit=N. A cursor is the
// decimal number of the last entry a page held, as the server wrote it
// in "next"; the server reads one page in one read transaction.

// maxCursorLen is the length of the largest uint64 in decimal.
const maxCursorLen = 20

// pageQuery reads ?after= and ?limit=. Anything but a cursor the server
// could have written, or a limit from 1 to [wire.MaxPageSize], is 400.
func pageQuery(r *http.Request) (after uint64, limit int, err error) {
	q := r.URL.Query()
	limit = wire.DefaultPageSize
	if v, ok := q["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if len(v) != 1 || err != nil || n < 1 || n > wire.MaxPageSize || v[0] != strconv.Itoa(n) {
			return 0, 0, apiError(http.StatusBadRequest, wire.CodeBadRequest, "limit must be a whole number from 1 to %d", wire.MaxPageSize)
		}
		limit = n
	}
	if v, ok := q["after"]; ok {
		if after, ok = parseCursor(v); !ok {
			return 0, 0, apiError(http.StatusBadRequest, wire.CodeBadCursor, "malformed cursor: pass the \"next\" of the previous page as it is, or nothing to start over")
		}
	}
	return after, limit, nil
}

func parseCursor(v []string) (uint64, bool) {
	if len(v) != 1 || len(v[0]) == 0 || len(v[0]) > maxCursorLen {
		return 0, false
	}
	n, err := strconv.ParseUint(v[0], 10, 64)
	if err != nil || v[0] != strconv.FormatUint(n, 10) { // digits only, no sign, no leading zeros
		return 0, false
	}
	return n, true
}

func formatCursor(n uint64) string { return strconv.FormatUint(n, 10) }

// errCursorAhead answers a cursor the hub has not reached.
var errCursorAhead = apiError(http.StatusBadRequest, wire.CodeBadCursor,
	"the cursor is beyond this hub's latest entry (from another hub, or from before a restore): list again from the start")
