package config

import (
	"os"
	"path/filepath"
	"slices"
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
	k, err := c.BuildHub(c.Hubs[0])
	if err != nil || k.Settings.MaxSubmissionSize != 2<<30 || len(k.Initial) == 0 {
		t.Fatalf("hub it: %v %+v", err, k)
	}
	k, _ = c.BuildHub(c.Hubs[1])
	if k.Settings.TimeGranularity != 24*time.Hour || k.Settings.MaxSubmissionSize != 500<<20 || k.Settings.EpochGrace != 72*time.Hour {
		t.Fatalf("hub si: %+v", k.Settings)
	}
}

func TestHubKeyProblems(t *testing.T) {
	example, err := Load(filepath.Join("..", "..", "config", "difesad.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	it, si := example.Hubs[0], example.Hubs[1]
	abs := func(h Hub) Hub {
		h.ManifestFile = filepath.Join("..", "..", "config", h.ManifestFile)
		return h
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "recipients.txt")
	os.WriteFile(plain, []byte("age1pq1abc\n"), 0o600)
	secret := filepath.Join(dir, "secret.txt")
	os.WriteFile(secret, []byte("AGE-SECRET-KEY-PQ-1QQQQ\n"), 0o600)
	tests := []struct {
		name string
		edit func(h Hub) Hub
		want string
	}{
		{"no admin key", func(h Hub) Hub { h.AdminKey = ""; return h }, "admin_key: missing"},
		{"malformed admin key", func(h Hub) Hub { h.AdminKey = "difesa-admin-ed25519:xyz"; return h }, "admin_key:"},
		{"secret admin key", func(h Hub) Hub { h.AdminKey = "DIFESA-ADMIN-SECRET-KEY-QQQQ"; return h }, "admin_key:"},
		{"no manifest", func(h Hub) Hub { h.ManifestFile = ""; return h }, "manifest_file: missing"},
		{"missing manifest file", func(h Hub) Hub { h.ManifestFile = "/nonexistent.json"; return h }, "no such file"},
		{"unsigned list", func(h Hub) Hub { h.ManifestFile = plain; return h }, "not a signed manifest"},
		{"secret key file", func(h Hub) Hub { h.ManifestFile = secret; return h }, "not a signed manifest"},
		{"another hub's admin key", func(h Hub) Hub { h.AdminKey = si.AdminKey; return h }, "manifest_file"},
		{"another hub's manifest", func(h Hub) Hub { h.ManifestFile = abs(si).ManifestFile; return h }, "manifest_file"},
	}
	for _, tt := range tests {
		c := Default()
		h := tt.edit(abs(it))
		_, err := c.BuildHub(h)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.name, err)
		}
		if err != nil && strings.Contains(err.Error(), "QQQQ") {
			t.Errorf("%s: error repeats a secret: %v", tt.name, err)
		}
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

// TestEscalationLimits: escalate_after and escalate_steps are checked,
// unset means the defaults, and a file sets them.
func TestEscalationLimits(t *testing.T) {
	example, err := Load(filepath.Join("..", "..", "config", "difesad.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		after time.Duration
		steps int
		want  string
	}{
		{0, 0, ""}, {time.Minute, 1, ""}, {24 * time.Hour, 10, ""},
		{59 * time.Second, 0, "escalate_after"}, {25 * time.Hour, 0, "escalate_after"}, {-time.Minute, 0, "escalate_after"},
		{0, 11, "escalate_steps"}, {0, -1, "escalate_steps"},
	} {
		c := *example
		c.Hubs = slices.Clone(example.Hubs)
		c.Hubs[0].EscalateAfter, c.Hubs[0].EscalateSteps = Duration(tt.after), tt.steps
		err := c.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), "hub[0]."+tt.want)) {
			t.Errorf("escalate_after %v, escalate_steps %d: %v", tt.after, tt.steps, err)
		}
	}
	if e := (Hub{}).Escalation(); e.After != 0 || e.Steps != 0 || e.Interval(3) != 40*time.Minute {
		t.Errorf("defaults: %+v, step 3 after %v", e, e.Interval(3))
	}
	path := filepath.Join(t.TempDir(), "d.toml")
	os.WriteFile(path, []byte("[[hub]]\nid = \"x\"\nescalate_after = \"3m\"\nescalate_steps = 2\n"), 0o600)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Hubs[0].Escalation(); e.After != 3*time.Minute || e.Steps != 2 || e.Interval(2) != 6*time.Minute {
		t.Errorf("from the file: %+v", e)
	}
}
