package caserecord

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"difesa.org/difesa/internal/testutil/tool"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	ana, _ := age.GenerateX25519Identity()
	bo, _ := age.GenerateX25519Identity()
	outsider, _ := age.GenerateX25519Identity()
	r := New()
	const canary = "CANARY-7f3a-note"
	if _, err := r.AddNote("Ana", h13, canary, ""); err != nil {
		t.Fatal(err)
	}
	ct, err := Seal(r, []age.Recipient{ana.Recipient(), bo.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(ct), canary) || !strings.HasPrefix(string(ct), "age-encryption.org/v1\n") {
		t.Fatal("the sealed record is not an age file hiding its text")
	}
	for _, id := range []*age.X25519Identity{ana, bo} {
		got, err := Open(ct, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Notes[0].Text != canary {
			t.Fatalf("opened %+v", got)
		}
	}
	if _, err := Open(ct, outsider); err == nil {
		t.Fatal("an outsider opened the record")
	}
}

func TestOpenRefusesHostilePlaintext(t *testing.T) {
	t.Parallel()
	id, _ := age.GenerateX25519Identity()
	for name, pt := range map[string]string{
		"duplicate": `{"v":1,"v":1}`,
		"too large": `{"v":1,"assignee":"` + strings.Repeat("a", MaxRecordSize) + `"}`,
	} {
		ct, err := seal([]byte(pt), []age.Recipient{id.Recipient()}, MaxSealedSize)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Open(ct, id); !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: Open = %v", name, err)
		}
	}
	if _, err := Open(make([]byte, MaxSealedSize+1), id); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized ciphertext: %v", err)
	}
}

func TestSealHub(t *testing.T) {
	t.Parallel()
	id, _ := age.GenerateX25519Identity()
	h := &Hub{V: 1, Labels: []string{"urgent", "detention"}, SubStatuses: []string{"waiting"}}
	ct, err := SealHub(h, []age.Recipient{id.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := OpenHub(ct, id)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Labels, ",") != "detention,urgent" {
		t.Fatalf("hub labels %v", got.Labels)
	}
}

// TestSealedRecordOpensWithStockAge: a sealed record is a plain age file
// that the stock age tool decrypts with a responder's identity.
func TestSealedRecordOpensWithStockAge(t *testing.T) {
	agePath := tool.Need(t, "age", "apt-get install age")
	id, _ := age.GenerateX25519Identity()
	r := New()
	mustSet(t, r, FieldAssignee, "Ana", "Ana", h13)
	ct, err := Seal(r, []age.Recipient{id.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "key.txt")
	if err := os.WriteFile(key, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(agePath, "-d", "-i", key)
	cmd.Stdin = bytes.NewReader(ct)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(out); err != nil {
		t.Fatalf("stock age output does not parse: %v\n%s", err, out)
	}
}
