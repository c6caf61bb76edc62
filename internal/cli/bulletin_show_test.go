package cli

import (
	"os"
	"testing"
	"time"

	"difesa.org/difesa/internal/cap"
)

func TestPickInfo(t *testing.T) {
	infos := []cap.Info{{Language: "it-IT", Event: "it"}, {Language: "", Event: "default"}, {Language: "pt-BR", Event: "pt"}}
	tests := []struct {
		lang        string
		want        string
		wantMatched bool
	}{
		{"it", "it", true},
		{"IT-ch", "it", true},
		{"en-GB", "default", true}, // no language is CAP's en-US
		{"pt", "pt", true},
		{"de", "it", false},
		{"", "it", true},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			got, matched := pickInfo(infos, tt.lang)
			if got.Event != tt.want || matched != tt.wantMatched {
				t.Errorf("pickInfo(%q) = %s, %v; want %s, %v", tt.lang, got.Event, matched, tt.want, tt.wantMatched)
			}
		})
	}
	if got, _ := pickInfo(nil, "it"); got != nil {
		t.Errorf("pickInfo of no blocks = %v", got)
	}
}

func TestEnvLanguage(t *testing.T) {
	tests := []struct{ lcAll, lcMessages, lang, want string }{
		{"", "", "it_IT.UTF-8", "it-IT"},
		{"", "", "de_DE@euro", "de-DE"},
		{"", "fr_FR.UTF-8", "it_IT.UTF-8", "fr-FR"},
		{"es", "fr_FR.UTF-8", "it_IT.UTF-8", "es"},
		{"C", "", "it_IT.UTF-8", ""},
		{"", "", "POSIX", ""},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.lcAll+"|"+tt.lcMessages+"|"+tt.lang, func(t *testing.T) {
			t.Setenv("LC_ALL", tt.lcAll)
			t.Setenv("LC_MESSAGES", tt.lcMessages)
			t.Setenv("LANG", tt.lang)
			if got := envLocale(os.Getenv); got != tt.want {
				t.Errorf("envLocale() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestBulletinViews: expiry and replacement come from the signed
// documents, and a Cancel is news only while what it cancels would have
// been in force.
func TestBulletinViews(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	at := func(h int) string { return cap.FormatTime(now.Add(time.Duration(h) * time.Hour)) }
	n := 0
	mk := func(msgType, expires string, refs ...*checkedBulletin) *checkedBulletin {
		n++
		a := &cap.Alert{Identifier: "id" + string(rune('0'+n)), Sender: "s", Sent: at(-100 + n), MsgType: msgType}
		if expires != "" || msgType != "Cancel" {
			a.Infos = []cap.Info{{Event: "E", Expires: expires}}
		}
		for _, r := range refs {
			a.References = append(a.References, refOf(r.alert))
		}
		return &checkedBulletin{seq: uint64(n), alert: a}
	}
	alert := mk("Alert", at(48))          // 1: updated by 2
	update := mk("Update", at(24), alert) // 2: updated by 3
	update2 := mk("Update", "", update)   // 3: current, no expiry
	old := mk("Alert", at(-1))            // 4: expired
	cancelOld := mk("Cancel", "", old)    // 5: cancels an expired alert: old news
	live := mk("Alert", "")               // 6: cancelled by 7
	cancelLive := mk("Cancel", "", live)  // 7: current
	expiredCancel := mk("Cancel", at(-2)) // 8: expired itself
	orphan := &checkedBulletin{seq: 9, alert: &cap.Alert{Identifier: "id9", Sender: "s", Sent: at(-1), MsgType: "Cancel",
		References: []cap.Reference{{Sender: "s", Identifier: "gone", Sent: at(-50)}}}} // 9: cancels one not listed
	views := bulletinViews([]*checkedBulletin{alert, update, update2, old, cancelOld, live, cancelLive, expiredCancel, orphan}, now)

	want := map[uint64]struct {
		current    bool
		expired    bool
		replacedBy uint64
	}{
		1: {false, false, 2}, 2: {false, false, 3}, 3: {true, false, 0}, 4: {false, true, 5}, 5: {false, false, 0},
		6: {false, false, 7}, 7: {true, false, 0}, 8: {false, true, 0}, 9: {true, false, 0},
	}
	for i, v := range views {
		if i > 0 && views[i-1].seq < v.seq {
			t.Errorf("views not newest first: %d before %d", views[i-1].seq, v.seq)
		}
		w := want[v.seq]
		var by uint64
		if v.replacedBy != nil {
			by = v.replacedBy.seq
		}
		if v.current() != w.current || v.expired != w.expired || by != w.replacedBy {
			t.Errorf("bulletin %d: current %v expired %v replaced by %d; want %+v", v.seq, v.current(), v.expired, by, w)
		}
	}
	if len(views[0].missing) != 1 {
		t.Errorf("bulletin 9 misses %v", views[0].missing)
	}
}
