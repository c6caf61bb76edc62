package bundle

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestReplyRecipient(t *testing.T) {
	t.Parallel()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	pq := id.Recipient().String()
	classic, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}

	env := testEnvelope()
	env.ReplyRecipient = pq
	data := writeBundle(t, env, testReport(), nil)
	if !bytes.Contains(data, []byte(`"reply_recipient":"`+pq+`"`)) {
		t.Fatal("envelope.json does not carry reply_recipient")
	}
	o, err := Read(bytes.NewReader(data), DefaultLimits, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Envelope.ReplyRecipient != pq {
		t.Errorf("read back %q", o.Envelope.ReplyRecipient)
	}

	// Without one, the field is left out.
	if data := writeBundle(t, testEnvelope(), testReport(), nil); bytes.Contains(data, []byte("reply_recipient")) {
		t.Error("an empty reply_recipient was written")
	}

	bad := []struct {
		name, kind, recipient string
	}{
		{"classic recipient", KindReport, classic.Recipient().String()},
		{"garbage", KindReport, "age1pq1notarecipient"},
		{"not age", KindAlert, "hello"},
		{"too long", KindReport, "age1pq1" + strings.Repeat("q", 5000)},
		{"on a reply", KindReply, pq},
		{"on a follow-up", KindFollowup, pq},
		{"on a check-in", KindCheckin, pq},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnvelope()
			env.Kind, env.ReplyRecipient = tc.kind, tc.recipient
			if _, err := Write(&bytes.Buffer{}, env, nil, nil); !errors.Is(err, ErrInvalid) {
				t.Errorf("Write: %v, want ErrInvalid", err)
			}
			// A reader refuses it too.
			raw := rawTar(t, envEntry(`{"version":1,"kind":"`+tc.kind+`","created":"2026-11-23","reply_recipient":"`+tc.recipient+`"}`))
			if _, err := Read(bytes.NewReader(raw), DefaultLimits, nil); !errors.Is(err, ErrMalformed) {
				t.Errorf("Read: %v, want ErrMalformed", err)
			}
		})
	}
}
