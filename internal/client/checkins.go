package client

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"difesa.org/difesa/internal/wire"
)

// CheckinVerifier is what a hub keeps of a check-in or duress code:
// SHA-256("difesa checkin verifier v1" || code), where code is the
// normalised form of the code (codename.Codename.String). It must equal
// the server's api.CheckinVerifier.
func CheckinVerifier(normalised string) [32]byte {
	return sha256.Sum256([]byte("difesa checkin verifier v1" + normalised))
}

// Checkin describes a check-in timer to arm with [Client.ArmCheckin].
type Checkin struct {
	// Every is how often the defender promises to check in; Grace how
	// much longer the hub waits before it raises the alarm.
	Every, Grace time.Duration
	// Epoch is the manifest epoch the instructions are encrypted to.
	Epoch uint64
	// Code and Duress are the verifiers ([CheckinVerifier]) of the
	// check-in code and of the duress code.
	Code, Duress [32]byte
}

// ArmCheckin uploads the defender's encrypted instructions (an age file of
// a bundle of kind checkin) and arms a timer (POST …/checkins). The hub
// answers with the first deadline.
func (c *Client) ArmCheckin(ctx context.Context, ck Checkin, body io.Reader) (*wire.CheckinArmed, error) {
	q := url.Values{}
	q.Set("every", ck.Every.String())
	q.Set("grace", ck.Grace.String())
	if ck.Epoch != 0 {
		q.Set("epoch", strconv.FormatUint(ck.Epoch, 10))
	}
	h := http.Header{}
	h.Set(wire.HeaderCheckinVerifier, base64.RawURLEncoding.EncodeToString(ck.Code[:]))
	h.Set(wire.HeaderDuressVerifier, base64.RawURLEncoding.EncodeToString(ck.Duress[:]))
	var armed wire.CheckinArmed
	if err := c.upload(ctx, "POST", c.apiURL("checkins")+"?"+q.Encode(), h, body, &armed); err != nil {
		return nil, err
	}
	if armed.ID == "" || armed.Deadline == "" {
		return nil, errors.New("unexpected answer from the hub after arming the check-in: no id or deadline")
	}
	return &armed, nil
}

// CheckIn tells the hub the defender is fine (POST …/checkin) and returns
// the next deadline. The duress code gets exactly the same answer. An
// unknown code fails with [wire.CodeNoCheckin].
func (c *Client) CheckIn(ctx context.Context, code string) (*wire.CheckinDone, error) {
	var done wire.CheckinDone
	if err := c.doJSON(ctx, "POST", c.apiURL("checkin"), &wire.CheckinRequest{Code: code}, &done); err != nil {
		return nil, err
	}
	if done.NextDeadline == "" {
		return nil, errors.New("unexpected answer from the hub after the check-in: no deadline")
	}
	return &done, nil
}

// StopCheckin ends the timer of code (POST …/checkin/stop). With the
// duress code the hub answers the same, keeps the timer and alerts its
// responders.
func (c *Client) StopCheckin(ctx context.Context, code string) error {
	return c.doJSON(ctx, "POST", c.apiURL("checkin", "stop"), &wire.CheckinRequest{Code: code}, nil)
}
