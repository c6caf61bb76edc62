package caserestrict

import (
	"context"
	"fmt"
	"slices"

	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
)

// Apply makes the restriction of case id name exactly keys (sorted age
// recipient strings of the hub's current manifest, the caller's among
// them; none lifts it) and returns it. If it already does, nothing is
// sent, so that running the same steps again only finishes the
// re-encryption. A colleague's change meanwhile fails with a
// [*client.StaleVersionError]: read again and decide again, never merge.
func Apply(ctx context.Context, c *client.Client, id string, keys []string) (*wire.Restriction, error) {
	rs, err := c.GetRestriction(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading the restriction of %s: %w", id, err)
	}
	if slices.Equal(rs.Keys, keys) {
		return rs, nil
	}
	if len(keys) == 0 {
		rs, err = c.Unrestrict(ctx, id, rs.Version)
	} else {
		rs, err = c.Restrict(ctx, id, keys, rs.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("changing the restriction of %s: %w", id, err)
	}
	return rs, nil
}
