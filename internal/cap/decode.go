package cap

import (
	"math/big"
	"slices"
)

// namespace11 is CAP 1.1's namespace, named in its own refusal because it
// is the likeliest mistake.
const namespace11 = "urn:oasis:names:tc:emergency:cap:1.1"

// decodeAlert checks the tree against CAP 1.2 and difesa's rules and
// returns the alert it holds. Elements are read in document order, so the
// first problem in the document is the one reported.
func decodeAlert(root *node) (*Alert, error) {
	if err := checkRoot(root); err != nil {
		return nil, err
	}
	c, err := match("alert", root, alertSeq, true)
	if err != nil {
		return nil, err
	}
	a := &Alert{}
	r := reader{c: c}
	r.one("identifier", &a.Identifier, identifier)
	r.one("sender", &a.Sender, identifier)
	r.one("sent", &a.Sent, dateTime)
	r.one("status", &a.Status, enum)
	r.one("msgType", &a.MsgType, enum)
	r.one("source", &a.Source, text)
	r.one("scope", &a.Scope, enum)
	r.one("restriction", &a.Restriction, text)
	r.one("addresses", &a.Addresses, text)
	if r.err == nil {
		r.err = checkScope(a)
	}
	a.Codes = r.all("code", text)
	r.one("note", &a.Note, text)
	if r.err == nil {
		if ns := c.groups["references"]; len(ns) == 1 {
			a.References, r.err = references(c.pathOf("references", 0, false), ns[0])
		}
	}
	if r.err == nil && len(a.References) == 0 && slices.Contains([]string{"Update", "Cancel", "Ack", "Error"}, a.MsgType) {
		r.err = errorf(CodeMissing, "alert/references: required for msgType %s (difesa rule: say which bulletin this one answers)", a.MsgType)
	}
	r.one("incidents", &a.Incidents, text)
	for i, n := range c.groups["info"] {
		if r.err != nil {
			break
		}
		var in Info
		in, r.err = decodeInfo(c.pathOf("info", i, true), n)
		a.Infos = append(a.Infos, in)
	}
	if r.err != nil {
		return nil, r.err
	}
	return a, nil
}

// checkRoot requires <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
// with no other attribute. A prefixed form (<cap:alert xmlns:cap=…>) is
// valid CAP but refused: prefixes are where encoding/xml's round trips
// have gone wrong, and a bulletin has one spelling.
func checkRoot(root *node) error {
	switch {
	case root.name.Space == namespace11:
		return errorf(CodeNamespace, "root element is a CAP 1.1 %s: difesa reads CAP 1.2 (%s)", excerpt(root.name.Local), Namespace)
	case root.name.Space != Namespace || root.name.Local != "alert":
		return errorf(CodeNamespace, "root element is %s in namespace %s, not <alert> in %s", excerpt(root.name.Local), excerpt(root.name.Space), Namespace)
	}
	for _, a := range root.attrs {
		switch {
		case a.Name.Space == "xmlns":
			return errorf(CodeNamespace, "alert: prefixed namespace declaration xmlns:%s: write <alert xmlns=\"%s\"> and no prefixes", excerpt(a.Name.Local), Namespace)
		case a.Name.Space != "" || a.Name.Local != "xmlns":
			return errorf(CodeNamespace, "alert: attribute %s: the only one allowed is xmlns", excerpt(a.Name.Local))
		}
	}
	if len(root.attrs) != 1 || root.attrs[0].Value != Namespace {
		return errorf(CodeNamespace, "alert: want exactly one namespace declaration, xmlns=\"%s\"", Namespace)
	}
	return nil
}

// checkScope applies CAP's rules tying restriction and addresses to scope.
func checkScope(a *Alert) error {
	switch {
	case a.Scope == "Restricted" && a.Restriction == "":
		return errorf(CodeMissing, "alert/restriction: required when scope is Restricted")
	case a.Scope != "Restricted" && a.Restriction != "":
		return errorf(CodeUnexpected, "alert/restriction: only used when scope is Restricted")
	case a.Scope == "Private" && a.Addresses == "":
		return errorf(CodeMissing, "alert/addresses: required when scope is Private")
	}
	return nil
}

