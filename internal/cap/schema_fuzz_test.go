package cap

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The tests in this file mutate accepted documents where the schema's
// types are (character references, URLs, decimals, date-times, language
// tags, white space) and feed every mutation Check still accepts to
// xmllint --schema: whatever Check accepts, the official schema must too.

// mutationTokens are spliced into values: the edges of each XSD type the
// CAP schema uses, and characters that parsers disagree about.
var mutationTokens = []string{
	// character references at and beyond the edges of XML's Char
	"&#0;", "&#x8;", "&#x9;", "&#x1F;", "&#x20;", "&#xD7FF;", "&#xD800;", "&#xDBFF;", "&#xDC00;", "&#xDFFF;",
	"&#xE000;", "&#xFFFD;", "&#xFFFE;", "&#xFFFF;", "&#x10000;", "&#x10FFFF;", "&#x110000;", "&#55296;", "&#65534;",
	"&#x0000041;", "&#1114111;", "&#1114112;", "&#x;", "&#;", "&#X41;", "&#x41", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "]]>", "]]&gt;",
	// URL syntax
	"%", "%4", "%zz", "%41", "%C3%A8", "[", "]", "[::1]", "#", "?", ":", "@", "//", ":0", ":65535", ":65536", ":", "\\",
	"^", "|", "{", "}", "`", "\"", "'", "<", ">", "http://", "https://", "xn--", "..", "-", "_", "~", "!$&amp;()*+,;=",
	// decimal numbers
	"0", "-", "+", ".", "-0", "00000000000000000000", "123456789012345678901234567890", "1e3", "0.", ".5", "١", "５",
	// date-times and language tags
	"T", "Z", "+14:00", "-14:01", "+00:00", "-00:00", "24:00:00", "23:59:60", "9999-12-31", "0000-01-01", "-12", "abcdefghi", "x-",
	// white space and invisible or special characters, literal
	" ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u0085", "\u2028", "\ufeff", "\ufffd", "\u200b", "\u202e", "é", "📢", "\x7f",
}

// typedElements hold values of XSD types other than xs:string (and the
// strings difesa gives a form to), where mutations are aimed half the time.
var typedElements = map[string]bool{
	"web": true, "altitude": true, "ceiling": true, "sent": true, "effective": true, "onset": true, "expires": true,
	"language": true, "identifier": true, "sender": true, "references": true, "circle": true, "polygon": true,
}

// mutate returns doc with one to three values changed: a token spliced in,
// a value replaced by a token, or a value repeated. Only text between a
// '>' and the next '<' is touched, so most mutations still parse and
// reach the value checks.
func mutate(r *rand.Rand, doc []byte) []byte {
	out := append([]byte(nil), doc...)
	for range 1 + r.IntN(3) {
		// One pass over out, so that large fuzzer inputs stay cheap: the
		// spans of text after a '>', and those of typed elements.
		var spans, typed [][2]int
		lt := -1
		for i := 0; i < len(out); i++ {
			switch out[i] {
			case '<':
				lt = i
				continue
			case '>':
			default:
				continue
			}
			j := bytes.IndexByte(out[i+1:], '<')
			if j < 0 {
				break
			}
			if j > 0 && !isSpace(out[i+1:i+1+j]) {
				sp := [2]int{i + 1, i + 1 + j}
				spans = append(spans, sp)
				if lt >= 0 && typedElements[string(out[lt+1:i])] {
					typed = append(typed, sp)
				}
			}
			i += j
		}
		if len(spans) == 0 {
			return out
		}
		sp := pick(r, spans)
		if len(typed) > 0 && r.IntN(2) == 0 {
			sp = pick(r, typed) // half the time, a value of an XSD type other than xs:string
		}
		val := string(out[sp[0]:sp[1]])
		tok := pick(r, mutationTokens)
		if r.IntN(4) == 0 {
			tok += pick(r, mutationTokens)
		}
		var nv string
		switch r.IntN(4) {
		case 0:
			nv = tok
		case 1:
			at := r.IntN(len(val) + 1)
			nv = val[:at] + tok + val[at:]
		case 2:
			at := r.IntN(len(val) + 1)
			nv = val[:at] + tok + val[min(len(val), at+1+r.IntN(4)):]
		default:
			nv = val + strings.Repeat(tok, 1+r.IntN(30))
		}
		out = append(out[:sp[0]], append([]byte(nv), out[sp[1]:]...)...)
	}
	return out
}

