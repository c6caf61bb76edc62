package cli

import (
	"testing"
	"time"

	"difesa.org/difesa/internal/wire"
)

func TestInboxMark(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sub  wire.Submission
		want string
	}{
		{"missed check-in", wire.Submission{Kind: wire.KindCheckin, Checkin: "missed", Status: wire.StatusNew}, markMissed},
		{"missed and being handled", wire.Submission{Kind: wire.KindCheckin, Checkin: "missed", Status: wire.StatusInProgress}, markMissed},
		{"armed check-in", wire.Submission{Kind: wire.KindCheckin, Checkin: "armed", Status: wire.StatusNew}, ""},
		{"new alert", wire.Submission{Kind: wire.KindAlert, Status: wire.StatusNew}, markUrgent},
		{"alert in progress", wire.Submission{Kind: wire.KindAlert, Status: wire.StatusInProgress}, markUrgent},
		{"closed alert", wire.Submission{Kind: wire.KindAlert, Status: wire.StatusClosed}, ""},
		{"report", wire.Submission{Kind: wire.KindReport, Status: wire.StatusNew}, ""},
		{"report claiming a missed timer", wire.Submission{Kind: wire.KindReport, Checkin: "missed"}, ""},
	}
	for _, tt := range tests {
		if got := inboxMark(tt.sub); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"24h": 24 * time.Hour, "90m": 90 * time.Minute, "1h30m": 90 * time.Minute, "2d": 48 * time.Hour, " 7d ": 7 * 24 * time.Hour,
	} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "soon", "d", "-1d", "1000d", "1.5d"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) succeeded", in)
		}
	}
	for d, want := range map[time.Duration]string{0: "0", 2 * time.Minute: "2m", 24 * time.Hour: "24h", 90 * time.Minute: "1h30m", 90 * time.Second: "1m30s"} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
