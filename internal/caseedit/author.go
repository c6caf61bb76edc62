package caseedit

import (
	"errors"
	"slices"

	"filippo.io/age"

	"difesa.org/difesa/internal/client"
)

// ErrNoLabel means none of the caller's keys has a label in the hub's
// verified recipient list: a record could not say who wrote a change.
var ErrNoLabel = errors.New("caseedit: your key has no label in the hub's recipient list")

// Author is the label of the first of ids that the verified manifest
// lists with a label: who a note or a change is by.
func Author(v *client.Verified, ids []age.Identity) (string, error) {
	for _, id := range ids {
		rcpt, err := client.RecipientOf(id)
		if err != nil {
			continue
		}
		for _, r := range v.Manifest.Recipients {
			if r.Key == rcpt && r.Label != "" {
				return r.Label, nil
			}
		}
	}
	return "", ErrNoLabel
}

// Responders are the labels of the verified manifest's keys, sorted,
// each once: whom a case can be assigned to.
func Responders(v *client.Verified) []string {
	var out []string
	for _, r := range v.Manifest.Recipients {
		if r.Label != "" {
			out = append(out, r.Label)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
