package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLimits reads the limit settings from TOML, for a hub with the
// example's keys, and checks defaults and refusals.
func TestLimits(t *testing.T) {
	t.Parallel()
	manifest, err := filepath.Abs(filepath.Join("..", "..", "keys", "it.manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	hubBlock := "[[hub]]\nid = \"it\"\nadmin_key = \"difesa-admin-ed25519:fa8VXg7rioWeJ5bQpDywBlNXqGMjASgHybLCfZvk8FM\"\n" +
		"manifest_file = \"" + manifest + "\"\n"
	tests := []struct {
		name           string
		global, hub    string
		perHour        int
		stored         int64
		conns, uploads int
		want           string // in the error, if any
	}{
		{name: "defaults", perHour: DefaultMaxSubmissionsPerHour, conns: DefaultMaxConnections, uploads: DefaultMaxConcurrentUploads},
		{name: "set", global: "max_connections = 64\nmax_concurrent_uploads = 8\n", hub: "max_stored_bytes = \"10GiB\"\nmax_submissions_per_hour = 50\n",
			perHour: 50, stored: 10 << 30, conns: 64, uploads: 8},
		{name: "no hourly cap", hub: "max_submissions_per_hour = 0\n", conns: DefaultMaxConnections, uploads: DefaultMaxConcurrentUploads},
		{name: "negative cap", hub: "max_submissions_per_hour = -1\n", want: "max_submissions_per_hour: -1 is negative"},
		{name: "quota under the largest submission", hub: "max_stored_bytes = \"1GiB\"\n", want: "max_stored_bytes: 1073741824 bytes is less than max_submission_size"},
		{name: "zero quota", hub: "max_stored_bytes = \"0B\"\n", want: "invalid size"},
		{name: "no connections", global: "max_connections = 0\n", want: "max_connections: 0 must be at least 1"},
		{name: "more uploads than connections", global: "max_connections = 10\nmax_concurrent_uploads = 11\n", want: "max_concurrent_uploads: 11 is more than max_connections (10)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "difesad.toml")
			os.WriteFile(path, []byte(tt.global+"\n"+hubBlock+tt.hub), 0o600)
			c, err := Load(path)
			if err == nil {
				err = c.Validate()
			}
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			k, err := c.BuildHub(c.Hubs[0])
			if err != nil {
				t.Fatal(err)
			}
			if k.Settings.MaxSubmissionsPerHour != tt.perHour || k.Settings.MaxStoredBytes != tt.stored ||
				c.MaxConnections != tt.conns || c.MaxConcurrentUploads != tt.uploads {
				t.Fatalf("per hour %d, stored %d, connections %d, uploads %d",
					k.Settings.MaxSubmissionsPerHour, k.Settings.MaxStoredBytes, c.MaxConnections, c.MaxConcurrentUploads)
			}
		})
	}
}
