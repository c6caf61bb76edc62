package store

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// testBulletin is a bulletin whose document is a stand-in: the store does
// not parse documents.
func testBulletin(id, msgType string, refs ...BulletinRef) Bulletin {
	return Bulletin{
		Document:   []byte("<alert>" + id + "</alert>"),
		Signature:  bytes.Repeat([]byte{7}, 64),
		Identifier: id, Sender: "difesa-it", Sent: "2026-11-23T10:00:00+01:00", MsgType: msgType,
		Expires:    time.Date(2026, 11, 24, 10, 0, 0, 0, time.FixedZone("", 3600)),
		References: refs,
	}
}

func refTo(b Bulletin) BulletinRef { return BulletinRef{b.Sender, b.Identifier, b.Sent} }

func TestPublishBulletin(t *testing.T) {
	t.Parallel()
	s, path := newTestStore(t)
	s.now = func() time.Time { return time.Date(2026, 11, 23, 9, 41, 13, 0, time.UTC) }

	a, err := s.PublishBulletin("it", testBulletin("a-1", "Alert"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Seq != 1 || !a.Published.Equal(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("first bulletin: seq %d, published %v", a.Seq, a.Published)
	}
	other, err := s.PublishBulletin("si", testBulletin("a-1", "Alert")) // another hub: its own sequence
	if err != nil || other.Seq != 1 {
		t.Fatalf("other hub: %v %+v", err, other)
	}
	b, _ := s.PublishBulletin("it", testBulletin("b-1", "Alert"))
	up, err := s.PublishBulletin("it", testBulletin("a-2", "Update", refTo(a)))
	if err != nil || up.Seq != 3 {
		t.Fatalf("update: %v %+v", err, up)
	}
	cancel, err := s.PublishBulletin("it", testBulletin("x-1", "Cancel", refTo(up), refTo(b)))
	if err != nil || cancel.Seq != 4 {
		t.Fatalf("cancel: %v %+v", err, cancel)
	}

	list, err := s.Bulletins("it")
	if err != nil || len(list) != 4 {
		t.Fatalf("Bulletins: %v, %d", err, len(list))
	}
	wantReplaced := []uint64{3, 4, 4, 0}
	for i, got := range list {
		if got.Seq != uint64(i+1) || got.ReplacedBy != wantReplaced[i] {
			t.Errorf("bulletin %d: seq %d replaced by %d, want %d", i+1, got.Seq, got.ReplacedBy, wantReplaced[i])
		}
	}
	got, err := s.Bulletin("it", 1)
	if err != nil || !bytes.Equal(got.Document, a.Document) || !got.Expires.Equal(a.Expires) || got.Identifier != "a-1" {
		t.Fatalf("Bulletin(1): %v %+v", err, got)
	}
	if _, err := s.Bulletin("it", 9); !errors.Is(err, ErrNotFound) {
		t.Errorf("Bulletin(9): %v", err)
	}
	if _, err := s.Bulletin("nohub", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Bulletin of an unknown hub: %v", err)
	}

	events, _ := s.Audit("it")
	if len(events) != 4 || events[3].Event != "bulletin.published" || events[3].Bulletin != 4 || events[3].Time.Minute() != 0 {
		t.Errorf("audit: %+v", events)
	}
	if err := s.Verify(); err != nil {
		t.Errorf("Verify: %v", err)
	}

	// Everything survives closing and reopening the file.
	s.Close()
	s2, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if list, _ := s2.Bulletins("it"); len(list) != 4 || list[0].ReplacedBy != 3 {
		t.Fatalf("after reopening: %+v", list)
	}
	if b, err := s2.PublishBulletin("it", testBulletin("c-1", "Alert")); err != nil || b.Seq != 5 {
		t.Fatalf("after reopening: %v %+v", err, b)
	}
}

func TestPublishBulletinRefusals(t *testing.T) {
	t.Parallel()
	first := testBulletin("a-1", "Alert")
	tests := []struct {
		name string
		b    Bulletin
		want error
	}{
		{"same identifier, same bytes", first, ErrBulletinReplayed},
		{"same identifier, other bytes", func() Bulletin {
			b := first
			b.Document = []byte("<other/>")
			b.Sent = "2026-11-24T00:00:00Z"
			return b
		}(), ErrBulletinReplayed},
		{"update without references", testBulletin("u-1", "Update"), ErrUnknownReference},
		{"cancel without references", testBulletin("c-1", "Cancel"), ErrUnknownReference},
		{"cancel of an unknown identifier", testBulletin("c-2", "Cancel", BulletinRef{"difesa-it", "nope", first.Sent}), ErrUnknownReference},
		{"reference with another sent", testBulletin("c-3", "Cancel", BulletinRef{"difesa-it", "a-1", "2026-11-23T09:00:00Z"}), ErrUnknownReference},
		{"reference with another sender", testBulletin("c-4", "Update", BulletinRef{"someone-else", "a-1", first.Sent}), ErrUnknownReference},
		{"one good and one unknown reference", testBulletin("u-2", "Update", refTo(first), BulletinRef{"difesa-it", "nope", first.Sent}), ErrUnknownReference},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newTestStore(t)
			if _, err := s.PublishBulletin("it", first); err != nil {
				t.Fatal(err)
			}
			if _, err := s.PublishBulletin("it", tt.b); !errors.Is(err, tt.want) {
				t.Fatalf("PublishBulletin: %v, want %v", err, tt.want)
			}
			// Nothing changed: one bulletin, not replaced, one audit entry.
			list, _ := s.Bulletins("it")
			events, _ := s.Audit("it")
			if len(list) != 1 || list[0].ReplacedBy != 0 || len(events) != 1 {
				t.Fatalf("after a refusal: %+v, %d audit events", list, len(events))
			}
			if err := s.Verify(); err != nil {
				t.Fatal(err)
			}
			// A refusal burns no sequence number.
			if b, err := s.PublishBulletin("it", testBulletin("next", "Alert")); err != nil || b.Seq != 2 {
				t.Fatalf("next: %v %+v", err, b)
			}
		})
	}
}

