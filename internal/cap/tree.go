package cap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// node is one element as the token pass read it: [Check] builds the whole
// tree before looking at what it means, so that every forbidden construct
// is refused as such wherever it is, whatever else is wrong.
type node struct {
	name     xml.Name // Space is the resolved namespace, not the prefix
	attrs    []xml.Attr
	text     []byte // character data directly inside, concatenated
	children []*node
}

// bom is the UTF-8 byte order mark, which a bulletin must not start with.
const bom = "\xEF\xBB\xBF"

// readTree runs the strict token pass over doc and returns its root
// element. Only UTF-8 is read, and the only markup besides elements and
// character references (each naming an XML character, see
// [checkCharRefs]) is the XML declaration at the very start: no byte
// order mark, DOCTYPE or other <!…> declaration, comment, CDATA section or
// processing instruction. Non-white-space text outside the root and a
// second root are refused.
func readTree(doc []byte) (*node, error) {
	if bytes.HasPrefix(doc, []byte(bom)) {
		return nil, errorf(CodeForbidden, "byte order mark: a bulletin starts with '<'")
	}
	if !utf8.Valid(doc) {
		return nil, errorf(CodeMalformed, "not valid UTF-8")
	}
	hasDecl, err := checkDeclaration(doc)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var root *node
	var stack []*node
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, malformed(err)
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if !(off == 0 && hasDecl && t.Target == "xml") {
				return nil, errorf(CodeForbidden, "processing instruction <?%s: only the XML declaration, at the very start, is allowed", clip(t.Target))
			}
		case xml.Directive:
			return nil, errorf(CodeForbidden, "line %d: DOCTYPE, ENTITY or other <!…> declaration", line(doc, off))
		case xml.Comment:
			return nil, errorf(CodeForbidden, "line %d: comment: difesa bulletins carry none", line(doc, off))
		case xml.CharData:
			if bytes.HasPrefix(doc[off:], []byte("<![CDATA[")) {
				return nil, errorf(CodeForbidden, "line %d: CDATA section: escape the text with &lt; and &amp; instead", line(doc, off))
			}
			if err := checkCharRefs(doc, doc[off:d.InputOffset()], off); err != nil {
				return nil, err
			}
			if len(stack) == 0 {
				if !isSpace(t) {
					return nil, errorf(CodeMalformed, "line %d: text outside the root element", line(doc, off))
				}
				continue
			}
			top := stack[len(stack)-1]
			top.text = append(top.text, t...)
		case xml.StartElement:
			// Attribute values are the only place a tag can hold one.
			if err := checkCharRefs(doc, doc[off:d.InputOffset()], off); err != nil {
				return nil, err
			}
			n := &node{name: t.Name, attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, errorf(CodeMalformed, "line %d: a second root element", line(doc, off))
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		return nil, errorf(CodeMalformed, "no root element")
	}
	return root, nil
}

// checkDeclaration reports whether doc starts with an XML declaration, and
// refuses any declaration other than version 1.0 with, optionally,
// encoding UTF-8 (in any case, as XML allows). A standalone declaration
// means nothing without a DOCTYPE, so it is refused too.
func checkDeclaration(doc []byte) (bool, error) {
	const start = "<?xml"
	if !bytes.HasPrefix(doc, []byte(start)) || len(doc) == len(start) ||
		!(isSpaceByte(doc[len(start)]) || doc[len(start)] == '?') {
		return false, nil
	}
	p := &declParser{b: doc, i: len(start)}
	if !p.space() || !p.literal("version") || !p.eq() {
		return true, errorf(CodeForbidden, "XML declaration: want <?xml version=\"1.0\" encoding=\"UTF-8\"?>")
	}
	if v, ok := p.quoted(); !ok || v != "1.0" {
		return true, errorf(CodeForbidden, "XML declaration: version must be 1.0")
	}
	sp := p.space()
	if sp && p.literal("encoding") {
		if !p.eq() {
			return true, errorf(CodeForbidden, "XML declaration: want encoding=\"UTF-8\"")
		}
		enc, ok := p.quoted()
		if !ok || !bytes.EqualFold([]byte(enc), []byte("UTF-8")) {
			return true, errorf(CodeForbidden, "XML declaration: encoding %s: difesa bulletins are UTF-8", excerpt(enc))
		}
		p.space()
	}
	if !p.literal("?>") {
		return true, errorf(CodeForbidden, "XML declaration: only version=\"1.0\" and encoding=\"UTF-8\" are allowed")
	}
	return true, nil
}

// declParser reads the XML declaration's grammar (XML 1.0 §2.8).
type declParser struct {
	b []byte
	i int
}

func (p *declParser) space() bool {
	j := p.i
	for p.i < len(p.b) && isSpaceByte(p.b[p.i]) {
		p.i++
	}
	return p.i > j
}

func (p *declParser) literal(s string) bool {
	if !bytes.HasPrefix(p.b[p.i:], []byte(s)) {
		return false
	}
	p.i += len(s)
	return true
}

func (p *declParser) eq() bool {
	p.space()
	if !p.literal("=") {
		return false
	}
	p.space()
	return true
}

func (p *declParser) quoted() (string, bool) {
	if p.i >= len(p.b) || p.b[p.i] != '"' && p.b[p.i] != '\'' {
		return "", false
	}
	q := p.b[p.i]
	end := bytes.IndexByte(p.b[p.i+1:], q)
	if end < 0 || end > 40 {
		return "", false
	}
	v := string(p.b[p.i+1 : p.i+1+end])
	p.i += end + 2
	return v, true
}

// isSpaceByte reports whether c is XML white space (S in XML 1.0).
func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isSpace reports whether b is empty or only XML white space.
func isSpace(b []byte) bool {
	for _, c := range b {
		if !isSpaceByte(c) {
			return false
		}
	}
	return true
}

// malformed turns an encoding/xml error into a refusal that repeats at
// most a clip of its message (which may quote the input).
func malformed(err error) *Error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return errorf(CodeMalformed, "line %d: %s", se.Line, clip(se.Msg))
	}
	return errorf(CodeMalformed, "%s", clip(err.Error()))
}

// clip cuts a message that may quote input (encoding/xml's do) to a
// bounded length, and replaces any invalid UTF-8 it carries.
func clip(s string) string {
	const max = 56
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// line returns the 1-based line number of byte offset off in doc.
func line(doc []byte, off int64) int {
	return bytes.Count(doc[:off], []byte{'\n'}) + 1
}
