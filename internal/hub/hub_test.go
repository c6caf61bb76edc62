package hub

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

func TestNew(t *testing.T) {
	pq, _ := age.GenerateHybridIdentity()
	x, _ := age.GenerateX25519Identity()
	pqs, xs := pq.Recipient().String(), x.Recipient().String()
	tests := []struct {
		name   string
		id     string
		recips []string
		gran   time.Duration
		ok     bool
	}{
		{"pq", "it", []string{pqs}, 0, true},
		{"classic", "it-2", []string{xs}, 24 * time.Hour, true},
		{"mixed pq and classic", "it", []string{pqs, xs}, 0, false},
		{"bad id upper", "IT", []string{pqs}, 0, false},
		{"bad id slash", "a/b", []string{pqs}, 0, false},
		{"bad id long", strings.Repeat("a", 33), []string{pqs}, 0, false},
		{"duplicate", "it", []string{pqs, pqs}, 0, false},
		{"ssh key", "it", []string{"ssh-ed25519 AAAA"}, 0, false},
		{"malformed", "it", []string{"age1pq1nope"}, 0, false},
		{"secret key", "it", []string{pq.String()}, 0, false},
		{"fine granularity", "it", []string{pqs}, time.Minute, false},
	}
	for _, tt := range tests {
		_, err := New(tt.id, "Name", tt.recips, 0, tt.gran)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		if err != nil && strings.Contains(err.Error(), "AGE-SECRET-KEY") {
			t.Errorf("%s: error repeats a secret key", tt.name)
		}
	}
	if _, err := New("it", "", []string{pq.String()}, 0, 0); !errors.Is(err, ErrSecretKey) {
		t.Errorf("secret key: %v", err)
	}
}

func TestHubViews(t *testing.T) {
	a, _ := age.GenerateHybridIdentity()
	b, _ := age.GenerateHybridIdentity()
	h1, _ := New("it", "Rete\nitaliana", []string{a.Recipient().String(), b.Recipient().String()}, 0, 0)
	h2, _ := New("it", "x", []string{b.Recipient().String(), a.Recipient().String()}, 0, 0)
	if h1.Fingerprint() != h2.Fingerprint() || len(h1.Fingerprint()) != 16 {
		t.Fatalf("fingerprint depends on order: %s %s", h1.Fingerprint(), h2.Fingerprint())
	}
	if h1.MaxSubmissionSize != DefaultMaxSubmissionSize {
		t.Fatal("default size limit")
	}
	file := h1.RecipientsFile()
	if bytes.Count(file, []byte("\n# ")) != 1 || strings.Contains(string(file), "Rete\nitaliana") {
		t.Fatalf("a name with a newline broke the comment:\n%s", file)
	}
	rs, err := age.ParseRecipients(bytes.NewReader(file))
	if err != nil || len(rs) != 2 {
		t.Fatalf("recipients file does not parse: %v", err)
	}
	if _, ok := h1.HasRecipient(a.Recipient().String()); !ok {
		t.Fatal("HasRecipient")
	}
	if _, ok := h1.HasRecipient("age1pq1other"); ok {
		t.Fatal("HasRecipient of a stranger")
	}
	at := time.Date(2026, 11, 23, 14, 37, 12, 5, time.FixedZone("CET", 3600))
	if got := h1.RoundTime(at); !got.Equal(time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC)) {
		t.Fatalf("RoundTime = %v", got)
	}
	day, _ := New("d", "", []string{a.Recipient().String()}, 0, 24*time.Hour)
	if got := day.RoundTime(at); !got.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("RoundTime day = %v", got)
	}
}