// schemaCorpus returns the documents the mutations start from: every
// accepted document of the tests, in a fixed order.
func schemaCorpus(t testing.TB) [][]byte {
	t.Helper()
	docs := acceptedDocuments(t)
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([][]byte, len(names))
	for i, name := range names {
		out[i] = docs[name]
	}
	return out
}

// TestMutationsCheckAcceptsValidateAgainstOfficialSchema runs a bounded
// number of mutations (fixed seed, so every run sees the same ones) and
// validates every one Check accepts with a single xmllint run.
func TestMutationsCheckAcceptsValidateAgainstOfficialSchema(t *testing.T) {
	bin := findXmllint(t)
	xsd := findSchema(t)
	const mutations = 1500
	corpus := schemaCorpus(t)
	r := rand.New(rand.NewPCG(12, 13))
	dir := t.TempDir()
	var files []string
	docs := map[string][]byte{}
	for i := range mutations {
		doc := mutate(r, pick(r, corpus))
		if _, err := Check(doc); err != nil {
			continue
		}
		f := filepath.Join(dir, strconv.Itoa(i)+".xml")
		if err := os.WriteFile(f, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		docs[f] = doc
	}
	if len(files) < mutations/20 {
		t.Fatalf("only %d of %d mutations accepted: the mutations no longer reach the value checks", len(files), mutations)
	}
	t.Logf("%d of %d mutations accepted by Check; validating them with xmllint --schema", len(files), mutations)
	out, err := exec.Command(bin, append([]string{"--noout", "--nonet", "--schema", xsd}, files...)...).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running xmllint: %v", err)
	}
	for _, f := range files {
		if !bytes.Contains(out, []byte(f+" validates\n")) {
			t.Errorf("%s: Check accepts it, but xmllint --schema does not:\n%s", filepath.Base(f), linesAbout(out, f))
			t.Logf("document:\n%q", docs[f])
		}
	}
	if err != nil && !t.Failed() {
		t.Fatalf("xmllint failed (%v) though every file validates:\n%s", err, out)
	}
}

// linesAbout returns xmllint's lines about file.
func linesAbout(out []byte, file string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(string(out), "\n") {
		if strings.HasPrefix(l, file) {
			b.WriteString(l)
		}
	}
	return b.String()
}

// FuzzCheckAgainstOfficialSchema feeds every document Check accepts to
// xmllint --schema. Each input is a document and a seed: a non-zero seed
// first applies [mutate] with it, so the fuzzer explores both bytes and
// the mutations aimed at the schema's types. Without -fuzz it runs the
// seed corpus: the accepted documents, each as is and mutated once.
// For a longer run, see docs/bulletins.md.
func FuzzCheckAgainstOfficialSchema(f *testing.F) {
	bin := findXmllint(f)
	xsd := findSchema(f)
	for i, doc := range schemaCorpus(f) {
		f.Add(doc, uint64(0))
		f.Add(doc, uint64(i+1))
	}
	f.Fuzz(func(t *testing.T, doc []byte, seed uint64) {
		if seed != 0 {
			doc = mutate(rand.New(rand.NewPCG(seed, 1)), doc)
		}
		if _, err := Check(doc); err != nil {
			return
		}
		cmd := exec.Command(bin, "--noout", "--nonet", "--schema", xsd, "-")
		cmd.Stdin = bytes.NewReader(doc)
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != "- validates\n" {
			t.Fatalf("Check accepts it, but xmllint --schema does not (%v):\n%s\ndocument:\n%q", err, out, doc)
		}
	})
}
