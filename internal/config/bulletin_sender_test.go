package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBulletinSender covers the hub setting bulletin_sender: its default,
// a valid value, and refusals that name the setting.
func TestBulletinSender(t *testing.T) {
	example, err := Load(filepath.Join("..", "..", "config", "difesad.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	it := example.Hubs[0]
	it.ManifestFile = filepath.Join("..", "..", "config", it.ManifestFile)
	tests := []struct {
		sender, want, wantErr string
	}{
		{"", "difesa-it", ""},
		{"allerte@rete.example", "allerte@rete.example", ""},
		{"rete italiana", "", "hub[0]: bulletin_sender:"},
		{"a,b", "", "hub[0]: bulletin_sender:"},
		{"a<b", "", "hub[0]: bulletin_sender:"},
		{"a&b", "", "hub[0]: bulletin_sender:"},
	}
	for _, tt := range tests {
		t.Run(tt.sender, func(t *testing.T) {
			c := Default()
			h := it
			h.BulletinSender = tt.sender
			c.Hubs = []Hub{h}
			err := c.Validate()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Validate() = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k, err := c.BuildHub(h)
			if err != nil || k.Settings.BulletinSender != tt.want {
				t.Fatalf("BuildHub: %v, sender %q, want %q", err, k.Settings.BulletinSender, tt.want)
			}
		})
	}
}

// TestBulletinSenderFromFile reads the setting from TOML.
func TestBulletinSenderFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "difesad.toml")
	os.WriteFile(path, []byte("[[hub]]\nid = \"it\"\nbulletin_sender = \"allerte@rete.example\"\n"), 0o600)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Hubs[0].BulletinSender != "allerte@rete.example" {
		t.Fatalf("read %+v", c.Hubs[0])
	}
}