func TestVerifyBulletins(t *testing.T) {
	t.Parallel()
	docs := func(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket(bucketBulletins).Bucket([]byte("it")) }
	ids := func(tx *bolt.Tx) *bolt.Bucket { return tx.Bucket(bucketBulletinIDs).Bucket([]byte("it")) }
	edit := func(seq uint64, fn func(*Bulletin)) func(tx *bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			b, err := getBulletin(docs(tx), seq)
			if err != nil {
				return err
			}
			fn(&b)
			return putBulletin(docs(tx), b)
		}
	}
	tests := []struct {
		name    string
		damage  func(tx *bolt.Tx) error
		wantErr bool
	}{
		{"intact", nil, false},
		{"short signature", edit(1, func(b *Bulletin) { b.Signature = b.Signature[:63] }), true},
		{"empty document", edit(1, func(b *Bulletin) { b.Document = nil }), true},
		{"no identifier", edit(2, func(b *Bulletin) { b.Identifier = "" }), true},
		{"identifier changed", edit(2, func(b *Bulletin) { b.Identifier = "other" }), true},
		{"dangling replaced-by", edit(2, func(b *Bulletin) { b.ReplacedBy = 9 }), true},
		{"replaced-by without reference", edit(2, func(b *Bulletin) { b.ReplacedBy = 3 }), true},
		{"reference to nothing", edit(3, func(b *Bulletin) { b.References[0].Identifier = "nope" }), true},
		{"index entry removed", func(tx *bolt.Tx) error { return ids(tx).Delete(bulletinIDKey("difesa-it", "a-1")) }, true},
		{"index entry to nothing", func(tx *bolt.Tx) error { return ids(tx).Put([]byte("difesa-it\x00ghost"), seqKey(7)) }, true},
		{"not JSON", func(tx *bolt.Tx) error { return docs(tx).Put(seqKey(2), []byte("{")) }, true},
		{"short key", func(tx *bolt.Tx) error { return docs(tx).Put([]byte("k"), []byte("{}")) }, true},
		{"beyond the sequence", func(tx *bolt.Tx) error {
			b, _ := getBulletin(docs(tx), 2)
			b.Seq = 40
			return putBulletin(docs(tx), b)
		}, true},
		{"index without bulletins", func(tx *bolt.Tx) error {
			_, err := tx.Bucket(bucketBulletinIDs).CreateBucket([]byte("ghost-hub"))
			return err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _ := newTestStore(t)
			a, _ := s.PublishBulletin("it", testBulletin("a-1", "Alert"))
			s.PublishBulletin("it", testBulletin("b-1", "Alert"))
			if _, err := s.PublishBulletin("it", testBulletin("a-2", "Update", refTo(a))); err != nil {
				t.Fatal(err)
			}
			if tt.damage != nil {
				if err := s.db.Update(tt.damage); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Verify(); (err != nil) != tt.wantErr {
				t.Fatalf("Verify() = %v, want an error: %v", err, tt.wantErr)
			}
		})
	}
}

// TestBulletinsInBackup checks that a backup carries the bulletins and
// that a restored copy verifies.
func TestBulletinsInBackup(t *testing.T) {
	t.Parallel()
	s, _ := newTestStore(t)
	a, _ := s.PublishBulletin("it", testBulletin("a-1", "Alert"))
	s.PublishBulletin("it", testBulletin("x-1", "Cancel", refTo(a)))
	var buf bytes.Buffer
	if _, err := s.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "restored.db")
	if err := Restore(&buf, path); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if list, _ := r.Bulletins("it"); len(list) != 2 || list[0].ReplacedBy != 2 || !bytes.Equal(list[0].Document, a.Document) {
		t.Fatalf("restored: %+v", list)
	}
}

// TestBulletinsSurviveCompaction checks that compaction keeps the
// bulletins and their sequence, so numbers are never reused.
func TestBulletinsSurviveCompaction(t *testing.T) {
	t.Parallel()
	s, path := newTestStore(t)
	s.PublishBulletin("it", testBulletin("a-1", "Alert"))
	s.PublishBulletin("it", testBulletin("b-1", "Alert"))
	s.Close()
	if _, _, err := Compact(path); err != nil {
		t.Fatal(err)
	}
	c, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Verify(); err != nil {
		t.Fatal(err)
	}
	if b, err := c.PublishBulletin("it", testBulletin("c-1", "Alert")); err != nil || b.Seq != 3 {
		t.Fatalf("after compaction: %v %+v", err, b)
	}
}
