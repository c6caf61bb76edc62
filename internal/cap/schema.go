package cap

import (
	"fmt"
	"slices"
	"strings"
)

// particle is one element of a CAP 1.2 schema sequence.
type particle struct {
	name     string
	min, max int // max 0 means unbounded
	// unsupported, if set, says why difesa refuses this schema-valid element.
	unsupported string
}

// The sequences of CAP 1.2's schema, in order. A difesa rule may further
// require an optional element (see decode.go); none is ever relaxed.
var (
	alertSeq = []particle{
		{name: "identifier", min: 1, max: 1},
		{name: "sender", min: 1, max: 1},
		{name: "sent", min: 1, max: 1},
		{name: "status", min: 1, max: 1},
		{name: "msgType", min: 1, max: 1},
		{name: "source", max: 1},
		{name: "scope", min: 1, max: 1},
		{name: "restriction", max: 1},
		{name: "addresses", max: 1},
		{name: "code"},
		{name: "note", max: 1},
		{name: "references", max: 1},
		{name: "incidents", max: 1},
		{name: "info"},
		// The schema ends with XML Signature elements: see checkElement.
	}
	infoSeq = []particle{
		{name: "language", max: 1},
		{name: "category", min: 1},
		{name: "event", min: 1, max: 1},
		{name: "responseType"},
		{name: "urgency", min: 1, max: 1},
		{name: "severity", min: 1, max: 1},
		{name: "certainty", min: 1, max: 1},
		{name: "audience", max: 1},
		{name: "eventCode"},
		{name: "effective", max: 1},
		{name: "onset", max: 1},
		{name: "expires", max: 1},
		{name: "senderName", max: 1},
		{name: "headline", max: 1},
		{name: "description", max: 1},
		{name: "instruction", max: 1},
		{name: "web", max: 1},
		{name: "contact", max: 1},
		{name: "parameter"},
		{name: "resource", unsupported: "difesa does not support resources: a bulletin carries no attachments or links to them"},
		{name: "area"},
	}
	areaSeq = []particle{
		{name: "areaDesc", min: 1, max: 1},
		{name: "polygon"},
		{name: "circle"},
		{name: "geocode"},
		{name: "altitude", max: 1},
		{name: "ceiling", max: 1},
	}
	// pairSeq is eventCode's, parameter's and geocode's content.
	pairSeq = []particle{
		{name: "valueName", min: 1, max: 1},
		{name: "value", min: 1, max: 1},
	}
)

// children holds an element's children matched to its sequence.
type children struct {
	path   string
	groups map[string][]*node
}

// path returns the path of the i-th (0-based) child named name; repeatable
// elements carry their 1-based index, as in "alert/info[2]".
func (c *children) pathOf(name string, i int, repeatable bool) string {
	if repeatable {
		return fmt.Sprintf("%s/%s[%d]", c.path, name, i+1)
	}
	return c.path + "/" + name
}

// match checks n's content against seq: no attributes or text between the
// children, every child a CAP element, in the sequence's order, and each
// as many times as allowed. signatureOK is set for alert's content, where
// the schema also accepts XML Signature elements (see checkElement).
func match(path string, n *node, seq []particle, signatureOK bool) (*children, error) {
	if !isSpace(n.text) {
		return nil, errorf(CodeUnexpected, "%s: text between elements (mixed content is not allowed)", path)
	}
	c := &children{path: path, groups: make(map[string][]*node)}
	pos := 0
	for ci, ch := range n.children {
		if err := checkElement(path, ch, signatureOK); err != nil {
			return nil, err
		}
		name := ch.name.Local
		isName := func(p particle) bool { return p.name == name }
		j := slices.IndexFunc(seq[pos:], isName)
		if j < 0 {
			k := slices.IndexFunc(seq, isName)
			switch {
			case k < 0:
				return nil, errorf(CodeUnexpected, "%s/%s: not a CAP 1.2 element here", path, excerpt(name))
			case seq[k].unsupported != "":
				return nil, errorf(CodeUnexpected, "%s/%s: %s", path, name, seq[k].unsupported)
			case seq[k].max != 0 && len(c.groups[name]) == seq[k].max:
				return nil, errorf(CodeUnexpected, "%s/%s: more than %d", path, name, seq[k].max)
			default:
				return nil, errorf(CodeUnexpected, "%s/%s: out of order: it comes before %s in CAP's sequence", path, name, seq[pos].name)
			}
		}
		j += pos
		for _, skipped := range seq[pos:j] {
			if len(c.groups[skipped.name]) >= skipped.min {
				continue
			}
			later := slices.ContainsFunc(n.children[ci+1:], func(x *node) bool { return x.name.Local == skipped.name })
			if later {
				return nil, errorf(CodeUnexpected, "%s/%s: out of order: %s comes first in CAP's sequence", path, name, skipped.name)
			}
			return nil, errorf(CodeMissing, "%s/%s: required", path, skipped.name)
		}
		pos = j
		p := seq[j]
		if p.unsupported != "" {
			return nil, errorf(CodeUnexpected, "%s/%s: %s", path, name, p.unsupported)
		}
		if p.max != 0 && len(c.groups[name]) == p.max {
			return nil, errorf(CodeUnexpected, "%s/%s: more than %d", path, name, p.max)
		}
		c.groups[name] = append(c.groups[name], ch)
	}
	for _, rest := range seq[pos:] {
		if len(c.groups[rest.name]) < rest.min {
			return nil, errorf(CodeMissing, "%s/%s: required", path, rest.name)
		}
	}
	return c, nil
}

// xmldsigNamespace is XML Signature's namespace: CAP 1.2's schema ends
// alert's content with <any namespace="http://www.w3.org/2000/09/xmldsig#"
// processContents="lax" minOccurs="0" maxOccurs="unbounded"/>.
const xmldsigNamespace = "http://www.w3.org/2000/09/xmldsig#"

// checkElement refuses a child that is not a plain CAP element: one in
// another namespace, or carrying attributes (namespace declarations
// included: the only one a bulletin has is on <alert>). If signatureOK,
// the child is alert's, where the schema accepts XML Signature elements:
// those are refused as unsupported rather than as a namespace error.
func checkElement(path string, n *node, signatureOK bool) error {
	switch {
	case n.name.Space == Namespace:
	case n.name.Space != "" && !strings.Contains(n.name.Space, ":"):
		// encoding/xml leaves an undeclared prefix in Space; a namespace
		// name is an absolute URI, so it always has a colon.
		return errorf(CodeNamespace, "%s: element %s has an undeclared namespace prefix", path, excerpt(n.name.Local))
	case signatureOK && n.name.Space == xmldsigNamespace:
		return errorf(CodeUnexpected, "%s: XML Signature element %s: difesa does not support signatures inside a bulletin (a bulletin is signed separately, over its exact bytes)",
			path, excerpt(n.name.Local))
	default:
		return errorf(CodeNamespace, "%s: element %s in namespace %s is not CAP 1.2's", path, excerpt(n.name.Local), excerpt(n.name.Space))
	}
	if len(n.attrs) > 0 {
		a := n.attrs[0].Name
		if a.Space == "xmlns" || a.Space == "" && a.Local == "xmlns" {
			return errorf(CodeNamespace, "%s/%s: namespace declaration: only <alert> declares one", path, n.name.Local)
		}
		return errorf(CodeNamespace, "%s/%s: attribute %s: CAP elements carry none", path, n.name.Local, excerpt(a.Local))
	}
	return nil
}
