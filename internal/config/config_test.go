package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestExampleConfigIsValid(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "config", "difesad.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("the example configuration does not validate:\n%v", err)
	}
	if len(c.Hubs) != 2 || c.Demo() {
		t.Fatalf("example hubs: %+v", c.Hubs)
	}
	h, err := c.BuildHub(c.Hubs[0])
	if err != nil || len(h.RecipientStrings()) != 2 || h.MaxSubmissionSize != 2<<30 {
		t.Fatalf("hub it: %v %+v", err, h)
	}
	h, _ = c.BuildHub(c.Hubs[1])
	if h.TimeGranularity != 24*time.Hour || h.MaxSubmissionSize != 500<<20 {
		t.Fatalf("hub si: %+v", h)
	}
}

func TestSecretKeyInRecipientsIsRefused(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "r.txt"), []byte("AGE-SECRET-KEY-PQ-1QQQQ\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "c.toml"), []byte("[[hub]]\nid = \"x\"\nrecipients_file = \"r.txt\"\n"), 0o600)
	c, err := Load(filepath.Join(dir, "c.toml"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Validate()
	if err == nil || !strings.Contains(err.Error(), "hub[0]") {
		t.Fatalf("secret key accepted as recipient: %v", err)
	}
	if strings.Contains(err.Error(), "QQQQ") {
		t.Fatalf("error message repeats the secret key: %v", err)
	}
}

func TestSizeAndDuration(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2GiB", 2 << 30, true}, {"500MiB", 500 << 20, true}, {"10KiB", 10 << 10, true},
		{"4096", 4096, true}, {"12B", 12, true}, {"0", 0, false}, {"-1GiB", 0, false},
		{"1TB", 0, false}, {"lots", 0, false}, {"99999999999GiB", 0, false},
	} {
		var s Size
		err := s.UnmarshalText([]byte(tt.in))
		if (err == nil) != tt.ok || (tt.ok && int64(s) != tt.want) {
			t.Errorf("Size(%q) = %d, %v", tt.in, s, err)
		}
	}
	var d Duration
	if d.UnmarshalText([]byte("soon")) == nil {
		t.Error("bad duration accepted")
	}
}
