package casebook

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/vault"
	"difesa.org/difesa/internal/wire"
)

// ageKeys lists the ciphertext keys of the desk folder (closed).
func (f *fixture) ageKeys(t *testing.T) []string {
	t.Helper()
	v, err := vault.Open(f.dir, f.options().Identities, f.id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	keys, err := v.Keys(bucketAge + demoHub)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestCiphertextKeysFollowOrder: the ciphertexts a sync takes in are kept
// under keys that follow one another, across syncs and reopenings, so
// that bbolt appends them; the keys hold no submission id.
func TestCiphertextKeysFollowOrder(t *testing.T) {
	f := newFixture(t)
	subs := f.srv.Fill(t, 600, testDay) // two pages
	b := f.open(t)
	syncAll(t, b)
	b.Close()
	first := f.ageKeys(t)

	subs = append(subs, f.srv.Fill(t, 3, testDay)...)
	b = f.open(t)
	syncAll(t, b)
	b.Close()
	all := f.ageKeys(t)
	if len(first) != 600 || len(all) != 603 {
		t.Fatalf("%d then %d ciphertext records, want 600 then 603", len(first), len(all))
	}
	for _, k := range all {
		for _, s := range subs {
			if strings.Contains(k, s.ID.String()) {
				t.Fatalf("ciphertext key %q holds submission id %s", k, s.ID)
			}
		}
	}
	later := slices.DeleteFunc(slices.Clone(all), func(k string) bool { return slices.Contains(first, k) })
	if len(later) != 3 {
		t.Fatalf("the second sync added keys %q, want 3 new ones", later)
	}
	for _, k := range later {
		if k < slices.Max(first) {
			t.Fatalf("key %q of the second sync sorts before %q of the first: not appended", k, slices.Max(first))
		}
	}
}

// TestLegacyKeysStayReadable: a desk folder whose ciphertexts are kept
// under "ID.N" (before the numbers) opens, shows and exports them, keeps
// them where they are when their status changes, and forgets them whole;
// new submissions next to them get numbers.
func TestLegacyKeysStayReadable(t *testing.T) {
	f := newFixture(t)
	withFile, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "the old layout"}, map[string][]byte{"note.txt": []byte("kept under its id")}, false)
	other, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "another"}, nil, false)
	b := f.open(t)
	syncAll(t, b)
	b.Close()
	toLegacy(t, f)
	if keys := f.ageKeys(t); !slices.Equal(keys, []string{min(withFile, other) + ".0", max(withFile, other) + ".0"}) {
		t.Fatalf("keys after the rewrite = %q", keys)
	}

	b = f.open(t)
	cs, err := b.Case(demoHub, withFile)
	if err != nil || cs.Narrative != "the old layout" || len(cs.Attachments) != 1 {
		t.Fatalf("the legacy copy reads as %+v, %v", cs, err)
	}
	if _, data, err := b.Attachment(demoHub, withFile, cs.Attachments[0].N); err != nil || string(data) != "kept under its id" {
		t.Fatalf("Attachment: %q, %v", data, err)
	}
	if err := b.SetStatus(context.Background(), demoHub, withFile, wire.StatusInProgress); err != nil {
		t.Fatal(err)
	}
	if err := b.Delete(context.Background(), demoHub, other); err != nil {
		t.Fatal(err)
	}
	added, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "a new one"}, nil, false)
	syncAll(t, b)
	b.Close()

	keys := f.ageKeys(t)
	if len(keys) != 2 || keys[1] != withFile+".0" || strings.Contains(keys[0], added) {
		t.Fatalf("keys = %q, want a number for %s and %s.0 (the other one forgotten)", keys, added, withFile)
	}
	b = f.open(t)
	defer b.Close()
	if _, data, err := b.Attachment(demoHub, withFile, cs.Attachments[0].N); err != nil || string(data) != "kept under its id" {
		t.Fatalf("after the status change and reopening, Attachment: %q, %v", data, err)
	}
	if p := mustInbox(t, b, Filter{}); p.Total != 2 {
		t.Fatalf("%d cases, want 2", p.Total)
	}
}

// toLegacy rewrites the desk folder (closed) as desks kept it before the
// numbers: every ciphertext under "ID.N", entries without "seq".
func toLegacy(t *testing.T, f *fixture) {
	t.Helper()
	v, err := vault.Open(f.dir, f.options().Identities, f.id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ids, err := v.Keys(bucketSub + demoHub)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		raw, _, err := v.Get(bucketSub+demoHub, id)
		if err != nil {
			t.Fatal(err)
		}
		var s storedSub
		if err := json.Unmarshal(raw, &s); err != nil || s.Seq == 0 {
			t.Fatalf("entry %s: %s, %v: want a number", id, raw, err)
		}
		kept := dayOf(receivedTime(s.Sub.Received))
		for n := range s.Chunks {
			ct, _, err := v.Get(bucketAge+demoHub, chunkKey(id, s.Seq, n))
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Put(bucketAge+demoHub, id+"."+string(rune('0'+n)), ct, kept); err != nil {
				t.Fatal(err)
			}
			if err := v.Delete(bucketAge+demoHub, chunkKey(id, s.Seq, n)); err != nil {
				t.Fatal(err)
			}
		}
		old, _ := json.Marshal(struct {
			Sub    wire.Submission `json:"sub"`
			Chunks int             `json:"chunks"`
		}{s.Sub, s.Chunks})
		if err := v.Put(bucketSub+demoHub, id, old, kept); err != nil {
			t.Fatal(err)
		}
	}
}
