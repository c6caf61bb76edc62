package config

import (
	"errors"
	"fmt"

	"difesa.org/difesa/internal/pow"
)

// MaxPoWBits is the highest pow_max_bits allowed: at 16 bits Firefox ESR
// at Tor Browser's Safer level (no JIT, no WebAssembly) works about 4 s on
// average, measured at 15,000–18,000 tries a second (docs/web.md); at 18
// it was 16 s and at 20 over a minute, too long for a defender on an old
// laptop, so a hub cannot ask for them, and clients refuse them
// ([pow.MaxSolveBits]).
const MaxPoWBits = pow.MaxSolveBits

// PoWPolicy is the proof-of-work policy the pow_* settings describe.
func (c *Config) PoWPolicy() pow.Policy {
	return pow.Policy{
		InFlight: c.PoWInFlight, PerMinute: c.PoWPerMinute,
		MinBits: c.PoWMinBits, MaxBits: c.PoWMaxBits,
		FormsPerMinute: c.PoWFormsPerMinute,
	}
}

// validatePoW checks the pow_* settings.
func (c *Config) validatePoW() []error {
	var errs []error
	for _, s := range []struct {
		name string
		v    int
	}{{"pow_in_flight", c.PoWInFlight}, {"pow_per_minute", c.PoWPerMinute}, {"pow_forms_per_minute", c.PoWFormsPerMinute}} {
		if s.v < 0 {
			errs = append(errs, fmt.Errorf("%s: %d is negative", s.name, s.v))
		}
	}
	if c.PoWMaxBits == 0 {
		return errs // off
	}
	if c.PoWMaxBits < 0 || c.PoWMaxBits > MaxPoWBits {
		errs = append(errs, fmt.Errorf("pow_max_bits: %d is not between 1 and %d (0 turns proof of work off); each bit doubles the work, and at %d Tor Browser at Safer already works about 4 s on average (docs/pow.md)",
			c.PoWMaxBits, MaxPoWBits, MaxPoWBits))
	}
	if c.PoWMinBits < 1 || c.PoWMinBits > c.PoWMaxBits {
		errs = append(errs, fmt.Errorf("pow_min_bits: %d is not between 1 and pow_max_bits (%d)", c.PoWMinBits, c.PoWMaxBits))
	}
	if c.PoWInFlight == 0 && c.PoWPerMinute == 0 {
		errs = append(errs, errors.New("pow_in_flight and pow_per_minute: both 0 would never ask for work; set pow_max_bits = 0 to turn proof of work off"))
	}
	return errs
}
