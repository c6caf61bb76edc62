package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
)

// readBody reads a request body of at most limit bytes, whole. A longer
// one, by its Content-Length or as it is read, gets tooLarge; what names
// the body in the error of a failed read.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, tooLarge error, what string) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, fmt.Errorf("api: unable to read %s: %w", what, err)
	}
	return raw, nil
}
