package client

import (
	"fmt"
	"net/url"
	"strconv"
)

// pageURL adds ?after=cursor&limit=limit to u, as far as they are set: the
// listings that can grow without bound come a page at a time
// (docs/api.md).
func pageURL(u, cursor string, limit int) string {
	q := url.Values{}
	if cursor != "" {
		q.Set("after", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if len(q) == 0 {
		return u
	}
	return u + "?" + q.Encode()
}

// eachPage fetches the pages of a listing from cursor on, calling fn with
// each, until a page says nothing more follows. state gives a page's next
// cursor, its number of items and whether more follow. A page that says
// more follow but moves no further, or holds nothing, is an error naming
// the listing (what): a broken or hostile hub would keep the client
// looping.
func eachPage[P any](cursor, what string, fetch func(cursor string) (*P, error), state func(*P) (next string, n int, more bool), fn func(*P) error) error {
	for {
		page, err := fetch(cursor)
		if err != nil {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		next, n, more := state(page)
		if !more {
			return nil
		}
		if next == cursor || n == 0 {
			return fmt.Errorf("the hub's %s does not advance past cursor %q", what, cursor)
		}
		cursor = next
	}
}
