package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"difesa.org/difesa/internal/hub"
)

func TestParseValid(t *testing.T) {
	t.Parallel()
	s1, s2 := chain(t)
	label64 := strings.Repeat("é", 63) + "🔒"
	tests := []struct {
		name string
		in   []byte
	}{
		{"epoch 1", s1.Manifest},
		{"epoch 2", s2.Manifest},
		{"classic", classicManifest(t, 3)},
		{"64 classic recipients", classicManifest(t, MaxRecipients)},
		{"no label", replaceLine(s1.Manifest, 6, "recipient: "+testPQ[0]+" admin")},
		{"label of 64 code points", replaceLine(s1.Manifest, 6, "recipient: "+testPQ[0]+" admin "+label64)},
		{"max epoch", replaceLine(replaceLine(s2.Manifest, 3, "epoch: 18446744073709551615"), 4, "issued: 2024-02-29")},
		{"short hub", replaceLine(s1.Manifest, 2, "hub: 0")},
		{"long hub", replaceLine(s1.Manifest, 2, "hub: a"+strings.Repeat("-", 31))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			out, err := m.Marshal()
			if err != nil || !bytes.Equal(out, tt.in) {
				t.Fatalf("Marshal = %q, %v", out, err)
			}
		})
	}
	m, _ := Parse(s2.Manifest)
	if m.Hub != "it" || m.Epoch != 2 || m.Issued != "2026-11-23" || m.Previous != Hash(s1.Manifest) || len(m.Recipients) != 2 ||
		m.Recipients[1] != (Recipient{Key: testPQ[1], Role: RoleAdmin, Label: "Maria Rossi 🔒"}) {
		t.Fatalf("Parse = %+v", m)
	}
}

