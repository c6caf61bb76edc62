package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserecord"
)

// runCaseHub runs "difesa case labels|statuses -hub URL -i IDENTITY
// +NAME|-NAME...": it changes the hub record's label set or sub-statuses.
// A stale write fetches the hub record again and applies the same adds and
// removes to it, which is the merge of two sets (caseedit.WriteHub).
func runCaseHub(ctx context.Context, e *env, sub string, rf *responderFlags, pos []string) error {
	if len(pos) == 0 {
		return usageErrorf("case", "case %s expects +NAME or -NAME", sub).hint(
			"for example: difesa case labels -hub URL -i key.txt +urgent -old")
	}
	for _, a := range pos {
		if len(a) < 2 || (a[0] != '+' && a[0] != '-') {
			return usageErrorf("case", "%q is neither +NAME nor -NAME", a)
		}
	}
	c, ids, logout, err := rf.login(ctx)
	if err != nil {
		return err
	}
	defer logout()
	v, err := verifyHub(ctx, e, c, rf.pin)
	if err != nil {
		return err
	}
	h, nv, _, err := caseedit.WriteHub(ctx, c, ids, v.Recipients, func(h *caserecord.Hub) error {
		list := &h.Labels
		if sub == "statuses" {
			list = &h.SubStatuses
		}
		for _, a := range pos {
			if a[0] == '+' {
				*list = append(*list, a[1:])
			} else {
				*list = slices.DeleteFunc(*list, func(x string) bool { return x == a[1:] })
			}
		}
		return nil
	})
	if errors.Is(err, caseedit.ErrKeptChanging) {
		return errorWithHints(fmt.Sprintf("the hub's case settings kept changing while they were written %d times", maxCaseWrites),
			"try again in a moment")
	}
	if err != nil {
		return err
	}
	e.printf("case settings of hub %q changed (version %d)", c.HubID(), nv)
	return writeAll(e.stdout, fmt.Sprintf("labels: %s\nsub-statuses: %s\n", cleanList(h.Labels), cleanList(h.SubStatuses)))
}

func cleanList(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += clean(x)
	}
	if out == "" {
		return "(none)"
	}
	return out
}
