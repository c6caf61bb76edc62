package codename

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
)

// The vectors in docs/vectors/codename.json are the contract with the web
// pages: web/test/codename.test.js checks the same file. The committed file
// is what both check; `go test ./internal/codename -run TestVectors -write`
// regenerates it from vectorInputs below with this package's code.
var writeVectors = flag.Bool("write", false, "regenerate docs/vectors/codename.json")

const vectorsPath = "../../docs/vectors/codename.json"

type vectorFile struct {
	Comment       string          `json:"comment"`
	KDF           vectorKDF       `json:"kdf"`
	Valid         []validVector   `json:"valid"`
	Invalid       []invalidVector `json:"invalid"`
	InvalidHubs   []string        `json:"invalid_hubs"`
	InvalidTokens []string        `json:"invalid_tokens"`
}

type vectorKDF struct {
	Algorithm     string `json:"algorithm"`
	Version       int    `json:"version"`
	Time          int    `json:"time"`
	MemoryKiB     int    `json:"memory_kib"`
	Parallelism   int    `json:"parallelism"`
	OutputLen     int    `json:"output_len"`
	SaltLabel     string `json:"salt_label"`
	InfoIdentity  string `json:"info_identity"`
	InfoToken     string `json:"info_token"`
	VerifierLabel string `json:"verifier_label"`
}

type validVector struct {
	Comment     string `json:"comment"`
	Input       string `json:"input"`
	Normalized  string `json:"normalized"`
	Hub         string `json:"hub"`
	SaltHex     string `json:"salt_hex"`
	MasterHex   string `json:"master_hex"`
	Identity    string `json:"identity"`
	Recipient   string `json:"recipient"`
	TokenHex    string `json:"token_hex"`
	Token       string `json:"token"`
	VerifierHex string `json:"verifier_hex"`
}

type invalidVector struct {
	Comment string `json:"comment"`
	Input   string `json:"input"`
	// Error is "unknown_word", "word_count" or "too_long".
	Error string `json:"error"`
	// Position is the 1-based position of the unknown word, or 0.
	Position int `json:"position,omitempty"`
}

// vectorInputs are the inputs the vectors are generated from.
var vectorInputs = struct {
	valid   []struct{ comment, input, hub string }
	invalid []struct{ comment, input string }
}{
	valid: []struct{ comment, input, hub string }{
		{"already normalised", "erupt-material-poncho-july-daycare-operator-revisit", "demo"},
		{"same codename as typed: capitals, spaces, tab, dots", "  Erupt MATERIAL\tponcho. July  daycare operator revisit ", "demo"},
		{"same codename, another hub: unrelated keys", "erupt material poncho july daycare operator revisit", "ke-defenders"},
		{"accents (precomposed and combining), dashes, NBSP, zero-width space, smart quotes", "\u201cG\u00e9ri\u0061\u0301tric \u2014 SKYROCKET\u00a0regr\u00c9tful \u2013 lin\u200bguist \u00b7 paycheck / spiritism, ca\u0308ddie\u201d", "demo"},
		{"the four hyphenated words, split and joined, and yoyo next to yo-yo", "yo-yo yoyo drop down felt_tip T-Shirt abacus zoology", "demo"},
		{"fullwidth letters, ideographic space, line breaks", "\uff27\uff55\uff59\u3000follow\r\narrogance\nstrength\nhandwork\nfootless\nimplode", "amnesty-7"},
		{"one word per line, each followed by a dot", "dilute.\ngroggy.\nhelper.\nrunway.\nengulf.\nshredding.\nalibi.", "demo"},
		{"words no longer generated (internal/codename/denylist.txt) still read, with the keys they always had", "autism aids casket handgun coma epileptic arrest", "demo"},
	},
	invalid: []struct{ comment, input string }{
		{"empty", ""},
		{"only separators", " - . \n"},
		{"six words", "erupt material poncho july daycare operator"},
		{"eight words", "erupt material poncho july daycare operator revisit alibi"},
		{"unknown word, no typo correction", "erupt material ponco july daycare operator revisit"},
		{"hyphenated word without its hyphen is not in the list", "erupt material tshirt july daycare operator revisit"},
		{"first half of a hyphenated word alone", "erupt material poncho july daycare operator drop"},
		{"digits are not separators", "1 erupt material poncho july daycare operator"},
		{"Cyrillic a in abacus (homoglyph)", "\u0430bacus material poncho july daycare operator revisit"},
		{"letters without an ASCII base (sharp s) are kept, so the word is unknown", "erupt material poncho july daycare operator stra\u00dfe"},
		{"unknown word reported before the word count", "erupt qqq"},
		{"longer than 512 bytes, even if the words are right", "erupt material poncho july daycare operator revisit" + strings.Repeat(" ", 500)},
	},
}

var vectorInvalidHubs = []string{"", "Demo", "-demo", "demo/x", "a234567890123456789012345678901234", "d\u00e9mo"}

var vectorInvalidTokens = []string{
	"",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",   // 42 characters
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", // padded
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",  // non-zero unused bits
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",  // standard alphabet
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nA", // line break
}

