package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/pow"
)

func TestPoWSettings(t *testing.T) {
	t.Parallel()
	if p := Default().PoWPolicy(); p != pow.DefaultPolicy {
		t.Errorf("default policy %+v, want %+v", p, pow.DefaultPolicy)
	}
	tests := []struct {
		name, toml string
		want       string // in the error, if any
		policy     pow.Policy
	}{
		{name: "set", toml: "pow_in_flight = 4\npow_per_minute = 0\npow_min_bits = 10\npow_max_bits = 16\npow_forms_per_minute = 0\n",
			policy: pow.Policy{InFlight: 4, MinBits: 10, MaxBits: 16}},
		{name: "off", toml: "pow_max_bits = 0\npow_min_bits = 0\npow_in_flight = 0\npow_per_minute = 0\n",
			policy: pow.Policy{FormsPerMinute: pow.DefaultPolicy.FormsPerMinute}},
		{name: "too hard", toml: "pow_max_bits = 17\n", want: "pow_max_bits: 17 is not between 1 and 16"},
		{name: "negative", toml: "pow_max_bits = -1\n", want: "pow_max_bits: -1 is not between 1 and 16"},
		{name: "min over max", toml: "pow_min_bits = 16\npow_max_bits = 14\n", want: "pow_min_bits: 16 is not between 1 and pow_max_bits (14)"},
		{name: "min 0", toml: "pow_min_bits = 0\n", want: "pow_min_bits: 0 is not between 1"},
		{name: "never", toml: "pow_in_flight = 0\npow_per_minute = 0\n", want: "both 0 would never ask for work"},
		{name: "negative threshold", toml: "pow_in_flight = -3\n", want: "pow_in_flight: -3 is negative"},
		{name: "negative forms", toml: "pow_forms_per_minute = -1\n", want: "pow_forms_per_minute: -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "difesad.toml")
			os.WriteFile(path, []byte(tt.toml), 0o600)
			c, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Validate()
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("Validate = %v, want %q", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p := c.PoWPolicy(); p != tt.policy {
				t.Errorf("policy %+v, want %+v", p, tt.policy)
			}
		})
	}
}
