package export

import (
	"bytes"
	"fmt"
	"html/template"
)

// The print view's CSP forbids script, frames, forms and every load: only
// its own inline style applies.
const printCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'"

var printTemplate = template.Must(template.New("case").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<meta name="referrer" content="no-referrer">
<title>Case {{.ID}}</title>
<style>
body { font: 11pt/1.45 Georgia, serif; max-width: 44em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; border-bottom: 1px solid #999; margin-top: 1.6em; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; }
dt { font-weight: bold; } dd { margin: 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.msg { margin: .8em 0; padding-left: .8em; border-left: 3px solid #bbb; }
.meta { color: #444; font-size: .9em; }
table { border-collapse: collapse; } td, th { text-align: left; padding: .2em .6em .2em 0; vertical-align: top; }
code { overflow-wrap: anywhere; font-size: .85em; }
</style>
</head>
<body>
<h1>Case {{.ID}}</h1>
<dl>
<dt>Kind</dt><dd>{{.Kind}}</dd>
<dt>Category</dt><dd>{{.Category}}</dd>
<dt>Received</dt><dd>{{.Created}} (UTC)</dd>
</dl>
{{if .Fields}}<h2>Fields</h2>
<dl>{{range .Fields}}
<dt>{{.Key}}</dt><dd class="text">{{.Value}}</dd>{{end}}
</dl>{{end}}
<h2>Narrative</h2>
<div class="text">{{.Narrative}}</div>
{{if .Messages}}<h2>Conversation</h2>{{range .Messages}}
<div class="msg"><div class="meta">{{.Author}}, {{.Date}}</div><div class="text">{{.Text}}</div></div>{{end}}{{end}}
{{if .Attachments}}<h2>Attachments</h2>
<p class="meta">In the folder attachments/; their SHA-256 are in SHA256SUMS.</p>
<table><tr><th>Name</th><th>Bytes</th><th>SHA-256</th></tr>{{range .Attachments}}
<tr><td>{{.Name}}</td><td>{{.Size}}</td><td><code>{{.SHA256}}</code></td></tr>{{end}}
</table>{{end}}
{{if .Original}}<p class="meta">The original encrypted bundle, as the hub received it, is {{.Original}}.</p>{{end}}
</body>
</html>
`))

type htmlField struct{ Key, Value string }
type htmlMessage struct{ Author, Date, Text string }
type htmlAttachment struct {
	Name, SHA256 string
	Size         int
}

// printHTML renders the print view. html/template escapes every value;
// clean removes what could disguise it.
func printHTML(c Case, names []string) ([]byte, error) {
	data := struct {
		CSP, ID, Kind, Category, Created, Narrative, Original string
		Fields                                                []htmlField
		Messages                                              []htmlMessage
		Attachments                                           []htmlAttachment
	}{
		CSP: printCSP, ID: line(c.ID), Kind: line(c.Kind), Category: line(c.Category),
		Created: day(c.Created), Narrative: clean(c.Narrative),
	}
	if len(c.Ciphertext) > 0 {
		data.Original = originalName
	}
	for _, f := range c.Fields {
		data.Fields = append(data.Fields, htmlField{line(f.Key), clean(f.Value)})
	}
	for _, m := range c.Messages {
		data.Messages = append(data.Messages, htmlMessage{line(m.Author), day(m.Date), clean(m.Text)})
	}
	for i, a := range c.Attachments {
		data.Attachments = append(data.Attachments, htmlAttachment{names[i], sha256Hex(a.Data), len(a.Data)})
	}
	var b bytes.Buffer
	if err := printTemplate.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("export: unable to render the print view: %w", err)
	}
	return b.Bytes(), nil
}
