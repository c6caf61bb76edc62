package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/api"
	"difesa.org/difesa/internal/codename"
	"difesa.org/difesa/internal/wire"
)

// Defender is the conversation and check-in side of one defender, for the
// soak: a thread token (random, as a codename would derive it) and a
// check-in code with its duress code. Its methods go through a
// [HubClient], without the client's key derivation, which would only
// measure the KDF.
type Defender struct {
	Token        [32]byte
	Code, Duress string
	// Reply is the key responders add to their replies.
	Reply *age.HybridIdentity
}

// NewDefender draws a thread token, two check-in codes and a reply key.
func NewDefender() (*Defender, error) {
	d := &Defender{}
	rand.Read(d.Token[:])
	code, err := codename.Generate()
	if err != nil {
		return nil, err
	}
	duress, err := codename.Generate()
	if err != nil {
		return nil, err
	}
	d.Code, d.Duress = code.String(), duress.String()
	d.Reply, err = age.GenerateHybridIdentity()
	return d, err
}

// request sends body (nil for none) with the headers and decodes a JSON
// answer into out if the status is want.
func (c *HubClient) request(ctx context.Context, method, path string, h http.Header, body []byte, want int, out any) error {
	var r io.Reader = http.NoBody
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.api(path), r)
	if err != nil {
		return err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	return c.do(req, want, out)
}

func ageHeaders() http.Header {
	return http.Header{"Content-Type": {wire.MediaTypeAge}}
}

func (d *Defender) tokenHeader(h http.Header) http.Header {
	h.Set(wire.HeaderThreadToken, base64.RawURLEncoding.EncodeToString(d.Token[:]))
	return h
}

// OpenThread sends body, an age file, as a report that opens d's
// conversation.
func (c *HubClient) OpenThread(ctx context.Context, d *Defender, body []byte) (wire.SubmissionCreated, error) {
	v := codename.TokenVerifier(d.Token)
	h := ageHeaders()
	h.Set(wire.HeaderThreadVerifier, base64.RawURLEncoding.EncodeToString(v[:]))
	var created wire.SubmissionCreated
	err := c.request(ctx, http.MethodPost, "/submissions", h, body, http.StatusCreated, &created)
	return created, err
}

// Followup adds body, an age file, to d's conversation.
func (c *HubClient) Followup(ctx context.Context, d *Defender, body []byte) (wire.SubmissionCreated, error) {
	var created wire.SubmissionCreated
	err := c.request(ctx, http.MethodPost, "/thread/messages", d.tokenHeader(ageHeaders()), body, http.StatusCreated, &created)
	return created, err
}

// Thread lists d's conversation.
func (c *HubClient) Thread(ctx context.Context, d *Defender) (wire.Thread, error) {
	var th wire.Thread
	err := c.request(ctx, http.MethodGet, "/thread", d.tokenHeader(http.Header{}), nil, http.StatusOK, &th)
	return th, err
}

// ThreadMessage downloads one message of d's conversation.
func (c *HubClient) ThreadMessage(ctx context.Context, d *Defender, id string) ([]byte, error) {
	var buf bytes.Buffer
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.api("/thread/messages/"+url.PathEscape(id)), nil)
	if err != nil {
		return nil, err
	}
	d.tokenHeader(req.Header)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(resp)
	}
	_, err = io.Copy(&buf, io.LimitReader(resp.Body, 64<<20))
	return buf.Bytes(), err
}

// Reply sends body, an age file to the hub's recipients plus the
// defender's reply key, to the conversation of submission sid (after
// [HubClient.Login]).
func (c *HubClient) Reply(ctx context.Context, sid string, body []byte) (wire.SubmissionCreated, error) {
	var created wire.SubmissionCreated
	err := c.request(ctx, http.MethodPost, "/threads/"+url.PathEscape(sid)+"/replies", ageHeaders(), body, http.StatusCreated, &created)
	return created, err
}

// ArmCheckin uploads body as d's check-in instructions and arms a timer.
func (c *HubClient) ArmCheckin(ctx context.Context, d *Defender, every, grace time.Duration, body []byte) (wire.CheckinArmed, error) {
	code, duress := api.CheckinVerifier(d.Code), api.CheckinVerifier(d.Duress)
	h := ageHeaders()
	h.Set(wire.HeaderCheckinVerifier, base64.RawURLEncoding.EncodeToString(code[:]))
	h.Set(wire.HeaderDuressVerifier, base64.RawURLEncoding.EncodeToString(duress[:]))
	q := url.Values{"every": {every.String()}, "grace": {grace.String()}}
	var armed wire.CheckinArmed
	err := c.request(ctx, http.MethodPost, "/checkins?"+q.Encode(), h, body, http.StatusCreated, &armed)
	return armed, err
}

// CheckIn checks in with d's code.
func (c *HubClient) CheckIn(ctx context.Context, d *Defender) (wire.CheckinDone, error) {
	b, _ := json.Marshal(wire.CheckinRequest{Code: d.Code})
	var done wire.CheckinDone
	err := c.request(ctx, http.MethodPost, "/checkin", http.Header{"Content-Type": {"application/json"}}, b, http.StatusOK, &done)
	return done, err
}
