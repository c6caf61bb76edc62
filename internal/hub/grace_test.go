package hub

import (
	"errors"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/testutil/instants"
)

// TestEpochGraceIsNeverShort publishes epoch 2 half a minute before the
// end of an hour (from each instant) and checks how long epoch 1 stays
// accepted. The store keeps only the hour of a publication: counting the
// grace from there cut it by up to an hour, to a minute for a one-hour
// grace here (and to 23 h 0 min 30 s for the default day), depending on
// the time of day. It is counted from the moment this server accepted
// the epoch, or, for an epoch read back from the store after a restart,
// from the end of its hour: never shorter than configured.
func TestEpochGraceIsNeverShort(t *testing.T) {
	t.Parallel()
	id, _ := age.GenerateHybridIdentity()
	recips := []string{id.Recipient().String()}
	const grace = time.Hour
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			t.Parallel()
			hourStart := in.T.UTC().Truncate(time.Hour)
			published := hourStart.Add(59*time.Minute + 30*time.Second).In(in.T.Location())
			build := func(accepted time.Time) *Hub {
				t.Helper()
				h, err := New("h", "", nil, 0, 0)
				if err != nil {
					t.Fatal(err)
				}
				h.EpochGrace = grace
				for epoch := uint64(1); epoch <= 2; epoch++ {
					set, err := NewRecipientSet(epoch, recips)
					if err != nil {
						t.Fatal(err)
					}
					set.Signed, set.Published = []byte("signed"), hourStart.Add(-time.Duration(2-epoch)*24*time.Hour)
					if epoch == 2 {
						set.Accepted = accepted
					}
					if h, err = h.WithEpoch(set); err != nil {
						t.Fatal(err)
					}
				}
				return h
			}
			for _, tt := range []struct {
				name string
				h    *Hub
				last time.Time // the last moment epoch 1 is accepted
			}{
				{"as published", build(published), published.Add(grace)},
				{"after a restart", build(time.Time{}), hourStart.Add(time.Hour + grace)},
			} {
				for _, at := range []time.Time{published, published.Add(grace), tt.last} {
					if _, err := tt.h.RecipientsAt(1, at); err != nil {
						t.Errorf("%s: epoch 1 refused at %v, published %v: %v", tt.name, at.UTC(), published.UTC(), err)
					}
				}
				if _, err := tt.h.RecipientsAt(1, tt.last.Add(time.Nanosecond)); !errors.Is(err, ErrStaleEpoch) {
					t.Errorf("%s: epoch 1 at %v: %v, want stale", tt.name, tt.last.Add(time.Nanosecond).UTC(), err)
				}
			}
		})
	}
}
