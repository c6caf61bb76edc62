package vocab

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"difesa.org/difesa/internal/locale"
)

// The schemes of the vocabulary. A code's scheme is [Scheme] of it.
const (
	SchemeAct         = "act"
	SchemePerpetrator = "perpetrator"
	SchemeRight       = "right"
	SchemeProfile     = "profile"
	SchemeCountry     = "country"
	SchemeRegion      = "region"
	SchemeTime        = "time"
)

// Schemes lists the schemes in the order a form or a table offers them.
var Schemes = []string{SchemeAct, SchemePerpetrator, SchemeRight, SchemeProfile, SchemeCountry, SchemeRegion, SchemeTime}

// Languages are the languages every shared label exists in: those of the
// defender pages and of the desk. English is the reference.
var Languages = []string{"en", "it", "es", "fr", "sl", "pl", "pt", "ro"}

// Term is one term of the vocabulary.
type Term struct {
	Code   string // stable code, such as "act.threat.online"
	Scheme string // one of [Schemes]
	Parent string // code of the broader term, "" at the top of a scheme
	Label  string // English label; for a term valid by rule, its code (or the name a hub gave a NUTS region)
	Scope  string // English scope note: what the term covers; may be empty
	// Country is the "country.XX" code a region lies in (regions only).
	Country string
	// Hub is the ID of the hub that added the term, "" for a shared one.
	Hub string
}

//go:embed terms.json labels/*.json
var files embed.FS

// shared is the shared vocabulary, built once from the embedded files.
var shared = mustLoad()

type vocabulary struct {
	order    []string            // codes as listed in terms.json
	terms    map[string]*Term    // by code
	children map[string][]string // by parent code, or by scheme for the top
	labels   map[string]map[string]string
}

func mustLoad() *vocabulary {
	v, err := load()
	if err != nil {
		// The files are embedded at build time and the tests load them:
		// this cannot happen in a binary whose tests passed.
		panic(err)
	}
	return v
}

func load() (*vocabulary, error) {
	data, err := files.ReadFile("terms.json")
	if err != nil {
		return nil, fmt.Errorf("vocab: unable to read terms.json: %w", err)
	}
	var list []struct{ Code, Scope string }
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("vocab: unable to parse terms.json: %w", err)
	}
	v := &vocabulary{terms: map[string]*Term{}, children: map[string][]string{}, labels: map[string]map[string]string{}}
	cat, err := locale.Load(files, "labels/*.json")
	if err != nil {
		return nil, fmt.Errorf("vocab: unable to load the labels: %w", err)
	}
	for _, lang := range Languages {
		if !cat.Has(lang) {
			return nil, fmt.Errorf("vocab: no %s labels", lang)
		}
		v.labels[lang] = cat.Messages(lang)
	}
	for _, e := range list {
		scheme, ok := sharedShape(e.Code)
		if !ok {
			return nil, fmt.Errorf("vocab: terms.json: malformed code %q", e.Code)
		}
		if v.terms[e.Code] != nil {
			return nil, fmt.Errorf("vocab: terms.json: duplicate code %q", e.Code)
		}
		t := &Term{Code: e.Code, Scheme: scheme, Label: v.labels["en"][e.Code], Scope: e.Scope}
		if t.Label == "" {
			return nil, fmt.Errorf("vocab: terms.json: %q has no English label", e.Code)
		}
		switch scheme {
		case SchemeCountry:
			t.Country = e.Code
		default:
			if i := strings.LastIndexByte(e.Code, '.'); i > len(scheme) {
				t.Parent = e.Code[:i]
				if v.terms[t.Parent] == nil {
					return nil, fmt.Errorf("vocab: terms.json: %q comes before its parent", e.Code)
				}
			}
		}
		v.terms[e.Code] = t
		v.order = append(v.order, e.Code)
		key := t.Parent
		if key == "" {
			key = scheme
		}
		v.children[key] = append(v.children[key], e.Code)
	}
	return v, nil
}

// Codes returns the codes of the shared vocabulary's listed terms, in the
// order a form offers them (terms valid by rule are not listed).
func Codes() []string { return append([]string(nil), shared.order...) }
