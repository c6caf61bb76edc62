package cli

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"difesa.org/difesa/internal/cap"
)

var bulletinNow = time.Date(2026, 11, 23, 14, 3, 27, 0, time.FixedZone("CET", 3600))

// specAlert parses the flags of "bulletin new" and builds the alert, with
// -sender as the sender, as runBulletinNew does without -hub.
func specAlert(t *testing.T, args ...string) (*cap.Alert, error) {
	t.Helper()
	fs := newFlagSet("bulletin")
	var spec bulletinSpec
	spec.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, err
	}
	if len(pos) > 0 {
		t.Fatalf("unexpected positional arguments %q", pos)
	}
	return spec.alert(bulletinNow, spec.sender, nil, func(name string) bool { return isSet(fs, name) })
}

func TestBulletinFlags(t *testing.T) {
	const sent = "2026-11-23T14:03:00+01:00"
	tests := []struct {
		name  string
		args  []string
		check func(t *testing.T, a *cap.Alert)
	}{
		{
			name: "one block without -lang, defaults",
			args: []string{"-sender", "difesa-it", "-event", "Arrests", "-headline", "Arrests at the sit-in"},
			check: func(t *testing.T, a *cap.Alert) {
				if !regexp.MustCompile(`^difesa-it-[0-9a-f]{32}$`).MatchString(a.Identifier) {
					t.Errorf("identifier %q", a.Identifier)
				}
				want := cap.Alert{Identifier: a.Identifier, Sender: "difesa-it", Sent: sent, Status: "Actual", MsgType: "Alert", Scope: "Public",
					Infos: []cap.Info{{Categories: []string{"Security"}, Event: "Arrests", Urgency: "Unknown", Severity: "Unknown", Certainty: "Unknown", Headline: "Arrests at the sit-in"}}}
				equalAlert(t, a, &want)
			},
		},
		{
			name: "two languages, shared options before the first -lang",
			args: []string{"-sender", "s", "-severity", "severe", "-urgency", "IMMEDIATE", "-certainty", "observed", "-area", "Milano", "-expires", "48h",
				"-lang", "it", "-event", "Arresti", "-headline", "Arresti al presidio", "-instruction", "Evitate la piazza",
				"-lang", "en", "-event", "Arrests", "-headline", "Arrests at the sit-in", "-area", "Milan", "-area", "Piazza Duomo", "-expires", "7d",
				"-web", "https://example.org/x", "-contact", "+39 000"},
			check: func(t *testing.T, a *cap.Alert) {
				if len(a.Infos) != 2 {
					t.Fatalf("%d info blocks", len(a.Infos))
				}
				it, en := a.Infos[0], a.Infos[1]
				want := cap.Info{Language: "it", Categories: []string{"Security"}, Event: "Arresti", Urgency: "Immediate", Severity: "Severe",
					Certainty: "Observed", Expires: "2026-11-25T14:03:00+01:00", Headline: "Arresti al presidio", Instruction: "Evitate la piazza",
					Areas: []cap.Area{{Desc: "Milano"}}}
				equalInfo(t, &it, &want)
				want = cap.Info{Language: "en", Categories: []string{"Security"}, Event: "Arrests", Urgency: "Immediate", Severity: "Severe",
					Certainty: "Observed", Expires: "2026-11-30T14:03:00+01:00", Headline: "Arrests at the sit-in",
					Web: "https://example.org/x", Contact: "+39 000", Areas: []cap.Area{{Desc: "Milan"}, {Desc: "Piazza Duomo"}}}
				equalInfo(t, &en, &want)
			},
		},
		{
			name: "blocks keep the order of -lang",
			args: []string{"-sender", "s", "-lang", "en", "-event", "E", "-lang", "pt-BR", "-event", "P", "-lang", "it", "-event", "I"},
			check: func(t *testing.T, a *cap.Alert) {
				var got []string
				for _, i := range a.Infos {
					got = append(got, i.Language+"="+i.Event)
				}
				if strings.Join(got, " ") != "en=E pt-BR=P it=I" {
					t.Errorf("blocks %v", got)
				}
			},
		},
		{
			name: "alert options, categories, expiry as a date-time",
			args: []string{"-sender", "s", "-id", "s-2026-001", "-status", "test", "-sent", "2026-11-20T09:30:00-00:00",
				"-category", "safety", "-category", "Health", "-event", "Drill", "-expires", "2026-11-21T09:30:00+01:00"},
			check: func(t *testing.T, a *cap.Alert) {
				if a.Identifier != "s-2026-001" || a.Status != "Test" || a.Sent != "2026-11-20T09:30:00-00:00" {
					t.Errorf("alert %+v", a)
				}
				if i := a.Infos[0]; strings.Join(i.Categories, ",") != "Safety,Health" || i.Expires != "2026-11-21T09:30:00+01:00" {
					t.Errorf("info %+v", i)
				}
			},
		},
		{
			name: "update by hand",
			args: []string{"-sender", "s", "-type", "update", "-references", "s,s-1,2026-11-22T10:00:00+01:00", "-event", "E"},
			check: func(t *testing.T, a *cap.Alert) {
				if a.MsgType != "Update" || len(a.References) != 1 || a.References[0] != (cap.Reference{Sender: "s", Identifier: "s-1", Sent: "2026-11-22T10:00:00+01:00"}) {
					t.Errorf("alert %+v", a)
				}
			},
		},
		{
			name: "UTC as +00:00 in -sent and -references",
			args: []string{"-sender", "s", "-type", "Update", "-sent", "2026-11-20T09:30:00+00:00",
				"-references", "s,s-1,2026-11-20T09:00:00+00:00", "-references", "s,s-2,2026-11-20T10:00:00+01:00", "-event", "E"},
			check: func(t *testing.T, a *cap.Alert) {
				want := []cap.Reference{{Sender: "s", Identifier: "s-1", Sent: "2026-11-20T09:00:00-00:00"}, {Sender: "s", Identifier: "s-2", Sent: "2026-11-20T10:00:00+01:00"}}
				if a.Sent != "2026-11-20T09:30:00-00:00" || !slices.Equal(a.References, want) {
					t.Errorf("sent %s, references %v; want UTC written -00:00 in both", a.Sent, a.References)
				}
			},
		},
		{
			name: "a cancel needs no info block",
			args: []string{"-sender", "s", "-type", "Cancel", "-references", "s,s-1,2026-11-22T10:00:00+01:00", "-references", "s,s-2,2026-11-22T11:00:00+01:00"},
			check: func(t *testing.T, a *cap.Alert) {
				if a.MsgType != "Cancel" || len(a.Infos) != 0 || len(a.References) != 2 {
					t.Errorf("alert %+v", a)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := specAlert(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, a)
			if _, err := a.Marshal(); err != nil {
				t.Errorf("Marshal: %v", err)
			}
		})
	}
}

func TestBulletinFlagsRefused(t *testing.T) {
	base := []string{"bulletin", "new", "-sender", "s"}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"severity", []string{"-event", "E", "-severity", "bad"}, []string{"-severity", "Extreme, Severe, Moderate, Minor, Unknown"}},
		{"urgency", []string{"-event", "E", "-urgency", "now"}, []string{"-urgency", "Immediate, Expected, Future, Past, Unknown"}},
		{"certainty", []string{"-event", "E", "-certainty", "sure"}, []string{"-certainty", "Observed, Likely, Possible, Unlikely, Unknown"}},
		{"status", []string{"-event", "E", "-status", "Real"}, []string{"-status", "Actual, Exercise, System, Test, Draft"}},
		{"type", []string{"-event", "E", "-type", "Ack"}, []string{"-type", "Alert, Update, Cancel"}},
		{"category", []string{"-event", "E", "-category", "Politics"}, []string{"-category", "Security", "CBRNE"}},
		{"lang tag", []string{"-lang", "it it", "-event", "E"}, []string{"-lang", "language tag"}},
		{"lang twice", []string{"-lang", "it", "-event", "E", "-lang", "IT", "-event", "F"}, []string{"-lang", "given twice"}},
		{"headline twice", []string{"-event", "E", "-headline", "a", "-headline", "b"}, []string{"-headline", "given twice", "-lang"}},
		{"headline twice in a language", []string{"-lang", "it", "-event", "E", "-headline", "a", "-headline", "b"}, []string{"-headline", "given twice for language it"}},
		{"control character", []string{"-event", "a\x01b"}, []string{"-event", "control characters"}},
		{"empty headline", []string{"-event", "E", "-headline", " "}, []string{"-headline", "must not be empty"}},
		{"expires", []string{"-event", "E", "-expires", "soon"}, []string{"-expires", "48h"}},
		{"expires negative", []string{"-event", "E", "-expires", "-2h"}, []string{"-expires"}},
		{"expires before sent", []string{"-event", "E", "-expires", "2026-11-01T00:00:00+01:00"}, []string{"-expires", "not after -sent"}},
		{"web", []string{"-event", "E", "-web", "javascript:alert(1)"}, []string{"-web", "http"}},
		{"web outside RFC 3986", []string{"-event", "E", "-web", "https://example.org/a[b]"}, []string{"-web", "RFC 3986"}},
		{"web with a user name", []string{"-event", "E", "-web", "https://user@example.org/"}, []string{"-web", "no user name"}},
		{"sent", []string{"-event", "E", "-sent", "yesterday"}, []string{"-sent", "2026-11-23T14:00:00+01:00"}},
		{"id", []string{"-event", "E", "-id", "a b"}, []string{"-id", "spaces, commas"}},
		{"id with a comma", []string{"-event", "E", "-id", "a,b"}, []string{"-id"}},
		{"sender", []string{"-event", "E", "-sender", "a<b"}, []string{"-sender", "< or &"}},
		{"references form", []string{"-type", "Update", "-event", "E", "-references", "s,id"}, []string{"-references", "sender,identifier,sent"}},
		{"references time", []string{"-type", "Update", "-event", "E", "-references", "s,id,yesterday"}, []string{"-references", "sent"}},
		{"references on an Alert", []string{"-event", "E", "-references", "s,id,2026-11-22T10:00:00+01:00"}, []string{"-references", "-type Update"}},
		{"update without reference", []string{"-type", "Update", "-event", "E"}, []string{"Update needs", "-updates"}},
		{"missing event", []string{"-headline", "H"}, []string{"missing -event"}},
		{"missing event in a language", []string{"-lang", "it", "-event", "E", "-lang", "en", "-headline", "H"}, []string{"missing -event for language en"}},
		{"text before the first -lang", []string{"-headline", "H", "-lang", "it", "-event", "E"}, []string{"-headline before the first -lang"}},
		{"updates and cancels", []string{"-updates", "a", "-cancels", "b"}, []string{"-updates", "-cancels"}},
		{"updates without hub", []string{"-updates", "a", "-event", "E"}, []string{"-updates", "need -hub"}},
		{"updates against -type", []string{"-type", "Cancel", "-updates", "a"}, []string{"-updates", "-type"}},
		{"from with options", []string{"-from", "x.xml", "-headline", "H"}, []string{"-from", "-headline"}},
		{"unknown flag", []string{"-event", "E", "-colour", "red"}, []string{"-colour"}},
		{"positional", []string{"-event", "E", "Arrests"}, []string{"unexpected argument \"Arrests\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(append(append([]string(nil), base...), tt.args...), strings.NewReader(""), &stdout, &stderr)
			if code != 2 {
				t.Fatalf("exit %d, want 2\n%s", code, stderr.String())
			}
			if stdout.Len() != 0 {
				t.Errorf("wrote to stdout:\n%s", stdout.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr.String())
				}
			}
		})
	}
	t.Run("no sender", func(t *testing.T) {
		var stderr bytes.Buffer
		if code := Main([]string{"bulletin", "new", "-event", "E"}, strings.NewReader(""), &bytes.Buffer{}, &stderr); code != 2 ||
			!strings.Contains(stderr.String(), "missing -sender (or -hub)") {
			t.Errorf("exit %d:\n%s", code, stderr.String())
		}
	})
}

func equalAlert(t *testing.T, got, want *cap.Alert) {
	t.Helper()
	g, w := *got, *want
	g.Infos, w.Infos = nil, nil
	if !samePrinted(g, w) {
		t.Errorf("alert\n got %+v\nwant %+v", g, w)
	}
	if len(got.Infos) != len(want.Infos) {
		t.Fatalf("%d info blocks, want %d", len(got.Infos), len(want.Infos))
	}
	for i := range got.Infos {
		equalInfo(t, &got.Infos[i], &want.Infos[i])
	}
}

func equalInfo(t *testing.T, got, want *cap.Info) {
	t.Helper()
	if !samePrinted(*got, *want) {
		t.Errorf("info\n got %+v\nwant %+v", *got, *want)
	}
}

// samePrinted compares by their printed form, which treats nil and empty
// slices alike.
func samePrinted(a, b any) bool {
	return fmt.Sprintf("%+v", a) == fmt.Sprintf("%+v", b)
}
