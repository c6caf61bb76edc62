package cap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The documents below are shared by the table tests, the fuzz test's seeds
// and the differential tests against xmllint.

func testdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// edit returns doc with old replaced by new, failing if old is not in doc
// (so that a case cannot silently stop testing what it says).
func edit(tb testing.TB, doc, old, new string) string {
	tb.Helper()
	if !strings.Contains(doc, old) {
		tb.Fatalf("edit: %q not in document", old)
	}
	return strings.Replace(doc, old, new, 1)
}

type validCase struct {
	name string
	doc  string
}

func validCases(tb testing.TB) []validCase {
	min := testdata(tb, "minimal.xml")
	rich := testdata(tb, "rich.xml")
	ed := func(old, new string) string { return edit(tb, min, old, new) }
	const decl = `<?xml version="1.0" encoding="UTF-8"?>`
	return []validCase{
		{"minimal", min},
		{"rich", rich},
		{"no declaration", ed(decl+"\n", "")},
		{"declaration without encoding", ed(decl, `<?xml version="1.0"?>`)},
		{"declaration with single quotes and spaces", ed(decl, `<?xml version = '1.0'  encoding= 'utf-8' ?>`)},
		{"one line", strings.ReplaceAll(strings.ReplaceAll(min, "\n", ""), "  ", "")},
		{"CRLF line ends", strings.ReplaceAll(min, "\n", "\r\n")},
		{"tabs between elements", strings.ReplaceAll(min, "  <", "\t<")},
		{"no trailing newline", strings.TrimSuffix(min, "\n")},
		{"exactly MaxSize", min + strings.Repeat("\n", MaxSize-len(min))},
		{"restricted scope", ed("<scope>Public</scope>", "<scope>Restricted</scope>\n  <restriction>hub members only</restriction>")},
		{"private scope", ed("<scope>Public</scope>", "<scope>Private</scope>\n  <addresses>\"Rete Trieste\" rete-lubiana</addresses>")},
		{"cancel with one reference", edit(tb, ed("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>"),
			"</scope>", "</scope>\n  <references>hub.example.org,bulletin-2026-0000,2026-11-22T09:30:00+01:00</references>")},
		{"leap day", ed("2026-11-23T14:00:00+01:00", "2028-02-29T23:59:59+14:00")},
		{"UTC as -00:00", ed("2026-11-23T14:00:00+01:00", "2026-11-23T13:00:00-00:00")},
		{"UTC as +00:00", ed("2026-11-23T14:00:00+01:00", "2026-11-23T13:00:00+00:00")},
		{"westernmost offset", ed("2026-11-23T14:00:00+01:00", "0001-01-01T00:00:00-14:00")},
		{"escaped text", ed("bulletin-2026-0001", "bulletin-&#x31;&#49;")},
		{"info with required elements only", ed("</scope>", "</scope>\n  <info>\n    <category>Other</category>\n    <event>x</event>\n    <urgency>Unknown</urgency>\n    <severity>Unknown</severity>\n    <certainty>Unknown</certainty>\n  </info>")},
		{"multi-line text with escapes", ed("</scope>", "</scope>\n  <note>\ta &amp; b &lt;c&gt; \"d\" 'e' ]]&gt;\n\t&#xD;&#xA;&#x9;end </note>")},
		{"self-closing info parts", ed("</scope>", "</scope>\n  <info><category>Met</category><event>Storm</event><urgency>Past</urgency><severity>Extreme</severity><certainty>Observed</certainty><area><areaDesc>x</areaDesc><circle>-90,-180 0</circle><circle>90,180 12.25</circle><altitude>-10.5</altitude><ceiling>-10.5</ceiling></area></info>")},
	}
}

type hostileCase struct {
	name string
	doc  string
	code string
	// schema says whether the official CAP 1.2 schema refuses doc too:
	// the differential test with xmllint checks that it does.
	schema bool
	// malformed says whether doc is not well-formed XML, so that xmllint
	// must refuse it even without the schema.
	malformed bool
}