func decodeInfo(path string, n *node) (Info, error) {
	var in Info
	c, err := match(path, n, infoSeq, false)
	if err != nil {
		return in, err
	}
	r := reader{c: c}
	r.one("language", &in.Language, language)
	in.Categories = r.all("category", enum)
	r.one("event", &in.Event, text)
	in.ResponseTypes = r.all("responseType", enum)
	r.one("urgency", &in.Urgency, enum)
	r.one("severity", &in.Severity, enum)
	r.one("certainty", &in.Certainty, enum)
	r.one("audience", &in.Audience, text)
	in.EventCodes = r.pairs("eventCode")
	r.one("effective", &in.Effective, dateTime)
	r.one("onset", &in.Onset, dateTime)
	r.one("expires", &in.Expires, dateTime)
	r.one("senderName", &in.SenderName, text)
	r.one("headline", &in.Headline, text)
	r.one("description", &in.Description, text)
	r.one("instruction", &in.Instruction, text)
	r.one("web", &in.Web, web)
	r.one("contact", &in.Contact, text)
	in.Parameters = r.pairs("parameter")
	for i, an := range c.groups["area"] {
		if r.err != nil {
			break
		}
		var ar Area
		ar, r.err = decodeArea(c.pathOf("area", i, true), an)
		in.Areas = append(in.Areas, ar)
	}
	return in, r.err
}

func decodeArea(path string, n *node) (Area, error) {
	var ar Area
	c, err := match(path, n, areaSeq, false)
	if err != nil {
		return ar, err
	}
	r := reader{c: c}
	r.one("areaDesc", &ar.Desc, text)
	ar.Polygons = r.all("polygon", polygon)
	ar.Circles = r.all("circle", circle)
	ar.Geocodes = r.pairs("geocode")
	if r.err != nil {
		return ar, r.err
	}
	var altitude, ceiling *big.Rat
	if ns := c.groups["altitude"]; len(ns) == 1 {
		ar.Altitude, altitude, r.err = decimal(c.pathOf("altitude", 0, false), ns[0])
	}
	if ns := c.groups["ceiling"]; r.err == nil && len(ns) == 1 {
		ar.Ceiling, ceiling, r.err = decimal(c.pathOf("ceiling", 0, false), ns[0])
		switch {
		case r.err != nil:
		case ar.Altitude == "":
			r.err = errorf(CodeMissing, "%s/altitude: required with ceiling (CAP: ceiling is used only with altitude)", path)
		case ceiling.Cmp(altitude) < 0:
			r.err = errorf(CodeBadValue, "%s/ceiling: below altitude", path)
		}
	}
	return ar, r.err
}

// reader reads matched children into fields, keeping the first error so
// that the decoders read as a plain list of fields.
type reader struct {
	c   *children
	err error
}

// one reads the single optional or required element name into *dst.
func (r *reader) one(name string, dst *string, value func(string, *node) (string, error)) {
	if r.err != nil {
		return
	}
	if ns := r.c.groups[name]; len(ns) == 1 {
		*dst, r.err = value(r.c.pathOf(name, 0, false), ns[0])
	}
}

// all reads every element name.
func (r *reader) all(name string, value func(string, *node) (string, error)) []string {
	var out []string
	for i, n := range r.c.groups[name] {
		if r.err != nil {
			return nil
		}
		var s string
		s, r.err = value(r.c.pathOf(name, i, true), n)
		out = append(out, s)
	}
	return out
}

// pairs reads every element name holding a valueName and a value.
func (r *reader) pairs(name string) []NameValue {
	var out []NameValue
	for i, n := range r.c.groups[name] {
		if r.err != nil {
			return nil
		}
		path := r.c.pathOf(name, i, true)
		var c *children
		c, r.err = match(path, n, pairSeq, false)
		if r.err != nil {
			return nil
		}
		pr := reader{c: c}
		var nv NameValue
		pr.one("valueName", &nv.Name, text)
		pr.one("value", &nv.Value, text)
		r.err = pr.err
		out = append(out, nv)
	}
	return out
}
