package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func testForm(id string, version uint64) Form {
	return Form{ID: id, Version: version, Hash: strings.Repeat("a", 64), Title: map[string]string{"en": id},
		Bytes: []byte(fmt.Sprintf(`{"id":%q,"version":%d}`, id, version)), Signature: make([]byte, 64)}
}

func TestPublishForm(t *testing.T) {
	t.Parallel()
	s, _ := newTestStore(t)
	s.now = func() time.Time { return time.Date(2026, 11, 23, 9, 41, 13, 0, time.UTC) }
	if list, err := s.Forms("it"); err != nil || len(list) != 0 {
		t.Fatalf("Forms before any = %v, %v", list, err)
	}
	if _, err := s.Form("it", "safety", 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Form before any = %v", err)
	}
	for _, f := range []Form{testForm("safety", 1), testForm("safety", 3), testForm("discrimination", 1), testForm("a", 7)} {
		p, err := s.PublishForm("it", f)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Published.Equal(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)) {
			t.Fatalf("published %v, want the hour", p.Published)
		}
	}
	// Rollback and replay are refused, and leave nothing behind.
	for _, v := range []uint64{1, 2, 3} {
		if _, err := s.PublishForm("it", testForm("safety", v)); !errors.Is(err, ErrFormRollback) {
			t.Fatalf("PublishForm(safety %d) = %v, want ErrFormRollback", v, err)
		}
	}
	list, err := s.Forms("it")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range list {
		got = append(got, fmt.Sprintf("%s/%d", f.ID, f.Version))
	}
	if strings.Join(got, " ") != "a/7 discrimination/1 safety/3" {
		t.Fatalf("Forms = %v", got)
	}
	if f, err := s.Form("it", "safety", 0); err != nil || f.Version != 3 {
		t.Fatalf("latest safety = %+v, %v", f, err)
	}
	if f, err := s.Form("it", "safety", 1); err != nil || string(f.Bytes) != `{"id":"safety","version":1}` {
		t.Fatalf("safety 1 = %+v, %v", f, err)
	}
	if _, err := s.Form("it", "safety", 2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("safety 2 = %v", err)
	}
	if _, err := s.Form("it", "safet", 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a prefix of an id = %v", err)
	}
	if list, _ := s.Forms("si"); len(list) != 0 {
		t.Fatal("another hub sees the forms")
	}
	events, _, _, err := s.AuditAfter("it", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Event == "form.published" {
			n++
		}
	}
	if n != 4 {
		t.Fatalf("%d form.published events, want 4", n)
	}
}

func TestPublishFormLimit(t *testing.T) {
	t.Parallel()
	s, _ := newTestStore(t)
	for i := range MaxFormsPerHub {
		if _, err := s.PublishForm("it", testForm(fmt.Sprintf("f%d", i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.PublishForm("it", testForm("one-more", 1)); !errors.Is(err, ErrTooManyForms) {
		t.Fatalf("form %d = %v, want ErrTooManyForms", MaxFormsPerHub+1, err)
	}
	if _, err := s.PublishForm("it", testForm("f0", 2)); err != nil {
		t.Fatalf("a new version of a form at the limit: %v", err)
	}
}
