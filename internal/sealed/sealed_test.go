package sealed

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
)

func TestNote(t *testing.T) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := Note("called the lawyer", []age.Recipient{id.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(r); string(got) != "called the lawyer" {
		t.Fatalf("note = %q", got)
	}
	var many []age.Recipient
	for range 80 {
		o, _ := age.GenerateHybridIdentity()
		many = append(many, o.Recipient())
	}
	if _, err := Note(strings.Repeat("x", MaxNoteText), many); err == nil {
		t.Fatal("a note over the hub's limit was sealed")
	}
}

func TestEncryptAndReplyRecipient(t *testing.T) {
	hub, _ := age.GenerateHybridIdentity()
	defender, _ := age.GenerateHybridIdentity()
	env := bundle.NewEnvelope(bundle.KindReport, "en", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	env.ReplyRecipient = defender.Recipient().String()
	b := Bundle{Env: env, Report: TextReport("hello")}
	if _, err := b.Size(); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- Encrypt(pw, []age.Recipient{hub.Recipient()}, b) }()
	ct, err := io.ReadAll(pr)
	if err != nil || <-done != nil {
		t.Fatalf("encrypt: %v", err)
	}
	plain, err := age.Decrypt(bytes.NewReader(ct), hub)
	if err != nil {
		t.Fatal(err)
	}
	o, err := bundle.Read(plain, bundle.DefaultLimits, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ReplyRecipient(o)
	if err != nil || r.String() != defender.Recipient().String() {
		t.Fatalf("ReplyRecipient = %v, %v", r, err)
	}
	o.Envelope.ReplyRecipient = ""
	if _, err := ReplyRecipient(o); !errors.Is(err, ErrNoReplyRecipient) {
		t.Fatalf("without a codename: %v", err)
	}
	if _, err := ReplyRecipient(&bundle.Opened{Message: "plain"}); !errors.Is(err, ErrNoReplyRecipient) {
		t.Fatalf("a plain file: %v", err)
	}
	if !UploadStopped(ErrUploadEnded) || !UploadStopped(io.ErrClosedPipe) || UploadStopped(errors.New("x")) {
		t.Fatal("UploadStopped")
	}
}
