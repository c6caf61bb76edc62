package api

import (
	"net/http"
	"strings"

	"difesa.org/difesa/internal/auth"
	"difesa.org/difesa/internal/wire"
)

func (s *Server) handleChallenge(w http.ResponseWriter, r *http.Request) error {
	var req wire.ChallengeRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	id, ct, err := s.auth.Challenge(hubOf(r), strings.TrimSpace(req.Recipient))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wire.Challenge{ID: id, Ciphertext: ct, ExpiresIn: int(auth.ChallengeTTL.Seconds())})
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) error {
	var req wire.TokenRequest
	if err := readJSON(w, r, &req); err != nil {
		return err
	}
	tok, ttl, err := s.auth.Redeem(hubOf(r), req.ID, req.Response)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, wire.Token{Token: tok, ExpiresIn: int(ttl.Seconds())})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if err := s.auth.Logout(strings.TrimSpace(bearer)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
