package ageformat

import (
	"bytes"
	"errors"
	"testing"

	"filippo.io/age"
)

func TestStanzaType(t *testing.T) {
	t.Parallel()
	scrypt, err := age.NewScryptRecipient("password")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		r    age.Recipient
		want string
	}{
		{testKeys.x25519[0].Recipient(), TypeX25519},
		{testKeys.hybrid[0].Recipient(), TypeHybrid},
		{scrypt, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		got, err := StanzaType(tt.r)
		if got != tt.want || (tt.want == "") != errors.Is(err, ErrBadPolicy) {
			t.Errorf("StanzaType(%T) = %q, %v; want %q", tt.r, got, err, tt.want)
		}
	}
}

// stanzasOf encrypts to recipients with age and returns the checked header.
func stanzasOf(t *testing.T, recipients ...age.Recipient) []Stanza {
	t.Helper()
	file := encrypt(t, nil, false, recipients...)
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	return r.Header().Stanzas
}

func TestCheckRecipients(t *testing.T) {
	t.Parallel()
	x0, x1, x2 := testKeys.x25519[0].Recipient(), testKeys.x25519[1].Recipient(), testKeys.x25519[2].Recipient()
	h0, h1 := testKeys.hybrid[0].Recipient(), testKeys.hybrid[1].Recipient()
	scrypt, err := age.NewScryptRecipient("password")
	if err != nil {
		t.Fatal(err)
	}
	scrypt.SetWorkFactor(10)

	xStanza := stanzasOf(t, x0)[0]
	hStanza := stanzasOf(t, h0)[0]
	sStanza := stanzasOf(t, scrypt)[0]
	grease := Stanza{Type: "grease", Args: []string{"a"}, Body: []byte("b")}
	lowOrder := xStanza
	lowOrder.Args = []string{b64.EncodeToString(make([]byte, 32))}

	tests := []struct {
		name    string
		stanzas []Stanza
		hub     []age.Recipient
		want    error // nil for acceptance
	}{
		{"x25519 equal", []Stanza{xStanza}, []age.Recipient{x1}, nil},
		{"x25519 equal multiset", []Stanza{xStanza, xStanza, xStanza}, []age.Recipient{x0, x1, x2}, nil},
		{"hybrid equal", []Stanza{hStanza, hStanza}, []age.Recipient{h0, h1}, nil},
		{"missing stanza", []Stanza{xStanza, xStanza}, []age.Recipient{x0, x1, x2}, ErrRecipientMismatch},
		{"missing hybrid", []Stanza{hStanza}, []age.Recipient{h0, h1}, ErrRecipientMismatch},
		{"extra stanza", []Stanza{xStanza, xStanza}, []age.Recipient{x0}, ErrRecipientMismatch},
		{"extra grease", []Stanza{xStanza, grease}, []age.Recipient{x0}, ErrRecipientMismatch},
		{"scrypt", []Stanza{sStanza}, []age.Recipient{x0}, ErrRecipientMismatch},
		{"scrypt instead of one", []Stanza{xStanza, sStanza}, []age.Recipient{x0, x1}, ErrRecipientMismatch},
		{"x25519 to pq hub", []Stanza{xStanza}, []age.Recipient{h0}, ErrRecipientMismatch},
		{"x25519 added to pq hub", []Stanza{hStanza, xStanza}, []age.Recipient{h0, h1}, ErrRecipientMismatch},
		{"hybrid to classic hub", []Stanza{hStanza}, []age.Recipient{x0}, ErrRecipientMismatch},
		{"mixed hub", []Stanza{hStanza, xStanza}, []age.Recipient{h0, x0}, ErrBadPolicy},
		{"empty hub", []Stanza{xStanza}, nil, ErrBadPolicy},
		{"scrypt hub", []Stanza{sStanza}, []age.Recipient{scrypt}, ErrBadPolicy},
		{"no stanzas", nil, []age.Recipient{x0}, ErrRecipientMismatch},
		{"hand-built low-order stanza", []Stanza{lowOrder}, []age.Recipient{x0}, ErrBadHeader},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckRecipients(&Header{Stanzas: tt.stanzas}, tt.hub)
			if tt.want == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
}
