//go:build !unix

package client

import "testing"

// runUnprivileged is only needed where tests may run as root.
func runUnprivileged(t *testing.T, test string) {
	t.Skip("running as another user needs a unix system")
}
