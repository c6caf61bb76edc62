package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"

	"difesa.org/difesa/internal/wire"
)

// maxJSONBody caps every JSON request body.
const maxJSONBody = 64 << 10

// readJSON decodes a small JSON request body strictly: the right media
// type, a size cap, no unknown fields, nothing after the value.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return readJSONMax(w, r, v, maxJSONBody)
}

// readJSONMax is [readJSON] with another size cap, for bodies that carry
// a document.
func readJSONMax(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apiError(http.StatusUnsupportedMediaType, wire.CodeUnsupportedType, "send JSON with Content-Type: application/json")
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var maxBytes *http.MaxBytesError
		if errors.As(err, &maxBytes) {
			return apiError(http.StatusRequestEntityTooLarge, wire.CodeTooLarge, "JSON body over %d bytes", limit)
		}
		return apiError(http.StatusBadRequest, wire.CodeBadRequest, "malformed JSON body: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apiError(http.StatusBadRequest, wire.CodeBadRequest, "malformed JSON body: data after the value")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