func generateVectors(t *testing.T) *vectorFile {
	f := &vectorFile{
		Comment: "Codename test vectors, generated by `go test ./internal/codename -run TestVectors -write`; see docs/codename.md. Checked by internal/codename and web/test/codename.test.js.",
		KDF: vectorKDF{
			Algorithm: "argon2id", Version: 0x13, Time: argonTime, MemoryKiB: argonMemoryKiB,
			Parallelism: argonThreads, OutputLen: masterLen, SaltLabel: kdfLabel,
			InfoIdentity: infoIdentity, InfoToken: infoToken, VerifierLabel: verifierLabel,
		},
		InvalidHubs:   vectorInvalidHubs,
		InvalidTokens: vectorInvalidTokens,
	}
	for _, in := range vectorInputs.valid {
		c, err := Parse(in.input)
		if err != nil {
			t.Fatalf("%s: %v", in.comment, err)
		}
		master := stretch(c.String(), in.hub)
		k, err := expand(master)
		if err != nil {
			t.Fatal(err)
		}
		f.Valid = append(f.Valid, validVector{
			Comment: in.comment, Input: in.input, Normalized: c.String(), Hub: in.hub,
			SaltHex: hex.EncodeToString(kdfSalt(in.hub)), MasterHex: hex.EncodeToString(master),
			Identity: k.Identity.String(), Recipient: k.Recipient,
			TokenHex: hex.EncodeToString(k.Token[:]), Token: TokenString(k.Token),
			VerifierHex: hex.EncodeToString(k.Verifier[:]),
		})
	}
	for _, in := range vectorInputs.invalid {
		_, err := Parse(in.input)
		kind, pos := errorKind(err)
		if kind == "" {
			t.Fatalf("%s: Parse error = %v, want one of the documented errors", in.comment, err)
		}
		f.Invalid = append(f.Invalid, invalidVector{Comment: in.comment, Input: in.input, Error: kind, Position: pos})
	}
	return f
}

// errorKind maps a Parse error to the vectors' error names.
func errorKind(err error) (string, int) {
	var we *WordError
	switch {
	case errors.As(err, &we):
		return "unknown_word", we.Position
	case errors.Is(err, ErrWordCount):
		return "word_count", 0
	case errors.Is(err, ErrTooLong):
		return "too_long", 0
	}
	return "", 0
}

func TestVectors(t *testing.T) {
	if *writeVectors {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(generateVectors(t)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(vectorsPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", vectorsPath)
	}

	data, err := os.ReadFile(vectorsPath)
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Valid) < 5 || len(f.Invalid) < 5 {
		t.Fatalf("vector file holds %d valid and %d invalid vectors, want at least 5 of each", len(f.Valid), len(f.Invalid))
	}
	if f.KDF.Time != argonTime || f.KDF.MemoryKiB != argonMemoryKiB || f.KDF.Parallelism != argonThreads {
		t.Errorf("vector file KDF parameters %+v differ from the package's", f.KDF)
	}

	for _, v := range f.Valid {
		t.Run("valid/"+v.Comment, func(t *testing.T) {
			t.Parallel()
			c, err := Parse(v.Input)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if got := c.String(); got != v.Normalized {
				t.Fatalf("normalised = %q, want %q", got, v.Normalized)
			}
			if got := hex.EncodeToString(kdfSalt(v.Hub)); got != v.SaltHex {
				t.Errorf("salt = %s, want %s", got, v.SaltHex)
			}
			if got := hex.EncodeToString(stretch(c.String(), v.Hub)); got != v.MasterHex {
				t.Errorf("Argon2id output = %s, want %s", got, v.MasterHex)
			}
			k, err := Derive(c, v.Hub)
			if err != nil {
				t.Fatalf("Derive: %v", err)
			}
			check := func(what, got, want string) {
				if got != want {
					t.Errorf("%s = %q, want %q", what, got, want)
				}
			}
			check("identity", k.Identity.String(), v.Identity)
			check("recipient", k.Recipient, v.Recipient)
			check("token", hex.EncodeToString(k.Token[:]), v.TokenHex)
			check("token string", TokenString(k.Token), v.Token)
			check("verifier", hex.EncodeToString(k.Verifier[:]), v.VerifierHex)
			tok, err := ParseToken(v.Token)
			if err != nil || tok != k.Token {
				t.Errorf("ParseToken(%q) = %x, %v", v.Token, tok, err)
			}
		})
	}
	for _, v := range f.Invalid {
		t.Run("invalid/"+v.Comment, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(v.Input)
			kind, pos := errorKind(err)
			if kind != v.Error || pos != v.Position {
				t.Errorf("Parse error = %v (%s, position %d), want %s, position %d", err, kind, pos, v.Error, v.Position)
			}
		})
	}
	c, _ := Parse(f.Valid[0].Input)
	for _, h := range f.InvalidHubs {
		if _, err := Derive(c, h); !errors.Is(err, ErrHubID) {
			t.Errorf("Derive(hub %q) error = %v, want ErrHubID", h, err)
		}
	}
	for _, s := range f.InvalidTokens {
		if _, err := ParseToken(s); !errors.Is(err, ErrMalformedToken) {
			t.Errorf("ParseToken(%q) error = %v, want ErrMalformedToken", s, err)
		}
	}
}
