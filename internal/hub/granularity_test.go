package hub

import (
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
)

// TestGranularityAlignsOnTheDay accepts only granularities whose periods
// start at the same whole UTC hours every day, and checks at every instant
// that arrival times round down to such an hour. Before the fix 5 h or
// 90 min were accepted: a 90-minute hub stored arrivals at half past, a
// 5-hour one at hours that changed from day to day.
func TestGranularityAlignsOnTheDay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		gran string
		ok   bool
	}{
		{"1h", true}, {"2h", true}, {"3h", true}, {"5h", false}, {"6h", true}, {"90m", false},
		{"1h0m1s", false}, {"12h", true}, {"24h", true}, {"36h", false}, {"48h", true}, {"59m", false},
	} {
		t.Run(tt.gran, func(t *testing.T) {
			t.Parallel()
			g, _ := time.ParseDuration(tt.gran)
			h, err := New("h", "", nil, 0, g)
			if (err == nil) != tt.ok || (err != nil && !strings.Contains(err.Error(), "time_granularity")) {
				t.Fatalf("New: %v, want ok %v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			for _, in := range instants.All(t) {
				got := h.RoundTime(in.T)
				u := in.T.UTC()
				sinceMidnight := time.Duration(u.Hour())*time.Hour + time.Duration(u.Minute())*time.Minute + time.Duration(u.Second())*time.Second
				if g <= 24*time.Hour {
					want := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC).Add(sinceMidnight / g * g)
					if !got.Equal(want) || got.Location() != time.UTC {
						t.Errorf("%s: RoundTime %v, want %v", in.Name, got, want)
					}
				} else if got.Hour() != 0 || got.Minute() != 0 || got.After(in.T) || in.T.Sub(got) >= g {
					t.Errorf("%s: RoundTime %v", in.Name, got)
				}
			}
		})
	}
}
