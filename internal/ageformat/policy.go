package ageformat

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"filippo.io/age"
)

// StanzaType returns the type of the stanza that r produces when age
// encrypts to it: "X25519" for an [*age.X25519Recipient] and
// "mlkem768x25519" for an [*age.HybridRecipient]. Any other recipient
// (scrypt, SSH, plugins, tags) is not a hub recipient and yields an error
// wrapping [ErrBadPolicy].
func StanzaType(r age.Recipient) (string, error) {
	switch r.(type) {
	case *age.X25519Recipient:
		return TypeX25519, nil
	case *age.HybridRecipient:
		return TypeHybrid, nil
	default:
		return "", fmt.Errorf("%w: unsupported hub recipient type %T", ErrBadPolicy, r)
	}
}

// CheckRecipients enforces the hub's policy on a checked header: the
// multiset of stanza types in h must be exactly the multiset produced by
// encrypting to recipients, one stanza per recipient. So there must be no
// scrypt, SSH, plugin or unknown stanza, no extra or missing stanza, and no
// classic X25519 stanza when the hub is post-quantum. Every stanza must also
// pass the structural checks of [NewReader], so a hand-built Header gets
// the same scrutiny.
//
// It returns an error wrapping [ErrRecipientMismatch] or [ErrBadHeader] if
// the file is refused, and one wrapping [ErrBadPolicy] if recipients is
// empty, holds an unsupported type, or mixes hybrid and X25519 recipients
// (age refuses to encrypt to such a mix, so no honest file could match).
//
// Without a key, a stanza cannot be tied to a particular recipient: a file
// addressed to other keys of the same types passes. See the package
// documentation.
func CheckRecipients(h *Header, recipients []age.Recipient) error {
	want, err := policy(recipients)
	if err != nil {
		return err
	}
	got := make(map[string]int)
	for i := range h.Stanzas {
		s := &h.Stanzas[i]
		if err := checkStanza(s); err != nil {
			return fmt.Errorf("stanza #%d: %w", i, err)
		}
		if want[s.Type] == 0 {
			return fmt.Errorf("%w: stanza #%d has type %q, hub accepts only %s", ErrRecipientMismatch, i, describeType(s.Type), describePolicy(want))
		}
		got[s.Type]++
	}
	if !maps.Equal(got, want) {
		return fmt.Errorf("%w: header has %s, hub recipients produce %s", ErrRecipientMismatch, describePolicy(got), describePolicy(want))
	}
	return nil
}

// policy returns the stanza type counts produced by recipients.
func policy(recipients []age.Recipient) (map[string]int, error) {
	if len(recipients) == 0 {
		return nil, fmt.Errorf("%w: no hub recipients", ErrBadPolicy)
	}
	want := make(map[string]int)
	for _, r := range recipients {
		t, err := StanzaType(r)
		if err != nil {
			return nil, err
		}
		want[t]++
	}
	if want[TypeHybrid] > 0 && want[TypeX25519] > 0 {
		return nil, fmt.Errorf("%w: hub recipients mix post-quantum and classic X25519 keys", ErrBadPolicy)
	}
	return want, nil
}

// describeType names a stanza type for an error message, bounding its
// length since it comes from the upload.
func describeType(t string) string {
	if len(t) > 32 {
		return t[:32] + "…"
	}
	return t
}

// describePolicy formats type counts deterministically, e.g.
// "2 X25519, 1 mlkem768x25519".
func describePolicy(counts map[string]int) string {
	if len(counts) == 0 {
		return "no stanzas"
	}
	var parts []string
	for _, t := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[t], t))
	}
	return strings.Join(parts, ", ")
}
