package caserecord

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"

	"filippo.io/age"
)

// Regenerate docs/vectors/case-record.json with
//
//	go test ./internal/caserecord -run TestVectors -args -write
var writeVectors = flag.Bool("write", false, "rewrite docs/vectors/case-record.json")

const vectorsPath = "../../docs/vectors/case-record.json"

// vectorFile is the layout of docs/vectors/case-record.json, which
// docs/case-record.md describes.
type vectorFile struct {
	Comment []string          `json:"comment"`
	Valid   []json.RawMessage `json:"valid"`
	Invalid []invalidVector   `json:"invalid"`
	Merges  []mergeVector     `json:"merges"`
	Sealed  sealedVector      `json:"sealed"`
}

type invalidVector struct {
	Name   string `json:"name"`
	Record string `json:"record"`
	Error  string `json:"error"`
}

type mergeVector struct {
	Name   string          `json:"name"`
	Base   json.RawMessage `json:"base"`
	Mine   json.RawMessage `json:"mine"`
	Theirs json.RawMessage `json:"theirs"`
	Result json.RawMessage `json:"result"`
}

type sealedVector struct {
	Identity   string          `json:"identity"`
	Ciphertext []byte          `json:"ciphertext"` // base64
	Record     json.RawMessage `json:"record"`
}

const (
	vBase   = `{"v":1,"assignee":"Ana","labels":["detention","urgent"],"sub_status":"","follow_up":"","links":[{"kind":"duplicate","target":"s1"}],"notes":[{"id":"0000000000000001","author":"Ana","hour":"2026-12-03T13:00:00Z","text":"first"}],"history":[{"author":"Ana","hour":"2026-12-03T13:00:00Z","field":"assignee","old":"","new":"Ana"}]}`
	vMine   = `{"v":1,"assignee":"Bo","labels":["detention","legal"],"sub_status":"waiting","follow_up":"","links":[{"kind":"duplicate","target":"s1"}],"notes":[{"id":"0000000000000001","author":"Ana","hour":"2026-12-03T13:00:00Z","text":"first"},{"id":"00000000000000b0","author":"Bo","hour":"2026-12-03T14:00:00Z","text":"mine"}],"history":[{"author":"Ana","hour":"2026-12-03T13:00:00Z","field":"assignee","old":"","new":"Ana"},{"author":"Bo","hour":"2026-12-03T14:00:00Z","field":"assignee","old":"Ana","new":"Bo"},{"author":"Bo","hour":"2026-12-03T14:00:00Z","field":"sub_status","old":"","new":"waiting"}]}`
	vTheirs = `{"v":1,"assignee":"Cy","labels":["detention","medical","urgent"],"sub_status":"","follow_up":"2027-01-04","links":[{"kind":"same_incident","target":"s2"}],"notes":[{"id":"0000000000000001","author":"Ana","hour":"2026-12-03T13:00:00Z","text":"first"},{"id":"00000000000000c0","author":"Cy","hour":"2026-12-03T14:00:00Z","text":"theirs"}],"history":[{"author":"Ana","hour":"2026-12-03T13:00:00Z","field":"assignee","old":"","new":"Ana"},{"author":"Cy","hour":"2026-12-03T14:00:00Z","field":"assignee","old":"Ana","new":"Cy"},{"author":"Cy","hour":"2026-12-03T14:00:00Z","field":"follow_up","old":"","new":"2027-01-04"}]}`
	// vIdentity is a test key, published here: never use it.
	vIdentity = "AGE-SECRET-KEY-10Q36LQYNYENG2AGJEF54W8AANTRGNMRFE2VWZADFWTMM0YENE50SA0VAG0"
)

var invalidVectors = []invalidVector{
	{"unknown member", `{"v":1,"secret":"x"}`, "unknown field"},
	{"duplicate member", `{"v":1,"assignee":"a","assignee":"b"}`, "appears twice"},
	{"hour with minutes", `{"v":1,"notes":[{"id":"0000000000000001","author":"a","hour":"2026-12-03T13:05:00Z","text":"x"}]}`, "not YYYY-MM-DDTHH:00:00Z"},
	{"unsorted labels", `{"v":1,"labels":["b","a"]}`, "not sorted"},
	{"unknown link kind", `{"v":1,"links":[{"kind":"friend","target":"s1"}]}`, "kind"},
	{"wrong version", `{"v":2}`, "version 2"},
}

