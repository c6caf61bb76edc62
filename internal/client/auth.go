package client

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"difesa.org/difesa/internal/wire"
	"filippo.io/age"
	"filippo.io/age/armor"
)

// ErrUnsupportedIdentity is returned by [Client.Login] for identities whose
// recipient cannot be derived (only X25519 and hybrid post-quantum
// identities can log in).
var ErrUnsupportedIdentity = errors.New("this kind of identity cannot log in")

// RecipientOf returns the recipient string of an age identity, as sent to
// the hub to ask for a login challenge.
func RecipientOf(id age.Identity) (string, error) {
	switch id := id.(type) {
	case *age.HybridIdentity:
		return id.Recipient().String(), nil
	case *age.X25519Identity:
		return id.Recipient().String(), nil
	default:
		return "", fmt.Errorf("%w: %T", ErrUnsupportedIdentity, id)
	}
}

// Login proves to the hub that the caller holds identity, one of the hub's
// responder keys, and keeps the bearer token for the responder methods.
//
// The hub encrypts a random secret to the identity's recipient; Login
// decrypts it locally and sends it back. The identity never leaves the
// process. An identity the hub does not know fails with
// [wire.CodeBadChallenge].
func (c *Client) Login(ctx context.Context, identity age.Identity) error {
	recipient, err := RecipientOf(identity)
	if err != nil {
		return err
	}
	var ch wire.Challenge
	if err := c.doJSON(ctx, "POST", c.apiURL("auth", "challenge"),
		&wire.ChallengeRequest{Recipient: recipient}, &ch); err != nil {
		return err
	}
	var src io.Reader = strings.NewReader(ch.Ciphertext)
	if strings.HasPrefix(strings.TrimSpace(ch.Ciphertext), armor.Header) {
		src = armor.NewReader(strings.NewReader(strings.TrimSpace(ch.Ciphertext) + "\n"))
	}
	r, err := age.Decrypt(src, identity)
	if err != nil {
		return fmt.Errorf("could not decrypt the hub's login challenge: %w", err)
	}
	secret, err := io.ReadAll(io.LimitReader(r, 1024))
	if err != nil {
		return fmt.Errorf("could not decrypt the hub's login challenge: %w", err)
	}
	var tok wire.Token
	if err := c.doJSON(ctx, "POST", c.apiURL("auth", "token"), &wire.TokenRequest{
		ID:       ch.ID,
		Response: base64.RawURLEncoding.EncodeToString(secret),
	}, &tok); err != nil {
		return err
	}
	if tok.Token == "" {
		return errors.New("unexpected answer from the hub: empty token")
	}
	c.token = tok.Token
	return nil
}

// Logout ends the session started by [Client.Login]; the token dies on the
// server too.
func (c *Client) Logout(ctx context.Context) error {
	if c.token == "" {
		return nil
	}
	err := c.doJSON(ctx, "POST", c.apiURL("auth", "logout"), nil, nil)
	c.token = ""
	return err
}
