package cli

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"difesa.org/difesa/internal/cap"
)

// alert builds the alert the flags describe, at now (for a missing -sent),
// from sender (-sender or the hub's), with refs looked up for -updates and
// -cancels. isSet says which alert-level flags were given.
func (s *bulletinSpec) alert(now time.Time, sender string, refs []cap.Reference, isSet func(string) bool) (*cap.Alert, error) {
	const cmd = "bulletin"
	msgType := s.msgType
	switch {
	case len(s.updates) > 0 && len(s.cancels) > 0:
		return nil, usageErrorf(cmd, "-updates and -cancels cannot go together").hint("an Update and a Cancel are two bulletins")
	case len(s.updates) > 0 && isSet("type") && msgType != "Update":
		return nil, usageErrorf(cmd, "-updates makes an Update, but -type says %s", msgType)
	case len(s.cancels) > 0 && isSet("type") && msgType != "Cancel":
		return nil, usageErrorf(cmd, "-cancels makes a Cancel, but -type says %s", msgType)
	case len(s.updates) > 0:
		msgType = "Update"
	case len(s.cancels) > 0:
		msgType = "Cancel"
	}
	allRefs := append(append([]cap.Reference(nil), s.references...), refs...)
	switch {
	case msgType == "Alert" && len(allRefs) > 0:
		return nil, usageErrorf(cmd, "-references is for an Update or a Cancel").hint("add -type Update or -type Cancel")
	case msgType != "Alert" && len(allRefs) == 0:
		return nil, usageErrorf(cmd, "an %s needs the bulletin it replaces", msgType).hint(
			fmt.Sprintf("give it with -%s IDENTIFIER -hub URL, or -references SENDER,IDENTIFIER,SENT", map[string]string{"Update": "updates", "Cancel": "cancels"}[msgType]))
	}

	if sender == "" {
		return nil, usageErrorf(cmd, "missing -sender (or -hub)").hint(
			"with -hub URL difesa asks the hub which sender its bulletins must name")
	}
	sent := now.Truncate(time.Minute)
	if s.sent != "" {
		t, err := cap.ParseTime(s.sent)
		if err != nil {
			return nil, usageErrorf(cmd, "-sent: %v", err)
		}
		sent = t
	}
	id := s.id
	if id == "" {
		var err error
		if id, err = newBulletinID(sender); err != nil {
			return nil, err
		}
	}
	a := &cap.Alert{
		Identifier: id,
		Sender:     sender,
		Sent:       cap.FormatTime(sent),
		Status:     s.status,
		MsgType:    msgType,
		Scope:      "Public",
		References: allRefs,
	}
	blocks := s.blocks
	if len(blocks) == 0 {
		if msgType == "Cancel" && s.common.empty() {
			return a, nil // a Cancel needs no text
		}
		blocks = []*infoSpec{{}}
	} else {
		for _, name := range textFlags {
			if _, ok := s.common.values[name]; ok {
				return nil, usageErrorf(cmd, "-%s before the first -lang", name).hint(
					"with -lang, write the text of each language after its -lang: -lang it -headline … -lang en -headline …")
			}
		}
	}
	for _, b := range blocks {
		info, err := b.info(&s.common, sent)
		if err != nil {
			return nil, err
		}
		a.Infos = append(a.Infos, info)
	}
	return a, nil
}

func (b *infoSpec) empty() bool { return len(b.values) == 0 && len(b.lists) == 0 }

// info builds the block, taking from common what it does not set.
func (b *infoSpec) info(common *infoSpec, sent time.Time) (cap.Info, error) {
	get := func(name, def string) string {
		if v, ok := b.values[name]; ok {
			return v
		}
		if v, ok := common.values[name]; ok {
			return v
		}
		return def
	}
	list := func(name string, def ...string) []string {
		if v := b.lists[name]; len(v) > 0 {
			return v
		}
		if v := common.lists[name]; len(v) > 0 {
			return v
		}
		return def
	}
	info := cap.Info{
		Language:    b.lang,
		Categories:  list("category", "Security"),
		Event:       get("event", ""),
		Urgency:     get("urgency", "Unknown"),
		Severity:    get("severity", "Unknown"),
		Certainty:   get("certainty", "Unknown"),
		Headline:    get("headline", ""),
		Description: get("description", ""),
		Instruction: get("instruction", ""),
		Web:         get("web", ""),
		Contact:     get("contact", ""),
	}
	if info.Event == "" {
		u := usageErrorf("bulletin", "missing -event")
		if b.lang != "" {
			u = usageErrorf("bulletin", "missing -event for language %s", b.lang)
		}
		return info, u.hint(`-event says in a few words what the bulletin is about, like -event "Arrests"`)
	}
	for _, a := range list("area") {
		info.Areas = append(info.Areas, cap.Area{Desc: a})
	}
	if exp := get("expires", ""); exp != "" {
		if d, err := parseAfter(exp); err == nil {
			info.Expires = cap.FormatTime(sent.Add(d))
		} else {
			info.Expires = exp
			if t, err := cap.ParseTime(exp); err == nil && !t.After(sent) {
				return info, usageErrorf("bulletin", "-expires %s is not after -sent %s", exp, cap.FormatTime(sent))
			}
		}
	}
	return info, nil
}

// newBulletinID returns a fresh identifier: the sender, a dash and 128
// random bits in hex.
func newBulletinID(sender string) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("internal error: %v", err)
	}
	return sender + "-" + hex.EncodeToString(b), nil
}