func buildVectors(t *testing.T, sealed sealedVector) vectorFile {
	t.Helper()
	vf := vectorFile{
		Comment: []string{
			"Test vectors of the case record (docs/case-record.md).",
			"valid: records Parse accepts and Marshal writes byte for byte.",
			"invalid: records Parse refuses; error is a substring of the Go error.",
			"merges: Merge(base, mine, theirs) and Merge(base, theirs, mine) both give result.",
			"sealed: the age file (base64 of the binary file) of record for identity, a published test key.",
		},
		Sealed: sealed,
	}
	for _, s := range []string{validRecord, vBase, vMine, vTheirs, `{"v":1,"assignee":"","labels":[],"sub_status":"","follow_up":"","links":[],"notes":[],"history":[]}`} {
		vf.Valid = append(vf.Valid, json.RawMessage(s))
	}
	vf.Invalid = invalidVectors
	parse := func(s string) *Record {
		r, err := Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	out, err := Merge(parse(vBase), parse(vMine), parse(vTheirs))
	if err != nil {
		t.Fatal(err)
	}
	res, _ := out.Marshal()
	vf.Merges = append(vf.Merges, mergeVector{"concurrent edits by Bo and Cy", json.RawMessage(vBase), json.RawMessage(vMine), json.RawMessage(vTheirs), json.RawMessage(res)})
	return vf
}

func TestVectors(t *testing.T) {
	t.Parallel()
	id, err := age.ParseX25519Identity(vIdentity)
	if err != nil {
		t.Fatal(err)
	}
	var old vectorFile
	raw, readErr := os.ReadFile(vectorsPath)
	if readErr == nil {
		if err := json.Unmarshal(raw, &old); err != nil {
			t.Fatal(err)
		}
	}
	sealed := old.Sealed
	if *writeVectors {
		ct, err := Seal(mustParse(t, vBase), []age.Recipient{id.Recipient()})
		if err != nil {
			t.Fatal(err)
		}
		sealed = sealedVector{Identity: vIdentity, Ciphertext: ct, Record: json.RawMessage(vBase)}
	}
	vf := buildVectors(t, sealed)
	b, err := json.MarshalIndent(vf, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *writeVectors {
		if err := os.WriteFile(vectorsPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		raw = b
	} else if readErr != nil {
		t.Fatal(readErr)
	}
	if !bytes.Equal(raw, b) {
		t.Fatalf("%s is out of date: go test ./internal/caserecord -run TestVectors -args -write", vectorsPath)
	}
	// Check the file as another implementation would.
	for i, v := range vf.Valid {
		r, err := Parse(v)
		if err != nil {
			t.Fatalf("valid %d: %v", i, err)
		}
		if out, _ := r.Marshal(); !bytes.Equal(out, v) {
			t.Fatalf("valid %d does not round trip:\n%s", i, out)
		}
	}
	for _, v := range vf.Invalid {
		if _, err := Parse([]byte(v.Record)); err == nil || !strings.Contains(err.Error(), v.Error) || !errors.Is(err, ErrMalformed) {
			t.Fatalf("invalid %q: %v", v.Name, err)
		}
	}
	for _, m := range vf.Merges {
		mergeBothJSON(t, m)
	}
	got, err := Open(vf.Sealed.Ciphertext, id)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, vf.Sealed.Record); err != nil {
		t.Fatal(err)
	}
	if out, _ := got.Marshal(); !bytes.Equal(out, want.Bytes()) {
		t.Fatalf("sealed vector opens to\n%s", out)
	}
}

func mustParse(t *testing.T, s string) *Record {
	t.Helper()
	r, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mergeBothJSON(t *testing.T, m mergeVector) {
	t.Helper()
	out := mergeBoth(t, mustParse(t, string(m.Base)), mustParse(t, string(m.Mine)), mustParse(t, string(m.Theirs)))
	if b, _ := out.Marshal(); !bytes.Equal(b, m.Result) {
		t.Fatalf("merge %q:\n%s\nwant\n%s", m.Name, b, m.Result)
	}
}
