package api

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"difesa.org/difesa/internal/form"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

// Forms: the report forms a hub designs, signed by its admin key over
// their canonical bytes (docs/forms.md). Publishing needs no token, like a
// manifest or a bulletin: only the admin key can sign an acceptable
// upload. Every version stays available, so a responder can read the
// questions of the version a bundle's answers name.

var (
	errFormNoKey     = apiError(http.StatusUnprocessableEntity, wire.CodeFormUnsigned, "this hub has no admin key to check forms against")
	errFormSignature = apiError(http.StatusUnprocessableEntity, wire.CodeFormUnsigned, "the signature is not this hub's admin key's Ed25519 signature of the form's exact bytes")
	errFormTooLarge  = apiError(http.StatusRequestEntityTooLarge, wire.CodeFormTooLarge, "the upload is over %d bytes; a form may have at most %d", form.MaxSignedSize, form.MaxSize)
	errNoForm        = apiError(http.StatusNotFound, wire.CodeNotFound, "no such form in this hub")
)

// formError turns a refusal of internal/form into an API error with its
// stable code.
func formError(err error) *wire.Error {
	code := form.Code(err)
	status := http.StatusBadRequest
	switch code {
	case wire.CodeFormTooLarge:
		status = http.StatusRequestEntityTooLarge
	case wire.CodeFormUnsigned, wire.CodeFormWrongHub:
		status = http.StatusUnprocessableEntity
	case "":
		code = wire.CodeFormInvalid
	}
	return apiError(status, code, "the form is not one this hub accepts: %v", err)
}

// handlePublishForm checks an upload in a fixed order — size, the strict
// transport form, the admin signature, then the form itself and its hub —
// and stores it; the store refuses a version that is not newer (409
// form_rollback) in the same transaction.
func (s *Server) handlePublishForm(w http.ResponseWriter, r *http.Request) error {
	h := hubOf(r)
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return apiError(http.StatusUnsupportedMediaType, wire.CodeUnsupportedType, "send JSON with Content-Type: application/json")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, form.MaxSignedSize))
	var maxBytes *http.MaxBytesError
	if errors.As(err, &maxBytes) {
		return errFormTooLarge
	}
	if err != nil {
		return errStalled
	}
	signed, err := form.ParseSigned(body)
	if err != nil {
		return formError(err)
	}
	// The signature first: only what the hub's admin signed is parsed.
	admin, err := manifest.ParsePublicKey(h.AdminKey)
	if err != nil {
		return errFormNoKey
	}
	if !admin.VerifyDetached(signed.Form, signed.Signature) {
		return errFormSignature
	}
	f, err := form.VerifyFor(signed, admin, h.ID, "")
	if err != nil {
		return formError(err)
	}
	if f.ID == form.DefaultID {
		return apiError(http.StatusBadRequest, wire.CodeFormInvalid, "the form id %q is the built-in form's", form.DefaultID)
	}
	rec, err := s.store.PublishForm(h.ID, store.Form{
		ID: f.ID, Version: f.Version, Hash: form.Hash(signed.Form), Title: f.Title,
		Bytes: signed.Form, Signature: signed.Signature,
	})
	switch {
	case errors.Is(err, store.ErrFormRollback):
		return apiError(http.StatusConflict, wire.CodeFormRollback, "form %q version %d is not newer than the version this hub published", f.ID, f.Version)
	case errors.Is(err, store.ErrTooManyForms):
		return apiError(http.StatusConflict, wire.CodeFormTooLarge, "this hub has %d forms, as many as it may", store.MaxFormsPerHub)
	case err != nil:
		return err
	}
	s.log.Info("form published", "hub", h.ID, "form", rec.ID, "version", rec.Version)
	return writeJSON(w, http.StatusCreated, formInfo(rec))
}

func formInfo(f store.Form) wire.FormInfo {
	return wire.FormInfo{ID: f.ID, Version: f.Version, Hash: f.Hash, Title: f.Title}
}

// handleFormList lists the latest version of each of the hub's forms.
func (s *Server) handleFormList(w http.ResponseWriter, r *http.Request) error {
	list, err := s.store.Forms(hubOf(r).ID)
	if err != nil {
		return err
	}
	out := wire.FormList{Forms: make([]wire.FormInfo, 0, len(list))}
	for _, f := range list {
		out.Forms = append(out.Forms, formInfo(f))
	}
	w.Header().Set("Cache-Control", "no-cache")
	return writeJSON(w, http.StatusOK, out)
}

// handleForm serves a form's signed bytes and signature: the latest
// version (…/forms/{id}), or the one asked for (…/forms/{id}/{version}),
// whose bytes never change.
func (s *Server) handleForm(w http.ResponseWriter, r *http.Request) error {
	var version uint64
	if v := chi.URLParam(r, "version"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 || strconv.FormatUint(n, 10) != v {
			return errNoRoute
		}
		version = n
	}
	f, err := s.store.Form(hubOf(r).ID, chi.URLParam(r, "id"), version)
	if errors.Is(err, store.ErrNotFound) {
		return errNoForm
	}
	if err != nil {
		return err
	}
	if version != 0 {
		w.Header().Set("Cache-Control", bulletinCache)
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	return writeJSON(w, http.StatusOK, wire.SignedForm{Form: f.Bytes, Signature: f.Signature})
}
