package cap

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMarshalCanonical checks that the canonical test documents are
// exactly what Marshal writes for their alerts.
func TestMarshalCanonical(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"minimal.xml", "rich.xml"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			doc := testdata(t, name)
			a, err := Check([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			out, err := a.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != doc {
				t.Errorf("Marshal =\n%s\nwant\n%s", out, doc)
			}
		})
	}
}

// TestMarshalRoundTrip checks that Check(Marshal(a)) is a, for the alerts
// of the accepted documents and for generated ones.
func TestMarshalRoundTrip(t *testing.T) {
	t.Parallel()
	var alerts []*Alert
	for _, tt := range validCases(t) {
		a, err := Check([]byte(tt.doc))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		alerts = append(alerts, a)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		alerts = append(alerts, genAlert(r))
	}
	for i, a := range alerts {
		doc, err := a.Marshal()
		if err != nil {
			t.Fatalf("alert %d: Marshal: %v\n%+v", i, err, a)
		}
		back, err := Check(doc)
		if err != nil {
			t.Fatalf("alert %d: Check(Marshal): %v\n%s", i, err, doc)
		}
		if !back.Equal(a) {
			t.Fatalf("alert %d: Check(Marshal(a)) =\n%+v\nwant\n%+v", i, back, a)
		}
		again, err := back.Marshal()
		if err != nil || !bytes.Equal(again, doc) {
			t.Fatalf("alert %d: Marshal is not stable: %v", i, err)
		}
	}
}

func TestMarshalText(t *testing.T) {
	t.Parallel()
	a := richAlert()
	a.Infos[0].Description = "a & b <c> ]]> \"d\" 'e'\r\n\tf\rg"
	doc, err := a.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := "<description>a &amp; b &lt;c&gt; ]]&gt; \"d\" 'e'&#xD;\n\tf&#xD;g</description>"
	if !strings.Contains(string(doc), want) {
		t.Errorf("Marshal wrote\n%s\nwant it to contain\n%s", doc, want)
	}
}

func TestMarshalRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Alert)
		code   string
	}{
		{"empty identifier", func(a *Alert) { a.Identifier = "" }, CodeBadValue},
		{"bad status", func(a *Alert) { a.Status = "Real" }, CodeBadValue},
		{"bad sent", func(a *Alert) { a.Sent = "2026-11-23T14:00:00Z" }, CodeBadTime},
		{"no categories", func(a *Alert) { a.Infos[0].Categories = nil }, CodeMissing},
		{"update without references", func(a *Alert) { a.References = nil }, CodeMissing},
		{"C0 control", func(a *Alert) { a.Note = "a\x01b" }, CodeMalformed},
		{"C1 control", func(a *Alert) { a.Note = "a\u0085b" }, CodeBadValue},
		{"invalid UTF-8", func(a *Alert) { a.Note = "a\xffb" }, CodeMalformed},
		{"reference with a comma", func(a *Alert) { a.References[0].Identifier = "a,b" }, CodeBadValue},
		{"empty pair value", func(a *Alert) { a.Infos[0].Parameters[0].Value = "" }, CodeBadValue},
		{"ceiling without altitude", func(a *Alert) { a.Infos[0].Areas[0].Altitude = "" }, CodeMissing},
		{"too large", func(a *Alert) { a.Note = strings.Repeat("x", MaxSize) }, CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := richAlert()
			tt.change(a)
			doc, err := a.Marshal()
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code {
				t.Fatalf("Marshal = %q, %v; want code %s", doc, err, tt.code)
			}
		})
	}
	if _, err := (*Alert)(nil).Marshal(); err == nil {
		t.Error("Marshal of a nil alert succeeded")
	}
}
