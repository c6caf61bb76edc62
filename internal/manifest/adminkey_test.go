package manifest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/hub"
)

func TestKeyRoundTrip(t *testing.T) {
	t.Parallel()
	sk, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	file := sk.File(time.Date(2026, 11, 1, 15, 4, 5, 0, time.UTC))
	if !strings.HasPrefix(string(file), "# created: 2026-11-01\n# public key: "+sk.Public().String()+"\n"+SecretKeyPrefix) {
		t.Fatalf("key file:\n%s", file)
	}
	got, err := ParseSecretKeyFile(strings.NewReader(string(file)))
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != sk.String() || !got.Public().Equal(sk.Public()) {
		t.Fatal("secret key did not round-trip")
	}
	pub, err := ParsePublicKey(sk.Public().String())
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(sk.Public()) || pub.String() != sk.Public().String() {
		t.Fatal("public key did not round-trip")
	}
}

func TestSecretKeyFileErrors(t *testing.T) {
	t.Parallel()
	sk := testKey()
	secret := sk.String()
	b64 := strings.TrimPrefix(secret, SecretKeyPrefix)
	tests := []struct {
		name, file string
		ok         bool
	}{
		{"only key", secret + "\n", true},
		{"no final newline", secret, true},
		{"CRLF and comments", "# created: x\r\n\r\n" + secret + "\r\n", true},
		{"indented", "  " + secret + "  \n", true},
		{"empty", "", false},
		{"only comments", "# created: x\n# public key: y\n", false},
		{"two keys", secret + "\n" + secret + "\n", false},
		{"lowercase prefix", strings.ToLower(SecretKeyPrefix) + b64 + "\n", false},
		{"public key", sk.Public().String() + "\n", false},
		{"age identity", testAgeSecret + "\n", false},
		{"short", secret[:len(secret)-1] + "\n", false},
		{"long", secret + "AA\n", false},
		{"padded", secret + "=\n", false},
		{"std base64", SecretKeyPrefix + strings.NewReplacer("-", "+", "_", "/").Replace(b64) + "x\n", false},
		{"huge", strings.Repeat("#", maxKeyFileSize+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseSecretKeyFile(strings.NewReader(tt.file))
			if tt.ok {
				if err != nil || got.String() != secret {
					t.Fatalf("got %v, %v", got, err)
				}
				return
			}
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("err = %v, want ErrBadKey", err)
			}
			for _, f := range strings.Fields(tt.file) {
				if len(f) > 20 && strings.Contains(err.Error(), f) {
					t.Fatalf("error echoes the input: %v", err)
				}
			}
		})
	}
}

func TestParsePublicKeyErrors(t *testing.T) {
	t.Parallel()
	pub := testKey().Public().String()
	b64 := strings.TrimPrefix(pub, PublicKeyPrefix)
	tests := []struct {
		name, in string
		secret   bool
	}{
		{"empty", "", false},
		{"no prefix", b64, false},
		{"upper prefix", strings.ToUpper(PublicKeyPrefix) + b64, false},
		{"padded", pub + "=", false},
		{"short", pub[:len(pub)-2], false},
		{"long", pub + "AA", false},
		{"trailing space", pub + " ", false},
		{"non-canonical last char", pub[:len(pub)-1] + "9", false},
		{"age recipient", testX25519[0], false},
		{"admin secret", testKey().String(), true},
		{"admin secret lowercase", strings.ToLower(testKey().String()), true},
		{"age secret", testAgeSecret, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePublicKey(tt.in)
			if !errors.Is(err, ErrBadKey) {
				t.Fatalf("err = %v, want ErrBadKey", err)
			}
			if errors.Is(err, hub.ErrSecretKey) != tt.secret {
				t.Fatalf("err = %v, secret refusal want %v", err, tt.secret)
			}
			if tt.secret && strings.Contains(strings.ToUpper(err.Error()), strings.ToUpper(tt.in[len(tt.in)-20:])) {
				t.Fatalf("error echoes the secret: %v", err)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	pub := testKey().Public()
	fp := pub.Fingerprint()
	if len(fp) != 49 || strings.Count(fp, " ") != 9 || strings.ToLower(fp) != fp {
		t.Fatalf("fingerprint %q: want 10 groups of 4 lowercase hex digits", fp)
	}
	compact := strings.ReplaceAll(fp, " ", "")
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"canonical", fp, true},
		{"compact", compact, true},
		{"upper", strings.ToUpper(fp), true},
		{"messy spaces", "  " + compact[:7] + "\t" + compact[7:30] + "\n " + compact[30:] + " ", true},
		{"empty", "", false},
		{"short", compact[:39], false},
		{"long", compact + "0", false},
		{"not hex", compact[:39] + "g", false},
		{"dashes", strings.ReplaceAll(fp, " ", "-"), false},
		{"other key", otherKey().Public().Fingerprint(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := pub.MatchesFingerprint(tt.in); got != tt.ok {
				t.Fatalf("MatchesFingerprint(%q) = %v, want %v", tt.in, got, tt.ok)
			}
			canon, err := ParseFingerprint(tt.in)
			if tt.ok && (err != nil || canon != fp) {
				t.Fatalf("ParseFingerprint = %q, %v", canon, err)
			}
		})
	}
	if (PublicKey{}).MatchesFingerprint(fp) {
		t.Fatal("zero key matches a fingerprint")
	}
}
