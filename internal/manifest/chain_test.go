package manifest

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestCheckFirst(t *testing.T) {
	t.Parallel()
	s1, s2 := chain(t)
	pub := testKey().Public()
	fr := epoch1()
	fr.Hub = "fr"
	tests := []struct {
		name string
		s    *Signed
		hub  string
		want error
	}{
		{"epoch 1", s1, "it", nil},
		{"other hub asked", s1, "fr", ErrWrongHub},
		{"other hub signed", mustSign(t, testKey(), mustMarshal(t, fr)), "it", ErrWrongHub},
		{"starts at epoch 2", s2, "it", ErrEpochNotNext},
		{"other signer", mustSign(t, otherKey(), s1.Manifest), "it", ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := CheckFirst(tt.s, pub, tt.hub)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("CheckFirst = %v, %v; want %v", m, err, tt.want)
			}
		})
	}
}

func TestCheckSuccessor(t *testing.T) {
	t.Parallel()
	s1, s2 := chain(t)
	pub := testKey().Public()
	sign := func(m *Manifest) *Signed { return mustSign(t, testKey(), mustMarshal(t, m)) }
	e3 := func(edit func(*Manifest)) *Signed {
		m := epoch2(s2.Manifest)
		m.Epoch, m.Issued = 3, "2026-12-01"
		edit(m)
		return sign(m)
	}
	// A fork: another epoch 2 after the same epoch 1.
	fork := epoch2(s1.Manifest)
	fork.Recipients = fork.Recipients[:1]
	s2b := sign(fork)

	tests := []struct {
		name       string
		prev, next *Signed
		want       error
	}{
		{"epoch 2 after 1", s1, s2, nil},
		{"epoch 3 after 2", s2, e3(func(*Manifest) {}), nil},
		{"rollback", s2, s1, ErrEpochNotNext},
		{"replay", s2, s2, ErrEpochNotNext},
		{"replay of epoch 1", s1, s1, ErrEpochNotNext},
		{"gap", s1, e3(func(m *Manifest) { m.Previous = Hash(s1.Manifest) }), ErrEpochNotNext},
		{"broken previous hash", s2, e3(func(m *Manifest) { m.Previous = Hash(s1.Manifest) }), ErrBrokenChain},
		{"fork", s2b, e3(func(*Manifest) {}), ErrBrokenChain},
		{"other hub", s2, e3(func(m *Manifest) { m.Hub = "fr" }), ErrWrongHub},
		{"other signer", s2, mustSign(t, otherKey(), e3(func(*Manifest) {}).Manifest), ErrBadSignature},
		{"previous not signed by the key", mustSign(t, otherKey(), s1.Manifest), s2, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := CheckSuccessor(tt.prev, tt.next, pub)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("CheckSuccessor = %v, %v; want %v", m, err, tt.want)
			}
		})
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	s1, s2 := chain(t)
	pub := testKey().Public()

	// Rebuilding epoch 2 from epoch 1 with the editors gives the same bytes.
	b, err := Next(s1, "2026-11-23", Edits(
		SetLabel(testPQ[0], "Legal desk"),
		AddRecipient(testPQ[1], RoleResponder, "Maria Rossi 🔒"),
		SetRole(testPQ[1], RoleAdmin),
	))
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(s2.Manifest) {
		t.Fatalf("Next =\n%s\nwant\n%s", b, s2.Manifest)
	}
	s3 := mustSign(t, testKey(), mustNext(t, s2, "2026-12-01", RemoveRecipient(testPQ[0])))
	m3, err := CheckSuccessor(s2, s3, pub)
	if err != nil {
		t.Fatal(err)
	}
	if m3.Epoch != 3 || len(m3.Recipients) != 1 || m3.Has(testPQ[0]) {
		t.Fatalf("epoch 3 = %+v", m3)
	}
	if _, err := Next(s2, "2026-12-01", nil); err != nil {
		t.Fatalf("Next without edits: %v", err)
	}

	tests := []struct {
		name   string
		cur    *Signed
		issued string
		edit   func(*Manifest) error
		want   error
	}{
		{"remove unknown", s2, "2026-12-01", RemoveRecipient(testX25519[0]), ErrUnknownRecipient},
		{"label unknown", s2, "2026-12-01", SetLabel(testX25519[0], "x"), ErrUnknownRecipient},
		{"role unknown", s2, "2026-12-01", SetRole(testX25519[0], RoleAdmin), ErrUnknownRecipient},
		{"remove secret", s2, "2026-12-01", RemoveRecipient(testAgeSecret), ErrUnknownRecipient},
		{"add twice", s2, "2026-12-01", AddRecipient(testPQ[0], RoleAdmin, ""), ErrMalformed},
		{"add secret", s2, "2026-12-01", AddRecipient(testAgeSecret, RoleAdmin, ""), ErrMalformed},
		{"add classic to pq hub", s2, "2026-12-01", AddRecipient(testX25519[0], RoleAdmin, ""), ErrMalformed},
		{"bad role", s2, "2026-12-01", SetRole(testPQ[0], "boss"), ErrMalformed},
		{"bad label", s2, "2026-12-01", SetLabel(testPQ[0], " x"), ErrMalformed},
		{"remove last", s1, "2026-12-01", RemoveRecipient(testPQ[0]), ErrMalformed},
		{"bad date", s2, "2026-12-32", nil, ErrMalformed},
		{"edit changes epoch", s2, "2026-12-01", func(m *Manifest) error { m.Epoch = 9; return nil }, ErrMalformed},
		{"edit changes hub", s2, "2026-12-01", func(m *Manifest) error { m.Hub = "fr"; return nil }, ErrMalformed},
		{"edit changes previous", s2, "2026-12-01", func(m *Manifest) error { m.Previous = Hash(nil); return nil }, ErrMalformed},
		{"malformed current", &Signed{Manifest: []byte("x")}, "2026-12-01", nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := Next(tt.cur, tt.issued, tt.edit)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Next = %q, %v; want %v", b, err, tt.want)
			}
			if strings.Contains(err.Error(), testAgeSecret[20:]) {
				t.Fatalf("error echoes a secret: %v", err)
			}
		})
	}
}

func TestEpochLimit(t *testing.T) {
	t.Parallel()
	m := epoch2(nil)
	m.Epoch = math.MaxUint64
	last := mustSign(t, testKey(), mustMarshal(t, m))
	if b, err := Next(last, "2026-12-01", nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Next after the last epoch = %q, %v", b, err)
	}
	m.Epoch = 1
	m.Previous = ""
	wrapped := mustSign(t, testKey(), mustMarshal(t, m))
	if _, err := CheckSuccessor(last, wrapped, testKey().Public()); !errors.Is(err, ErrEpochNotNext) {
		t.Fatalf("epoch wrapped around: %v", err)
	}
}

func mustNext(tb testing.TB, cur *Signed, issued string, edit func(*Manifest) error) []byte {
	tb.Helper()
	b, err := Next(cur, issued, edit)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
