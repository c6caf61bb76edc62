package bundle

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestFormBundle(t *testing.T) {
	t.Parallel()
	env := NewEnvelope(KindReport, "it", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
	fa := &FormAnswers{Form: []byte(`{"form":"e30=","signature":"x"}` + "\n"), Answers: []byte(`{"answers":{}}` + "\n")}
	files := []Attachment{{Name: "foto.jpg", Size: 4, Body: strings.NewReader("jpeg")}}
	var buf bytes.Buffer
	n, err := WriteForm(&buf, env, fa, files)
	if err != nil {
		t.Fatal(err)
	}
	size, _ := SizeForm(env, fa, []Attachment{{Name: "foto.jpg", Size: 4}})
	if n != size || int64(buf.Len()) != n {
		t.Fatalf("wrote %d, Size says %d", n, size)
	}
	o, err := Read(bytes.NewReader(buf.Bytes()), DefaultLimits, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Report != nil || o.Form == nil || !bytes.Equal(o.Form.Form, fa.Form) || !bytes.Equal(o.Form.Answers, fa.Answers) || len(o.Files) != 1 {
		t.Fatalf("read back %+v", o)
	}

	// Refused when writing: both report.json and a form, or JSON that is not.
	if _, err := plan(env, &Report{Category: "other"}, fa, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("report and form: %v", err)
	}
	if _, err := WriteForm(&bytes.Buffer{}, env, &FormAnswers{Form: []byte("{"), Answers: []byte("{}")}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("broken JSON: %v", err)
	}

	// Refused when reading: entries out of place or missing.
	for _, tt := range []struct {
		name    string
		entries []rawEntry
	}{
		{"form without answers", []rawEntry{envEntry(goodEnvelopeJSON), reg(FormName, []byte("{}"))}},
		{"form without answers, then a file", []rawEntry{envEntry(goodEnvelopeJSON), reg(FormName, []byte("{}")), reg("files/a", []byte("x"))}},
		{"answers without form", []rawEntry{envEntry(goodEnvelopeJSON), reg(AnswersName, []byte("{}"))}},
		{"report and form", []rawEntry{envEntry(goodEnvelopeJSON), reg(ReportName, []byte(`{"category":"other"}`)), reg(FormName, []byte("{}")), reg(AnswersName, []byte("{}"))}},
		{"form after a file", []rawEntry{envEntry(goodEnvelopeJSON), reg("files/a", []byte("x")), reg(FormName, []byte("{}"))}},
		{"answers not JSON", []rawEntry{envEntry(goodEnvelopeJSON), reg(FormName, []byte("{}")), reg(AnswersName, []byte("{"))}},
		{"answers twice", []rawEntry{envEntry(goodEnvelopeJSON), reg(FormName, []byte("{}")), reg(AnswersName, []byte("{}")), reg(AnswersName, []byte("{}"))}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Read(bytes.NewReader(rawTar(t, tt.entries...)), DefaultLimits, nil); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Read = %v, want ErrMalformed", err)
			}
		})
	}
}
