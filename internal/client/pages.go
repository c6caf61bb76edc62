package client

import (
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
