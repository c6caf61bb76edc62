package cli

import (
	"slices"
	"strings"
	"time"

	"difesa.org/difesa/internal/cap"
)

// bulletinView is a checked bulletin with what the other checked bulletins
// say about it.
type bulletinView struct {
	*checkedBulletin
	expired bool
	expires time.Time // zero if it does not expire by itself
	// replacedBy is the latest Update or Cancel that refers to it.
	replacedBy *checkedBulletin
	// refersTo are the bulletins it updates or cancels, as found on the
	// hub; missing lists the references not found.
	refersTo []*checkedBulletin
	missing  []cap.Reference
	now      time.Time
}

// current reports whether the bulletin is in force. A Cancel is, as long
// as one of the bulletins it cancels would have been (or it cancels one
// the hub does not list): past that, it is old news.
func (v *bulletinView) current() bool {
	if v.expired || v.replacedBy != nil {
		return false
	}
	if v.alert.MsgType != "Cancel" || len(v.missing) > 0 {
		return true
	}
	for _, r := range v.refersTo {
		if t, ok := r.alert.Expires(); !ok || v.now.Before(t) {
			return true
		}
	}
	return false
}

// bulletinViews works out, from the signed documents alone, which
// bulletins expired at now and which were updated or cancelled. The views
// are newest first.
func bulletinViews(checked []*checkedBulletin, now time.Time) []*bulletinView {
	byRef := map[cap.Reference]*bulletinView{}
	views := make([]*bulletinView, 0, len(checked))
	for _, b := range checked {
		v := &bulletinView{checkedBulletin: b, now: now}
		if t, ok := b.alert.Expires(); ok {
			v.expires = t
			v.expired = !now.Before(t)
		}
		byRef[refOf(b.alert)] = v
		views = append(views, v)
	}
	slices.SortFunc(views, func(a, b *bulletinView) int {
		switch {
		case a.seq > b.seq:
			return -1
		case a.seq < b.seq:
			return 1
		}
		return 0
	})
	for _, v := range views {
		if v.alert.MsgType != "Update" && v.alert.MsgType != "Cancel" {
			continue
		}
		for _, r := range v.alert.References {
			target, ok := byRef[r]
			if !ok {
				v.missing = append(v.missing, r)
				continue
			}
			v.refersTo = append(v.refersTo, target.checkedBulletin)
			if target.seq < v.seq && (target.replacedBy == nil || target.replacedBy.seq < v.seq) {
				target.replacedBy = v.checkedBulletin
			}
		}
	}
	return views
}

// primaryTag returns the primary subtag of a language tag, lowercased.
// CAP's default language is en-US.
func primaryTag(tag string) string {
	if tag == "" {
		tag = "en-US"
	}
	return baseLang(tag)
}

// pickInfo returns the info block in lang (matched by primary subtag), or
// the first block, and whether it matched. It returns nil for an alert
// without blocks.
func pickInfo(infos []cap.Info, lang string) (*cap.Info, bool) {
	if len(infos) == 0 {
		return nil, false
	}
	if lang != "" {
		want := primaryTag(lang)
		for i := range infos {
			if primaryTag(infos[i].Language) == want {
				return &infos[i], true
			}
		}
	}
	return &infos[0], lang == ""
}

// showTime formats a CAP date-time in local time, for people, in English
// (the CLI's own messages).
func showTime(s string) string { return labels{"en"}.time(s) }

// title is what a bulletin is called in lists: its headline or event in
// lang (labels l name a Cancel without text).
func (v *bulletinView) title(lang string, l labels) string {
	info, _ := pickInfo(v.alert.Infos, lang)
	switch {
	case info == nil && v.alert.MsgType == "Cancel" && len(v.refersTo) > 0:
		return l.t("Cancelled: %s", (&bulletinView{checkedBulletin: v.refersTo[0]}).title(lang, l))
	case info == nil:
		return v.alert.MsgType
	case info.Headline != "":
		return clean(info.Headline)
	}
	return clean(info.Event)
}

