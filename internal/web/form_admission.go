package web

import (
	"net/http"
	"strconv"
	"strings"
)

// formKey marks the requests the pages hand to the API in process.
type formKey struct{}

// FromForm reports whether r reached the API from one of the pages' forms
// that work without JavaScript, handed over in process ([Options.API]).
// Nothing from the network can carry this mark: it is a context value that
// only the pages set, on the requests they make themselves. The API's
// proof-of-work gate admits such uploads at a reserved rate instead of
// asking for work a form cannot do (docs/pow.md).
func FromForm(r *http.Request) bool {
	v, _ := r.Context().Value(formKey{}).(bool)
	return v
}

// uploadRefusal is the message of the page answering an upload the API
// refused. When the API said when to come back (429 or 503 with
// Retry-After: the hub is busy, or the form's reserved rate is used up),
// the page says it in minutes, and so does its own Retry-After.
func uploadRefusal(w http.ResponseWriter, lang string, a *apiAnswer) string {
	if a.status == http.StatusTooManyRequests || a.status == http.StatusServiceUnavailable {
		ra := strings.TrimSpace(a.header.Get("Retry-After"))
		if secs, err := strconv.Atoi(ra); err == nil && secs > 0 {
			w.Header().Set("Retry-After", ra)
			return T(lang, "err_busy_wait", (secs+59)/60)
		}
	}
	return T(lang, errorKey(a))
}
