package api

import (
	"encoding/base64"
	"net/http"
	"strings"

	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/wire"
)

var errNoThread = apiError(http.StatusNotFound, wire.CodeNoThread, "no conversation for this codename at this hub")

func decode32(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(s))
	return b, err == nil && len(b) == 32
}

// openingVerifier reads the verifier a first submission may carry.
func openingVerifier(r *http.Request) (*[32]byte, error) {
	v := r.Header.Get(wire.HeaderThreadVerifier)
	if v == "" {
		return nil, nil
	}
	b, ok := decode32(v)
	if !ok {
		return nil, apiError(http.StatusBadRequest, wire.CodeBadRequest, "%s must be 32 bytes, base64url", wire.HeaderThreadVerifier)
	}
	var out [32]byte
	copy(out[:], b)
	return &out, nil
}

// checkOpening answers, before the upload is read, whether a conversation
// may be opened with verifier. Its answer (409 thread_exists or not) tells
// whether a codename is taken, so it is a codename lookup and counts
// against the same limits as [Server.defenderThread]. The commit checks
// again, in its transaction, for two openings racing.
func (s *Server) checkOpening(hubID string, verifier [32]byte) error {
	if ok, wait := s.codenameLimit.Allow(hubID); !ok {
		return retryLater(wait, "too many codename attempts at this hub; try again in a moment")
	}
	if _, err := s.store.ThreadByVerifier(hubID, verifier); err == nil {
		return store.ErrThreadExists
	}
	return nil
}

// defenderThread resolves the conversation of the request's thread token.
// Lookups are rate-limited globally and per hub: behind Tor everyone shares
// an address, so only the total guessing rate can be bounded. Malformed,
// unknown and known tokens all cost one hash and one lookup.
func (s *Server) defenderThread(r *http.Request) (*hub.Hub, store.ID, error) {
	h := hubOf(r)
	if ok, wait := s.codenameLimit.Allow(h.ID); !ok {
		return nil, store.ID{}, retryLater(wait, "too many codename attempts at this hub; try again in a moment")
	}
	token, ok := decode32(r.Header.Get(wire.HeaderThreadToken))
	if !ok {
		token = make([]byte, 32) // same work as a real lookup, then refuse
	}
	root, err := s.store.ThreadByVerifier(h.ID, codename.TokenVerifier([32]byte(token)))
	if !ok || err != nil {
		return nil, store.ID{}, errNoThread
	}
	return h, root, nil
}

func wireThread(root store.ID, msgs []store.Submission) wire.Thread {
	out := wire.Thread{ID: root.String(), Messages: make([]wire.Message, 0, len(msgs))}
	for _, m := range msgs {
		ws := wireSubmission(m)
		out.Messages = append(out.Messages, wire.Message{
			ID: ws.ID, Kind: ws.Kind, Size: ws.Size, Received: ws.Received, Seq: m.Seq, Epoch: m.Epoch,
		})
	}
	return out
}

// threadResolver finds the conversation a request is about: by the
// defender's token, or by a responder's submission id.
type threadResolver func(*http.Request) (*hub.Hub, store.ID, error)

// showThread lists a conversation's messages.
func (s *Server) showThread(resolve threadResolver) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		h, root, err := resolve(r)
		if err != nil {
			return err
		}
		msgs, err := s.store.Thread(h.ID, root)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, wireThread(root, msgs))
	}
}

// deleteThread removes a whole conversation in one transaction.
func (s *Server) deleteThread(resolve threadResolver) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		h, root, err := resolve(r)
		if err != nil {
			return err
		}
		if _, err := s.store.DeleteThread(h.ID, root); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// addToThread stores the request's age file as a message of kind in the
// conversation: checked against the declared epoch's recipients plus
// extra recipients of the same kind (the defender's reply key, for
// replies), raising event if it is not empty.
func (s *Server) addToThread(resolve threadResolver, kind string, extra int, event string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		h, root, err := resolve(r)
		if err != nil {
			return err
		}
		set, err := s.declaredEpoch(r, h)
		if err != nil {
			return err
		}
		if kind == wire.KindReply {
			// A responder's reply in a restricted case goes to its
			// responders only (a defender's follow-up cannot know them:
			// it comes to the whole hub, and the case's responders
			// re-encrypt it with "difesa case restrict" again).
			if set, err = s.replySet(h, root, set); err != nil {
				return err
			}
		}
		up := s.store.NewUpload(h.ID)
		up.JoinThread(root)
		if event != "" {
			up.Notify(store.Event{Type: event})
		}
		sub, err := s.receive(w, r, h, set, extra, up, store.Submission{
			Kind: kind, Received: h.RoundTime(s.now()), Status: wire.StatusNew,
		})
		if err != nil {
			return err
		}
		s.kickNotifier()
		return writeJSON(w, http.StatusCreated, wire.SubmissionCreated{ID: sub.ID.String(), Hub: sub.Hub, Kind: sub.Kind, Size: sub.Size})
	}
}

// handleDefenderMessage sends one message of the defender's conversation.
func (s *Server) handleDefenderMessage(w http.ResponseWriter, r *http.Request) error {
	h, root, err := s.defenderThread(r)
	if err != nil {
		return err
	}
	id, err := submissionID(r)
	if err != nil {
		return err
	}
	sub, err := s.store.Submission(h.ID, id)
	if err != nil || sub.Thread != root {
		return errNoSub
	}
	return s.sendCiphertext(w, h.ID, id)
}

// responderThread resolves {id}, any message of a conversation, to the
// conversation's opening submission.
func (s *Server) responderThread(r *http.Request) (*hub.Hub, store.ID, error) {
	h := hubOf(r)
	id, err := submissionID(r)
	if err != nil {
		return nil, id, err
	}
	sub, err := s.store.Submission(h.ID, id)
	if err != nil {
		return nil, id, err
	}
	if sub.Thread == (store.ID{}) {
		return nil, id, apiError(http.StatusNotFound, wire.CodeNoThread, "this submission has no conversation: the defender left no codename")
	}
	return h, sub.Thread, nil
}

// replySet returns the recipients a reply in the conversation root must
// be encrypted to (besides the defender's reply key): set, or, in a
// restricted case, its responders at the current epoch.
func (s *Server) replySet(h *hub.Hub, root store.ID, set *hub.RecipientSet) (*hub.RecipientSet, error) {
	_, rs, err := s.store.Restriction(h.ID, root)
	if err != nil || !rs.Restricted() {
		return set, err
	}
	if set != h.Current() {
		return nil, apiError(http.StatusConflict, wire.CodeStaleEpoch, "a reply in a restricted case is encrypted to its responders at the current epoch %d", h.Epoch())
	}
	return subsetOf(h, rs)
}
