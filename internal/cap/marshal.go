package cap

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// Marshal returns a's canonical XML document (UTF-8, XML declaration,
// two-space indentation), after checking that [Check] accepts it.
//
// Elements come in CAP's order; optional ones whose field is empty are left
// out, required ones are always written (so an empty one is refused by
// name). Text is written as is except for "&", "<", ">" and carriage
// return, which are escaped; line feeds and tabs stay literal so that a
// multi-line description reads naturally in the document an administrator
// signs. If Check refuses the document, Marshal returns its [*Error]
// wrapped; Check of the result always returns an alert [Alert.Equal] to a.
func (a *Alert) Marshal() ([]byte, error) {
	if a == nil {
		return nil, errors.New("cap: marshal: nil alert")
	}
	var w writer
	w.buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.buf.WriteString(`<alert xmlns="` + Namespace + `">` + "\n")
	w.elem(1, "identifier", a.Identifier)
	w.elem(1, "sender", a.Sender)
	w.elem(1, "sent", a.Sent)
	w.elem(1, "status", a.Status)
	w.elem(1, "msgType", a.MsgType)
	w.opt(1, "source", a.Source)
	w.elem(1, "scope", a.Scope)
	w.opt(1, "restriction", a.Restriction)
	w.opt(1, "addresses", a.Addresses)
	w.list(1, "code", a.Codes)
	w.opt(1, "note", a.Note)
	if len(a.References) > 0 {
		w.elem(1, "references", formatReferences(a.References))
	}
	w.opt(1, "incidents", a.Incidents)
	for _, in := range a.Infos {
		w.info(in)
	}
	w.buf.WriteString("</alert>\n")
	doc := w.buf.Bytes()

	back, err := Check(doc)
	if err != nil {
		return nil, fmt.Errorf("cap: marshal: the document would be refused: %w", err)
	}
	if !back.Equal(a) {
		return nil, errors.New("cap: marshal: the alert does not read back unchanged from its document")
	}
	return doc, nil
}

// writer builds the canonical document.
type writer struct {
	buf bytes.Buffer
}

func (w *writer) info(in Info) {
	w.open(1, "info")
	w.opt(2, "language", in.Language)
	w.list(2, "category", in.Categories)
	w.elem(2, "event", in.Event)
	w.list(2, "responseType", in.ResponseTypes)
	w.elem(2, "urgency", in.Urgency)
	w.elem(2, "severity", in.Severity)
	w.elem(2, "certainty", in.Certainty)
	w.opt(2, "audience", in.Audience)
	w.pairs(2, "eventCode", in.EventCodes)
	w.opt(2, "effective", in.Effective)
	w.opt(2, "onset", in.Onset)
	w.opt(2, "expires", in.Expires)
	w.opt(2, "senderName", in.SenderName)
	w.opt(2, "headline", in.Headline)
	w.opt(2, "description", in.Description)
	w.opt(2, "instruction", in.Instruction)
	w.opt(2, "web", in.Web)
	w.opt(2, "contact", in.Contact)
	w.pairs(2, "parameter", in.Parameters)
	for _, ar := range in.Areas {
		w.open(2, "area")
		w.elem(3, "areaDesc", ar.Desc)
		w.list(3, "polygon", ar.Polygons)
		w.list(3, "circle", ar.Circles)
		w.pairs(3, "geocode", ar.Geocodes)
		w.opt(3, "altitude", ar.Altitude)
		w.opt(3, "ceiling", ar.Ceiling)
		w.close(2, "area")
	}
	w.close(1, "info")
}

func (w *writer) indent(depth int) { w.buf.WriteString(strings.Repeat("  ", depth)) }

func (w *writer) open(depth int, name string) {
	w.indent(depth)
	w.buf.WriteString("<" + name + ">\n")
}

func (w *writer) close(depth int, name string) {
	w.indent(depth)
	w.buf.WriteString("</" + name + ">\n")
}

// elem writes a text element, even if s is empty.
func (w *writer) elem(depth int, name, s string) {
	w.indent(depth)
	w.buf.WriteString("<" + name + ">")
	escape(&w.buf, s)
	w.buf.WriteString("</" + name + ">\n")
}

// opt writes a text element unless s is empty.
func (w *writer) opt(depth int, name, s string) {
	if s != "" {
		w.elem(depth, name, s)
	}
}

func (w *writer) list(depth int, name string, ss []string) {
	for _, s := range ss {
		w.elem(depth, name, s)
	}
}

func (w *writer) pairs(depth int, name string, nvs []NameValue) {
	for _, nv := range nvs {
		w.open(depth, name)
		w.elem(depth+1, "valueName", nv.Name)
		w.elem(depth+1, "value", nv.Value)
		w.close(depth, name)
	}
}

// escape writes s as XML character data. Carriage returns are escaped
// because a parser turns a literal one into a line feed; ">" is escaped so
// that "]]>" never appears.
func escape(buf *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		buf.WriteString(s[last:i])
		buf.WriteString(esc)
		last = i + 1
	}
	buf.WriteString(s[last:])
}
