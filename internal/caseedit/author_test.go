package caseedit_test

import (
	"errors"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/manifest"
)

func TestAuthorAndResponders(t *testing.T) {
	t.Parallel()
	ana, _ := age.GenerateHybridIdentity()
	bo, _ := age.GenerateHybridIdentity()
	stranger, _ := age.GenerateHybridIdentity()
	key := func(id age.Identity) string {
		k, err := client.RecipientOf(id)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	v := &client.Verified{Manifest: &manifest.Manifest{Recipients: []manifest.Recipient{
		{Key: key(bo), Role: manifest.RoleResponder, Label: "Bo"},
		{Key: key(ana), Role: manifest.RoleResponder, Label: "Ana"},
		{Key: key(stranger), Role: manifest.RoleResponder},
	}}}
	for _, tc := range []struct {
		name string
		ids  []age.Identity
		want string
		err  error
	}{
		{"labelled", []age.Identity{ana}, "Ana", nil},
		{"first labelled key wins", []age.Identity{stranger, bo, ana}, "Bo", nil},
		{"no label", []age.Identity{stranger}, "", caseedit.ErrNoLabel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := caseedit.Author(v, tc.ids)
			if got != tc.want || !errors.Is(err, tc.err) {
				t.Fatalf("Author = %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
	if got := caseedit.Responders(v); len(got) != 2 || got[0] != "Ana" || got[1] != "Bo" {
		t.Fatalf("Responders = %q", got)
	}
}