// writeBulletin prints one bulletin for people: its text in lang (or its
// first language), the labels around it as [labelsFor] chooses.
func writeBulletin(w *printer, v *bulletinView, lang string) {
	a := v.alert
	info, matched := pickInfo(a.Infos, lang)
	l := labelsFor(lang, info)
	w.printf("#%d  %s", v.seq, v.title(lang, l))

	var marks []string
	switch a.Status {
	case "Actual":
	case "Exercise", "Test":
		marks = append(marks, l.t("%s: not a real bulletin", l.value("status", a.Status)))
	default:
		marks = append(marks, l.value("status", a.Status))
	}
	if v.replacedBy != nil {
		by := "UPDATED by #%d"
		if v.replacedBy.alert.MsgType == "Cancel" {
			by = "CANCELLED by #%d"
		}
		marks = append(marks, l.t(by, v.replacedBy.seq))
	}
	if v.expired {
		marks = append(marks, l.t("EXPIRED"))
	}
	if len(marks) > 0 {
		w.printf("    %s", strings.Join(marks, " · "))
	}

	switch a.MsgType {
	case "Update", "Cancel":
		verb := l.t(map[string]string{"Update": "updates", "Cancel": "cancels"}[a.MsgType])
		for _, r := range v.refersTo {
			w.printf("    %s #%d  %s", verb, r.seq, (&bulletinView{checkedBulletin: r}).title(lang, l))
		}
		for _, r := range v.missing {
			w.printf("    %s %s (%s)", verb, clean(r.Identifier), l.t("not on this hub"))
		}
	}
	if info != nil {
		w.printf("    %s: %s · %s: %s · %s: %s", l.t("severity"), l.value("sev", info.Severity),
			l.t("urgency"), l.value("urg", info.Urgency), l.t("certainty"), l.value("cert", info.Certainty))
		event := clean(info.Event)
		if len(info.Categories) > 0 {
			event += " (" + l.values("cat", info.Categories) + ")"
		}
		w.printf("    %s: %s", l.t("event"), event)
		if len(info.Areas) > 0 {
			areas := make([]string, len(info.Areas))
			for i, ar := range info.Areas {
				areas[i] = clean(ar.Desc)
			}
			w.printf("    %s: %s", l.t("area"), strings.Join(areas, "; "))
		}
	}
	when := l.t("sent") + ": " + l.time(a.Sent)
	if info != nil && info.Expires != "" {
		when += " · " + l.t("expires") + ": " + l.time(info.Expires)
	}
	w.printf("    %s", when)
	if info != nil && (len(a.Infos) > 1 || !matched && lang != "") {
		w.printf("    %s", languageNote(a.Infos, info, lang, matched, l))
	}
	w.printf("    %s: %s", l.t("id"), clean(a.Identifier))
	if info == nil {
		return
	}
	if info.Description != "" {
		w.printf("")
		w.printf("%s", indent(clean(info.Description), "    "))
	}
	if info.Instruction != "" {
		w.printf("")
		w.printf("    %s", l.t("What to do:"))
		w.printf("%s", indent(clean(info.Instruction), "    "))
	}
	if info.Web != "" || info.Contact != "" {
		w.printf("")
	}
	if info.Web != "" {
		w.printf("    %s: %s", l.t("web"), clean(info.Web))
	}
	if info.Contact != "" {
		w.printf("    %s: %s", l.t("contact"), clean(info.Contact))
	}
}

// languageNote says which language is shown, which others there are, and
// whether the one asked for was missing.
func languageNote(infos []cap.Info, shown *cap.Info, lang string, matched bool, l labels) string {
	tag := func(i *cap.Info) string {
		if i.Language == "" {
			return "en-US"
		}
		return clean(i.Language)
	}
	var others []string
	for i := range infos {
		if &infos[i] != shown {
			others = append(others, tag(&infos[i]))
		}
	}
	note := l.t("language") + ": " + tag(shown)
	if !matched && lang != "" {
		note = l.t("not written in %s; shown in %s", clean(lang), tag(shown))
	}
	if len(others) > 0 {
		note += " (" + l.t("also in") + " " + strings.Join(others, ", ") + ")"
	}
	return note
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(prefix+strings.TrimRight(l, "\r"), " ")
	}
	return strings.Join(lines, "\n")
}