func TestParseMalformed(t *testing.T) {
	t.Parallel()
	s1, s2 := chain(t)
	e1, e2 := string(s1.Manifest), string(s2.Manifest)
	pqLine := "recipient: " + testPQ[0] + " responder"
	tests := []struct {
		name   string
		in     string
		secret bool
	}{
		{"empty", "", false},
		{"only header", "difesa-manifest/v1\n", false},
		{"CRLF", strings.ReplaceAll(e1, "\n", "\r\n"), false},
		{"CR in label", strings.Replace(e1, "Roma", "Ro\rma", 1), false},
		{"lone CR line ending", strings.Replace(e1, "hub: it\n", "hub: it\r", 1), false},
		{"trailing space", strings.Replace(e1, "hub: it\n", "hub: it \n", 1), false},
		{"trailing space after role", string(replaceLine(s1.Manifest, 6, pqLine+" ")), false},
		{"tab", strings.Replace(e1, "hub: it", "hub:\tit", 1), false},
		{"no final LF", strings.TrimSuffix(e1, "\n"), false},
		{"blank line", strings.Replace(e1, "hub: it\n", "hub: it\n\n", 1), false},
		{"blank line at end", e1 + "\n", false},
		{"BOM", "\uFEFF" + e1, false},
		{"invalid UTF-8", strings.Replace(e1, "Roma", "Ro\xffma", 1), false},
		{"overlong UTF-8", strings.Replace(e1, "Roma", "Ro\xc1\xadma", 1), false},
		{"wrong version", strings.Replace(e1, "/v1", "/v2", 1), false},
		{"header with space", strings.Replace(e1, "difesa-manifest/v1", "difesa-manifest/v1 ", 1), false},
		{"missing hub", strings.Replace(e1, "hub: it\n", "", 1), false},
		{"missing previous", strings.Replace(e1, "previous: none\n", "", 1), false},
		{"missing recipients", e1[:strings.Index(e1, "recipient:")], false},
		{"wrong order", strings.Replace(e1, "hub: it\nepoch: 1\n", "epoch: 1\nhub: it\n", 1), false},
		{"extra field", strings.Replace(e1, "previous: none\n", "previous: none\ncomment: hi\n", 1), false},
		{"extra field at end", e1 + "comment: hi\n", false},
		{"upper case field", strings.Replace(e1, "hub:", "Hub:", 1), false},
		{"no space after colon", strings.Replace(e1, "hub: ", "hub:", 1), false},
		{"two spaces after colon", strings.Replace(e1, "hub: ", "hub:  ", 1), false},
		{"hub upper case", strings.Replace(e1, "hub: it", "hub: IT", 1), false},
		{"hub starts with dash", strings.Replace(e1, "hub: it", "hub: -it", 1), false},
		{"hub too long", strings.Replace(e1, "hub: it", "hub: "+strings.Repeat("a", 33), 1), false},
		{"hub empty", strings.Replace(e1, "hub: it", "hub: ", 1), false},
		{"epoch 0", strings.Replace(e1, "epoch: 1", "epoch: 0", 1), false},
		{"epoch leading zero", strings.Replace(e1, "epoch: 1", "epoch: 01", 1), false},
		{"epoch plus", strings.Replace(e1, "epoch: 1", "epoch: +1", 1), false},
		{"epoch negative", strings.Replace(e1, "epoch: 1", "epoch: -1", 1), false},
		{"epoch hex", strings.Replace(e2, "epoch: 2", "epoch: 0x2", 1), false},
		{"epoch overflow", strings.Replace(e2, "epoch: 2", "epoch: 18446744073709551616", 1), false},
		{"epoch underscore", strings.Replace(e2, "epoch: 2", "epoch: 1_0", 1), false},
		{"previous none with epoch 2", strings.Replace(e1, "epoch: 1", "epoch: 2", 1), false},
		{"previous hash with epoch 1", strings.Replace(e2, "epoch: 2", "epoch: 1", 1), false},
		{"previous upper hex", strings.Replace(e2, Hash(s1.Manifest), strings.ToUpper(Hash(s1.Manifest)), 1), false},
		{"previous short", strings.Replace(e2, Hash(s1.Manifest), Hash(s1.Manifest)[1:], 1), false},
		{"previous not hex", strings.Replace(e2, Hash(s1.Manifest), "g"+Hash(s1.Manifest)[1:], 1), false},
		{"previous None", strings.Replace(e1, "none", "None", 1), false},
		{"previous empty", strings.Replace(e1, "previous: none", "previous: ", 1), false},
		{"date 2026-02-30", strings.Replace(e1, "2026-11-01", "2026-02-30", 1), false},
		{"date 2025-02-29", strings.Replace(e1, "2026-11-01", "2025-02-29", 1), false},
		{"date month 13", strings.Replace(e1, "2026-11-01", "2026-13-01", 1), false},
		{"date short", strings.Replace(e1, "2026-11-01", "2026-11-1", 1), false},
		{"date with time", strings.Replace(e1, "2026-11-01", "2026-11-01T00:00:00Z", 1), false},
		{"date slashes", strings.Replace(e1, "2026-11-01", "2026/11/01", 1), false},
		{"duplicate recipient", e2 + "recipient: " + testPQ[0] + " admin\n", false},
		{"mixed pq and classic", e2 + "recipient: " + testX25519[0] + " admin\n", false},
		{"classic then pq", string(classicManifest(t, 1)) + pqLine + "\n", false},
		{"age secret key as recipient", string(replaceLine(s1.Manifest, 6, "recipient: "+testAgeSecret+" responder")), true},
		{"lowercase age secret key", string(replaceLine(s1.Manifest, 6, "recipient: "+strings.ToLower(testAgeSecret)+" responder")), true},
		{"admin secret key as recipient", string(replaceLine(s1.Manifest, 6, "recipient: "+testKey().String()+" responder")), true},
		{"secret key in label", string(replaceLine(s1.Manifest, 6, pqLine+" key "+testAgeSecret)), true},
		{"admin public key as recipient", string(replaceLine(s1.Manifest, 6, "recipient: "+testKey().Public().String()+" responder")), false},
		{"bad bech32", string(replaceLine(s1.Manifest, 6, "recipient: "+testX25519[0][:61]+"x responder")), false},
		{"upper case recipient", string(replaceLine(s1.Manifest, 6, "recipient: "+strings.ToUpper(testX25519[0])+" responder")), false},
		{"ssh recipient", string(replaceLine(s1.Manifest, 6, "recipient: ssh-ed25519 AAAA responder")), false},
		{"no role", string(replaceLine(s1.Manifest, 6, "recipient: "+testPQ[0])), false},
		{"unknown role", string(replaceLine(s1.Manifest, 6, "recipient: "+testPQ[0]+" reader")), false},
		{"role upper case", string(replaceLine(s1.Manifest, 6, "recipient: "+testPQ[0]+" Admin")), false},
		{"double space before role", string(replaceLine(s1.Manifest, 6, "recipient: "+testPQ[0]+"  admin")), false},
		{"double space before label", string(replaceLine(s1.Manifest, 6, pqLine+"  Legal")), false},
		{"double space in label", string(replaceLine(s1.Manifest, 6, pqLine+" Legal  desk")), false},
		{"label with control char", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\x07desk")), false},
		{"label with NUL", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\x00desk")), false},
		{"label with DEL", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\x7fdesk")), false},
		{"label with C1 control", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\u0085desk")), false},
		{"label with bidi override", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\u202edesk")), false},
		{"label with zero width space", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\u200bdesk")), false},
		{"label with no-break space", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\u00a0desk")), false},
		{"label with line separator", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\u2028desk")), false},
		{"label with private use", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\ue000desk")), false},
		{"label with unassigned", string(replaceLine(s1.Manifest, 6, pqLine+" Legal\U000e0fffdesk")), false},
		{"label too long", string(replaceLine(s1.Manifest, 6, pqLine+" "+strings.Repeat("é", 65))), false},
		{"65 recipients", string(classicManifest(t, MaxRecipients+1)), false},
		{"oversize", string(classicManifest(t, 10)) + strings.Repeat("x", MaxSize), false},
		{"oversize with repeated lines", e2 + bigPQ(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(tt.in))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse = %+v, %v; want ErrMalformed", m, err)
			}
			if errors.Is(err, hub.ErrSecretKey) != tt.secret {
				t.Fatalf("err = %v; secret refusal want %v", err, tt.secret)
			}
			for _, s := range []string{testAgeSecret, testKey().String()} {
				if strings.Contains(strings.ToUpper(err.Error()), s[len(s)-20:]) {
					t.Fatalf("error echoes a secret key: %v", err)
				}
			}
			if len(err.Error()) > 1000 {
				t.Fatalf("error is %d bytes long", len(err.Error()))
			}
		})
	}
}

// bigPQ returns more than MaxSize bytes of recipient lines.
func bigPQ() string {
	line := "recipient: " + testPQ[1] + " responder x\n"
	return strings.Repeat(line, MaxSize/len(line)+1)
}

func TestMarshalValidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Manifest)
	}{
		{"bad hub", func(m *Manifest) { m.Hub = "it\nepoch: 9" }},
		{"epoch 0", func(m *Manifest) { m.Epoch = 0 }},
		{"epoch 2 without previous", func(m *Manifest) { m.Epoch = 2 }},
		{"epoch 1 with previous", func(m *Manifest) { m.Previous = Hash(nil) }},
		{"bad date", func(m *Manifest) { m.Issued = "2026-02-30" }},
		{"no recipients", func(m *Manifest) { m.Recipients = nil }},
		{"bad role", func(m *Manifest) { m.Recipients[0].Role = "" }},
		{"label injects a line", func(m *Manifest) { m.Recipients[0].Label = "x\nrecipient: " + testPQ[1] + " admin" }},
		{"key injects a role", func(m *Manifest) { m.Recipients[0].Key = testPQ[1] + " admin" }},
		{"secret key", func(m *Manifest) { m.Recipients[0].Key = testAgeSecret }},
		{"too big", func(m *Manifest) {
			for i := range 33 {
				m.Recipients = append(m.Recipients, Recipient{Key: testPQ[i%2], Role: RoleAdmin, Label: strings.Repeat("x", 64)})
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := epoch1()
			tt.edit(m)
			if b, err := m.Marshal(); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Marshal = %q, %v; want ErrMalformed", b, err)
			}
		})
	}
}

func TestAccessors(t *testing.T) {
	t.Parallel()
	_, s2 := chain(t)
	m, err := Parse(s2.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.RecipientStrings(); len(got) != 2 || got[0] != testPQ[0] || got[1] != testPQ[1] {
		t.Fatalf("RecipientStrings = %q", got)
	}
	if !m.Has(testPQ[1]) || m.Has(testX25519[0]) || m.Has("") {
		t.Fatal("Has is wrong")
	}
	rs, err := m.AgeRecipients()
	if err != nil || len(rs) != 2 || fmt.Sprint(rs[1]) != testPQ[1] {
		t.Fatalf("AgeRecipients = %v, %v", rs, err)
	}
	if h := Hash([]byte("abc")); h != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Hash = %s", h)
	}
}

// TestMaxPostQuantum documents how many post-quantum recipients fit in
// MaxSize with labels of 16 ASCII characters.
func TestMaxPostQuantum(t *testing.T) {
	t.Parallel()
	m := epoch1()
	m.Recipients = nil
	line := len("recipient: ") + len(testPQ[0]) + len(" responder ") + 16 + 1
	head := len(mustMarshal(t, epoch1())) - len(strings.SplitAfter(string(mustMarshal(t, epoch1())), "\n")[5])
	n := (MaxSize - head) / line
	t.Logf("%d post-quantum recipients of %d bytes fit in %d bytes", n, line, MaxSize)
	if n < 30 || n >= MaxRecipients {
		t.Fatalf("%d post-quantum recipients fit: update doc.go and docs/manifest.md", n)
	}
}