func hostileCases(tb testing.TB) []hostileCase {
	min := testdata(tb, "minimal.xml")
	rich := testdata(tb, "rich.xml")
	ed := func(old, new string) string { return edit(tb, min, old, new) }
	edRich := func(old, new string) string { return edit(tb, rich, old, new) }
	const (
		decl = `<?xml version="1.0" encoding="UTF-8"?>`
		root = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">`
		sent = "<sent>2026-11-23T14:00:00+01:00</sent>"
	)
	before := func(s string) string { return ed(decl+"\n", decl+"\n"+s+"\n") } // after the declaration, before the root
	inRoot := func(s string) string { return ed(root+"\n", root+"\n"+s+"\n") }
	at := func(s string) string { return ed(sent, "<sent>"+s+"</sent>") }
	laughs := `<!DOCTYPE alert [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>`
	return []hostileCase{
		// 1. size
		{name: "oversize", doc: min + strings.Repeat("\n", MaxSize-len(min)+1), code: CodeTooLarge},
		{name: "oversize garbage", doc: strings.Repeat("<", MaxSize+1), code: CodeTooLarge},

		// 2. round trip through encoding/xml
		{name: "directive with a lone quote", doc: inRoot(`<!">`), code: CodeAmbiguous, malformed: true},
		{name: "directive with a lone apostrophe before root", doc: before(`<!'>`), code: CodeAmbiguous, malformed: true},
		{name: "prefixed element with invalid local name", doc: inRoot(`<x:1identifier xmlns:x="urn:oasis:names:tc:emergency:cap:1.2">a</x:1identifier>`), code: CodeAmbiguous, malformed: true},
		{name: "prefixed root with invalid local name", doc: ed(root, `<cap:-alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">`), code: CodeAmbiguous, malformed: true},
		{name: "prefixed end tag with invalid local name", doc: ed("</alert>", "<x:.a></x:.a></alert>"), code: CodeAmbiguous, malformed: true},
		{name: "double colon in element name", doc: ed(root, `<x::alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">`), code: CodeMalformed, malformed: true},
		{name: "comment opener inside attribute", doc: ed(root, `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" a="<!--">`), code: CodeMalformed, malformed: true},
		{name: "double colon in attribute name", doc: ed(root, `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" ::a="b">`), code: CodeMalformed, malformed: true},

		// 3. tokens
		{name: "DOCTYPE", doc: before(`<!DOCTYPE alert>`), code: CodeForbidden},
		{name: "DOCTYPE in the root", doc: inRoot(`<!DOCTYPE alert>`), code: CodeForbidden, malformed: true},
		{name: "billion laughs", doc: edit(tb, before(laughs), "bulletin-2026-0001", "&lol3;"), code: CodeForbidden},
		{name: "internal entity", doc: edit(tb, before(`<!DOCTYPE alert [<!ENTITY id "bulletin-2026-0001">]>`), "bulletin-2026-0001</", "&id;</"), code: CodeForbidden},
		{name: "external entity", doc: edit(tb, before(`<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`), "bulletin-2026-0001", "&xxe;"), code: CodeForbidden},
		{name: "external DTD", doc: before(`<!DOCTYPE alert SYSTEM "http://example.org/cap.dtd">`), code: CodeForbidden},
		{name: "undefined entity", doc: ed("bulletin-2026-0001", "&nbsp;"), code: CodeMalformed, malformed: true},
		{name: "processing instruction", doc: before(`<?xml-stylesheet type="text/xsl" href="cap.xsl"?>`), code: CodeForbidden},
		{name: "processing instruction in the root", doc: inRoot(`<?php echo 1; ?>`), code: CodeForbidden},
		{name: "second XML declaration", doc: before(decl), code: CodeForbidden, malformed: true},
		{name: "declaration after white space", doc: "\n" + min, code: CodeForbidden, malformed: true},
		{name: "UTF-16 declared", doc: ed(decl, `<?xml version="1.0" encoding="UTF-16"?>`), code: CodeForbidden},
		{name: "ISO-8859-1 declared", doc: ed(decl, `<?xml version="1.0" encoding="ISO-8859-1"?>`), code: CodeForbidden},
		{name: "UTF-16 document", doc: utf16(ed(decl, `<?xml version="1.0" encoding="UTF-16"?>`)), code: CodeMalformed},
		{name: "ISO-8859-1 bytes", doc: ed("bulletin-2026-0001", "bulletin-\xe8"), code: CodeMalformed, malformed: true},
		// encoding/xml cannot read XML 1.1 at all, so step 2 refuses it.
		{name: "XML 1.1", doc: ed(decl, `<?xml version="1.1" encoding="UTF-8"?>`), code: CodeMalformed},
		{name: "standalone", doc: ed(decl, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`), code: CodeForbidden},
		{name: "byte order mark", doc: bom + min, code: CodeForbidden},
		{name: "comment", doc: inRoot("<!-- note -->"), code: CodeForbidden},
		{name: "comment splitting a value", doc: ed("<status>Actual", "<status>Act<!-- -->ual"), code: CodeForbidden},
		{name: "CDATA", doc: ed("bulletin-2026-0001", "<![CDATA[bulletin-2026-0001]]>"), code: CodeForbidden},
		{name: "text before the root", doc: ed(root, "x"+root), code: CodeMalformed, malformed: true},
		{name: "text after the root", doc: min + "x", code: CodeMalformed, malformed: true},
		{name: "second root", doc: min + "<alert/>", code: CodeMalformed, malformed: true},
		{name: "unclosed root", doc: strings.TrimSuffix(min, "</alert>\n"), code: CodeMalformed, malformed: true},
		{name: "mismatched end tag", doc: ed("</status>", "</scope>"), code: CodeMalformed, malformed: true},
		{name: "empty document", doc: "", code: CodeMalformed, malformed: true},
		{name: "only the declaration", doc: decl + "\n", code: CodeMalformed, malformed: true},

		// 4. CAP: root and namespaces
		{name: "wrong namespace", doc: ed(root, `<alert xmlns="urn:example:alert">`), code: CodeNamespace, schema: true},
		{name: "no namespace", doc: ed(root, `<alert>`), code: CodeNamespace, schema: true},
		{name: "CAP 1.1 namespace", doc: ed(root, `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1">`), code: CodeNamespace, schema: true},
		{name: "root is not alert", doc: edit(tb, ed(root, `<info xmlns="urn:oasis:names:tc:emergency:cap:1.2">`), "</alert>", "</info>"), code: CodeNamespace, schema: true},
		{name: "prefixed CAP namespace", doc: strings.NewReplacer(root, `<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">`, "</alert>", "</cap:alert>",
			"<identifier>", "<cap:identifier>", "</identifier>", "</cap:identifier>", "<sender>", "<cap:sender>", "</sender>", "</cap:sender>",
			"<sent>", "<cap:sent>", "</sent>", "</cap:sent>", "<status>", "<cap:status>", "</status>", "</cap:status>",
			"<msgType>", "<cap:msgType>", "</msgType>", "</cap:msgType>", "<scope>", "<cap:scope>", "</scope>", "</cap:scope>").Replace(min), code: CodeNamespace},
		{name: "second namespace declaration on root", doc: ed(root, `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">`), code: CodeNamespace},
		{name: "duplicate xmlns", doc: ed(root, `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" xmlns="urn:oasis:names:tc:emergency:cap:1.2">`), code: CodeNamespace, malformed: true},
		{name: "attribute on root", doc: ed(root, `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" id="1">`), code: CodeNamespace, schema: true},
		{name: "attribute on element", doc: ed("<status>", `<status lang="en">`), code: CodeNamespace, schema: true},
		{name: "xml:lang on element", doc: ed("<status>", `<status xml:lang="en">`), code: CodeNamespace, schema: true},
		{name: "namespace redeclared on element", doc: ed("<status>", `<status xmlns="urn:oasis:names:tc:emergency:cap:1.2">`), code: CodeNamespace},
		{name: "element in no namespace", doc: ed("<status>Actual</status>", `<status xmlns="">Actual</status>`), code: CodeNamespace, schema: true},
		{name: "element with undeclared prefix", doc: ed("<status>Actual</status>", `<status>Actual</status><x:status>Actual</x:status>`), code: CodeNamespace, malformed: true},
		{name: "foreign element deep inside", doc: edRich("<areaDesc>Old town</areaDesc>", `<areaDesc>Old town</areaDesc><kml:Point xmlns:kml="http://www.opengis.net/kml/2.2"/>`), code: CodeNamespace, schema: true},
		{name: "colon-led element name", doc: ed("<status>Actual</status>", `<:status>Actual</:status>`), code: CodeUnexpected, malformed: true},

		// 4. CAP: sequences
		{name: "missing identifier", doc: ed("<identifier>bulletin-2026-0001</identifier>\n", ""), code: CodeMissing, schema: true},
		{name: "missing scope", doc: ed("<scope>Public</scope>\n", ""), code: CodeMissing, schema: true},
		{name: "out of order", doc: ed("<identifier>bulletin-2026-0001</identifier>\n  <sender>hub.example.org</sender>", "<sender>hub.example.org</sender>\n  <identifier>bulletin-2026-0001</identifier>"), code: CodeUnexpected, schema: true},
		{name: "status after msgType", doc: ed("<status>Actual</status>\n  <msgType>Alert</msgType>", "<msgType>Alert</msgType>\n  <status>Actual</status>"), code: CodeUnexpected, schema: true},
		{name: "two senders", doc: ed("<sender>hub.example.org</sender>", "<sender>hub.example.org</sender><sender>evil.example.org</sender>"), code: CodeUnexpected, schema: true},
		{name: "sender repeated later", doc: ed("</scope>", "</scope><sender>evil.example.org</sender>"), code: CodeUnexpected, schema: true},
		{name: "unknown element", doc: ed("</scope>", "</scope><priority>1</priority>"), code: CodeUnexpected, schema: true},
		{name: "text in the root", doc: ed("<sent>", "hello<sent>"), code: CodeUnexpected, schema: true},
		{name: "no-break space in the root", doc: ed("<sent>", "\u00a0<sent>"), code: CodeUnexpected, schema: true},
		{name: "element inside a value", doc: ed("bulletin-2026-0001", "bulletin<b>1</b>"), code: CodeUnexpected, schema: true},
		{name: "info without category", doc: edRich("<category>Security</category>\n    <event>Izselitev</event>", "<event>Izselitev</event>"), code: CodeMissing, schema: true},
		{name: "info without event", doc: edRich("<event>Izselitev</event>\n", ""), code: CodeMissing, schema: true},
		{name: "category after event", doc: edRich("<category>Security</category>\n    <event>Izselitev</event>", "<event>Izselitev</event>\n    <category>Security</category>"), code: CodeUnexpected, schema: true},
		{name: "area without areaDesc", doc: edRich("<areaDesc>Old town</areaDesc>\n", ""), code: CodeMissing, schema: true},
		{name: "geocode without value", doc: edRich("<value>1061</value>\n", ""), code: CodeMissing, schema: true},
		{name: "geocode with two values", doc: edRich("<value>1061</value>", "<value>1061</value><value>1062</value>"), code: CodeUnexpected, schema: true},
		{name: "info before incidents", doc: ed("</scope>", "</scope>\n  <info><category>Other</category><event>x</event><urgency>Unknown</urgency><severity>Unknown</severity><certainty>Unknown</certainty></info>\n  <incidents>x</incidents>"), code: CodeUnexpected, schema: true},
		{name: "ceiling without altitude", doc: edRich("<altitude>0</altitude>\n", ""), code: CodeMissing},
		{name: "resource", doc: edRich("    <area>\n      <areaDesc>Old town", "    <resource>\n      <resourceDesc>map</resourceDesc>\n      <mimeType>image/png</mimeType>\n      <uri>https://hub.example.org/map.png</uri>\n    </resource>\n    <area>\n      <areaDesc>Old town"), code: CodeUnexpected},
		{name: "XML signature", doc: edRich("</alert>", `  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:SignedInfo></ds:Signature>`+"\n</alert>"), code: CodeUnexpected},
		{name: "XML encryption", doc: ed("</alert>", `<xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"/></alert>`), code: CodeNamespace, schema: true},
		{name: "extension element", doc: ed("</alert>", `<ext:priority xmlns:ext="urn:example:ext">1</ext:priority></alert>`), code: CodeNamespace, schema: true},
		{name: "XML signature before info", doc: edRich("<info>", `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/><info>`), code: CodeUnexpected}, // libxml2 accepts this one

		// 4. CAP: values
		{name: "bad status", doc: ed("<status>Actual", "<status>Real"), code: CodeBadValue, schema: true},
		{name: "status with spaces", doc: ed("<status>Actual", "<status> Actual "), code: CodeBadValue, schema: true},
		{name: "status with a newline", doc: ed("<status>Actual", "<status>Actual\n"), code: CodeBadValue, schema: true},
		{name: "lowercase status", doc: ed("<status>Actual", "<status>actual"), code: CodeBadValue, schema: true},
		{name: "bad msgType", doc: ed("<msgType>Alert", "<msgType>Notice"), code: CodeBadValue, schema: true},
		{name: "bad scope", doc: ed("<scope>Public", "<scope>Everyone"), code: CodeBadValue, schema: true},
		{name: "bad category", doc: edRich("<category>Safety</category>\n    <event>Eviction", "<category>Politics</category>\n    <event>Eviction"), code: CodeBadValue, schema: true},
		{name: "bad responseType", doc: edRich("<responseType>Monitor", "<responseType>Hide"), code: CodeBadValue, schema: true},
		{name: "bad urgency", doc: edRich("<urgency>Future", "<urgency>Later"), code: CodeBadValue, schema: true},
		{name: "bad severity", doc: edRich("<severity>Minor", "<severity>Low"), code: CodeBadValue, schema: true},
		{name: "bad certainty", doc: edRich("<certainty>Unlikely", "<certainty>Doubtful"), code: CodeBadValue, schema: true},
		{name: "empty identifier", doc: ed("bulletin-2026-0001", ""), code: CodeBadValue},
		{name: "identifier with a space", doc: ed("bulletin-2026-0001", "bulletin 1"), code: CodeBadValue},
		{name: "identifier with a comma", doc: ed("bulletin-2026-0001", "bulletin,1"), code: CodeBadValue},
		{name: "identifier with an escaped <", doc: ed("bulletin-2026-0001", "bulletin&lt;1"), code: CodeBadValue},
		{name: "identifier with an escaped &", doc: ed("bulletin-2026-0001", "bulletin&amp;1"), code: CodeBadValue},
		{name: "sender with a bidi override", doc: ed("hub.example.org", "hub.\u202egro.elpmaxe"), code: CodeBadValue},
		{name: "sender with a no-break space", doc: ed("hub.example.org", "hub\u00a0example.org"), code: CodeBadValue},
		{name: "empty note", doc: ed("</scope>", "</scope>\n  <note></note>"), code: CodeBadValue},
		{name: "blank note", doc: ed("</scope>", "</scope>\n  <note> \n </note>"), code: CodeBadValue},
		{name: "C1 control in note", doc: ed("</scope>", "</scope>\n  <note>a\u0085b</note>"), code: CodeBadValue},
		{name: "DEL in note", doc: ed("</scope>", "</scope>\n  <note>a\x7fb</note>"), code: CodeBadValue},
		{name: "C0 control in note", doc: ed("</scope>", "</scope>\n  <note>a&#x1B;b</note>"), code: CodeMalformed, malformed: true},

		// Character references must name an XML character (XML 1.0 Char):
		// encoding/xml reads a surrogate as U+FFFD instead of refusing it.
		{name: "surrogate reference in identifier", doc: ed("bulletin-2026-0001", "bulletin-&#xD800;"), code: CodeMalformed, malformed: true},
		{name: "low surrogate reference in note", doc: ed("</scope>", "</scope>\n  <note>&#xdc00;</note>"), code: CodeMalformed, malformed: true},
		{name: "decimal surrogate reference in note", doc: ed("</scope>", "</scope>\n  <note>&#57343;</note>"), code: CodeMalformed, malformed: true},
		{name: "reference to U+0000", doc: ed("</scope>", "</scope>\n  <note>&#0;</note>"), code: CodeMalformed, malformed: true},
		{name: "reference to U+FFFE", doc: ed("</scope>", "</scope>\n  <note>&#xFFFE;</note>"), code: CodeMalformed, malformed: true},
		{name: "reference to U+FFFF", doc: ed("</scope>", "</scope>\n  <note>&#65535;</note>"), code: CodeMalformed, malformed: true},
		{name: "reference beyond U+10FFFF", doc: ed("</scope>", "</scope>\n  <note>&#x110000;</note>"), code: CodeMalformed, malformed: true},
		{name: "reference far beyond U+10FFFF", doc: ed("</scope>", "</scope>\n  <note>&#x7FFFFFFFFFFFFFFF;</note>"), code: CodeMalformed, malformed: true},
		{name: "surrogate reference in an enumerated value", doc: ed("<status>Actual", "<status>Actual&#xDBFF;"), code: CodeMalformed, malformed: true},
		{name: "surrogate reference in the namespace", doc: ed(root, `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2&#xD800;">`), code: CodeMalformed, malformed: true},
		{name: "surrogate reference in a date-time", doc: at("2026-11-23T14:00:00+01:00&#xD800;"), code: CodeMalformed, malformed: true},
		{name: "surrogate reference in web", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/&#xD800;"), code: CodeMalformed, malformed: true},
		{name: "reference with too many digits", doc: ed("</scope>", "</scope>\n  <note>&#x00000000000000041;</note>"), code: CodeMalformed},
		{name: "bad language", doc: edRich("<language>sl</language>", "<language>slovenščina</language>"), code: CodeBadValue, schema: true},
		{name: "language with underscore", doc: edRich("<language>sl</language>", "<language>sl_SI</language>"), code: CodeBadValue, schema: true},
		{name: "web not a URL", doc: edRich("https://hub.example.org/bulletins/42", "see the hub"), code: CodeBadValue},
		{name: "web javascript", doc: edRich("https://hub.example.org/bulletins/42", "javascript:alert(1)"), code: CodeBadValue},
		{name: "web relative", doc: edRich("https://hub.example.org/bulletins/42", "/bulletins/42"), code: CodeBadValue},
		{name: "web with user info", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org@evil.example/"), code: CodeBadValue},
		{name: "web with brackets in the path", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/a[b]"), code: CodeBadValue, schema: true},
		{name: "web with two fragments", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/#a#b"), code: CodeBadValue, schema: true},
		{name: "web with a bad escape in the query", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/?a=%zz"), code: CodeBadValue, schema: true},
		{name: "web with a bad escape in the path", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/%zz"), code: CodeBadValue, schema: true},
		{name: "web with a truncated escape", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/a%4"), code: CodeBadValue, schema: true},
		{name: "web with a lone percent", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/a%"), code: CodeBadValue, schema: true},
		{name: "web with a port that is not a number", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org:x/"), code: CodeBadValue, schema: true},
		{name: "web with an empty port", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org:/"), code: CodeBadValue, schema: true},
		{name: "web with a huge port", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org:99999999999/"), code: CodeBadValue, schema: true},
		{name: "web with a bracket in the query", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/?["), code: CodeBadValue, schema: true},
		{name: "web with an unclosed IPv6 host", doc: edRich("https://hub.example.org/bulletins/42", "https://[2001:db8::1/"), code: CodeBadValue, schema: true},
		{name: "web with a closing bracket in the host", doc: edRich("https://hub.example.org/bulletins/42", "https://hub]/"), code: CodeBadValue, schema: true},
		{name: "web with a port over 65535", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org:65536/"), code: CodeBadValue},
		{name: "web with a caret", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/a^b"), code: CodeBadValue},
		{name: "web with a backslash", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org\\@evil.example/"), code: CodeBadValue},
		{name: "web with a pipe", doc: edRich("https://hub.example.org/bulletins/42", "https://hub.example.org/?a|b"), code: CodeBadValue},
		{name: "web with an escaped host", doc: edRich("https://hub.example.org/bulletins/42", "https://%68ub.example.org/"), code: CodeBadValue},
		{name: "web with an IPv6 zone", doc: edRich("https://hub.example.org/bulletins/42", "https://[fe80::1%25eth0]/"), code: CodeBadValue},
		{name: "web with an IPvFuture host", doc: edRich("https://hub.example.org/bulletins/42", "https://[v1.x]/"), code: CodeBadValue},
		{name: "web with an empty label", doc: edRich("https://hub.example.org/bulletins/42", "https://hub..example.org/"), code: CodeBadValue},
		{name: "polygon with three points", doc: edRich("46.05,14.50 46.06,14.51 46.05,14.52 46.04,14.51 46.05,14.50", "46.05,14.50 46.06,14.51 46.05,14.50"), code: CodeBadValue},
		{name: "polygon not closed", doc: edRich("46.04,14.51 46.05,14.50", "46.04,14.51 46.05,14.49"), code: CodeBadValue},
		{name: "polygon latitude 91", doc: edRich("46.06,14.51", "91,14.51"), code: CodeBadValue},
		{name: "polygon longitude 181", doc: edRich("46.06,14.51", "46.06,181"), code: CodeBadValue},
		{name: "polygon with double spaces", doc: edRich("46.06,14.51 ", "46.06,14.51  "), code: CodeBadValue},
		{name: "circle without radius", doc: edRich("<circle>45.6495,13.7768 1.5</circle>\n    </area>", "<circle>45.6495,13.7768</circle>\n    </area>"), code: CodeBadValue},
		{name: "circle with negative radius", doc: edRich("<circle>45.6495,13.7768 1.5</circle>\n    </area>", "<circle>45.6495,13.7768 -1.5</circle>\n    </area>"), code: CodeBadValue},
		{name: "altitude in exponent form", doc: edRich("<altitude>0</altitude>", "<altitude>1e3</altitude>"), code: CodeBadValue},
		{name: "altitude not a number", doc: edRich("<altitude>0</altitude>", "<altitude>high</altitude>"), code: CodeBadValue, schema: true},
		{name: "altitude with 25 significant digits", doc: edRich("<altitude>0</altitude>", "<altitude>1234567890123456789012345</altitude>"), code: CodeBadValue, schema: true},
		{name: "altitude with 28 digits after a 1", doc: edRich("<altitude>0</altitude>", "<altitude>1.000000000000000000000000000</altitude>"), code: CodeBadValue, schema: true},
		{name: "ceiling with 25 fraction digits", doc: edRich("<ceiling>1500.5</ceiling>", "<ceiling>0.1234567890123456789012345</ceiling>"), code: CodeBadValue, schema: true},
		{name: "altitude with 19 digits", doc: edRich("<altitude>0</altitude>", "<altitude>1234567890123456789</altitude>"), code: CodeBadValue},
		{name: "altitude with 19 leading zeros", doc: edRich("<altitude>0</altitude>", "<altitude>0000000000000000001</altitude>"), code: CodeBadValue},
		{name: "ceiling below altitude by less than float64 sees", doc: edRich("<altitude>0</altitude>\n      <ceiling>1500.5</ceiling>", "<altitude>100000000000000001</altitude>\n      <ceiling>100000000000000000</ceiling>"), code: CodeBadValue},
		{name: "ceiling below altitude", doc: edRich("<altitude>0</altitude>", "<altitude>2000</altitude>"), code: CodeBadValue},
		{name: "restriction on a public alert", doc: ed("</scope>", "</scope>\n  <restriction>members</restriction>"), code: CodeUnexpected},
		{name: "restricted without restriction", doc: ed("<scope>Public", "<scope>Restricted"), code: CodeMissing},
		{name: "private without addresses", doc: ed("<scope>Public", "<scope>Private"), code: CodeMissing},
		{name: "update without references", doc: ed("<msgType>Alert", "<msgType>Update"), code: CodeMissing},
		{name: "cancel without references", doc: ed("<msgType>Alert", "<msgType>Cancel"), code: CodeMissing},
		{name: "references with a bad triplet", doc: edRich("hub.example.org,bulletin-2026-0041,", "hub.example.org,bulletin-2026-0041,x,"), code: CodeBadValue},
		{name: "references with two fields", doc: edRich("hub.example.org,bulletin-2026-0041,2026-11-22T09:30:00+01:00", "hub.example.org,bulletin-2026-0041"), code: CodeBadValue},
		{name: "references with a bad sent", doc: edRich("2026-11-22T09:30:00+01:00", "2026-11-22T09:30:00Z"), code: CodeBadTime},
		{name: "references with a newline", doc: edRich("+01:00 hub.example.org", "+01:00\nhub.example.org"), code: CodeBadValue},

		// 4. CAP: date-times
		{name: "time without offset", doc: at("2026-11-23T14:00:00"), code: CodeBadTime},
		{name: "time in UTC as Z", doc: at("2026-11-23T13:00:00Z"), code: CodeBadTime, schema: true},
		{name: "time with fractional seconds", doc: at("2026-11-23T14:00:00.5+01:00"), code: CodeBadTime, schema: true},
		{name: "time on 30 February", doc: at("2026-02-30T14:00:00+01:00"), code: CodeBadTime, schema: true},
		{name: "time on 29 February of a common year", doc: at("2026-02-29T14:00:00+01:00"), code: CodeBadTime, schema: true},
		{name: "time at 24:00:00", doc: at("2026-11-23T24:00:00+01:00"), code: CodeBadTime},
		{name: "time at 23:60", doc: at("2026-11-23T23:60:00+01:00"), code: CodeBadTime, schema: true},
		{name: "time in month 13", doc: at("2026-13-01T14:00:00+01:00"), code: CodeBadTime, schema: true},
		{name: "time with comma offset", doc: at("2026-11-23T14:00:00,01:00"), code: CodeBadTime, schema: true},
		{name: "time with offset +15:00", doc: at("2026-11-23T14:00:00+15:00"), code: CodeBadTime, schema: true},
		{name: "time with short offset", doc: at("2026-11-23T14:00:00+0100"), code: CodeBadTime, schema: true},
		{name: "time with a space", doc: at("2026-11-23 14:00:00+01:00"), code: CodeBadTime, schema: true},
		{name: "time with leading space", doc: at(" 2026-11-23T14:00:00+01:00"), code: CodeBadTime},
		{name: "time in year 0000", doc: at("0000-11-23T14:00:00+01:00"), code: CodeBadTime, schema: true},
		{name: "bad expires", doc: edRich("2026-11-26T08:00:00-00:00", "2026-11-26"), code: CodeBadTime, schema: true},
	}
}

// utf16 returns s encoded as UTF-16LE with a byte order mark (s is ASCII).
func utf16(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, c := range []byte(s) {
		b = append(b, c, 0)
	}
	return string(b)
}
