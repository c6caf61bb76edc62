package vocab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"difesa.org/difesa/internal/hub"
)

// Limits on a hub's list of its own terms.
const (
	// MaxExtensionSize is the largest list [ParseExtensions] reads, in bytes.
	MaxExtensionSize = 256 << 10
	// MaxExtensionTerms is the most terms a list may hold (a hub listing
	// its municipalities as regions stays well under it).
	MaxExtensionTerms = 1000
	maxLabelRunes     = 120
	maxScopeRunes     = 500
)

// Errors of [ParseExtensions], wrapped with the place of the fault.
var (
	ErrExtensionTooLarge = errors.New("hub vocabulary is too large")
	ErrExtensionFormat   = errors.New("hub vocabulary is malformed")
	ErrSharedCode        = errors.New("redefines a shared code")
	ErrShadow            = errors.New("shadows a shared term")
	ErrBadPrefix         = errors.New("is outside the hub's prefix")
	ErrDuplicate         = errors.New("is listed twice")
)

// Extensions are one hub's own terms, added to the shared vocabulary. A
// nil *Extensions is the shared vocabulary alone. They never change once
// parsed and are safe for concurrent use.
type Extensions struct {
	hub      string
	order    []string
	terms    map[string]*hubTerm
	children map[string][]string          // by parent code, or scheme
	labels   map[string]map[string]string // NUTS regions the hub named
}

type hubTerm struct {
	Term
	labels map[string]string
}

// extensionFile is the form of a hub's list, as its administrator writes
// it (docs/monitoring.md, "How a hub extends it").
type extensionFile struct {
	Version int             `json:"version"`
	Hub     string          `json:"hub"`
	Terms   []extensionTerm `json:"terms"`
}

type extensionTerm struct {
	Code    string            `json:"code"`
	Labels  map[string]string `json:"labels"`
	Scope   string            `json:"scope,omitempty"`
	Country string            `json:"country,omitempty"`
}

// extensionSchemes are the schemes a hub may add terms to.
var extensionSchemes = []string{SchemeAct, SchemePerpetrator, SchemeRight, SchemeProfile, SchemeRegion}

// ParseExtensions reads the list of terms that hub hubID adds to the
// shared vocabulary (docs/monitoring.md). It refuses, saying which term
// and why, a list that is larger than [MaxExtensionSize] or
// [MaxExtensionTerms], is not for hubID, redefines a shared code
// ([ErrSharedCode]) or names a term a shared code already names
// ([ErrShadow]), has a code outside "x-HUBID." ([ErrBadPrefix]) or a code
// twice ([ErrDuplicate]), or is otherwise malformed ([ErrExtensionFormat]).
// Besides its own terms, a hub may name the NUTS regions it uses
// ("region.SI04"), which keeps their codes.
func ParseExtensions(data []byte, hubID string) (*Extensions, error) {
	if len(data) > MaxExtensionSize {
		return nil, fmt.Errorf("vocab: %w: %d bytes, the limit is %d", ErrExtensionTooLarge, len(data), MaxExtensionSize)
	}
	if !hub.ValidID(hubID) {
		return nil, fmt.Errorf("vocab: %w: %q is not a hub ID", ErrExtensionFormat, truncate(hubID))
	}
	if !utf8.Valid(data) { // encoding/json would turn bad bytes into U+FFFD
		return nil, fmt.Errorf("vocab: %w: not valid UTF-8", ErrExtensionFormat)
	}
	if err := noDuplicateKeys(data); err != nil {
		return nil, fmt.Errorf("vocab: %w: %w", ErrExtensionFormat, err)
	}
	var f extensionFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("vocab: %w: %w", ErrExtensionFormat, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("vocab: %w: data after the list", ErrExtensionFormat)
	}
	switch {
	case f.Version != 1:
		return nil, fmt.Errorf("vocab: %w: version %d, want 1", ErrExtensionFormat, f.Version)
	case f.Hub != hubID:
		return nil, fmt.Errorf("vocab: %w: the list is for hub %q, not %q", ErrExtensionFormat, truncate(f.Hub), hubID)
	case len(f.Terms) > MaxExtensionTerms:
		return nil, fmt.Errorf("vocab: %w: %d terms, the limit is %d", ErrExtensionTooLarge, len(f.Terms), MaxExtensionTerms)
	}
	e := &Extensions{hub: hubID, terms: map[string]*hubTerm{}, children: map[string][]string{}, labels: map[string]map[string]string{}}
	for i, t := range f.Terms {
		if err := e.add(t); err != nil {
			return nil, fmt.Errorf("vocab: term %d %q %w", i+1, truncate(t.Code), err)
		}
	}
	// Parents may come after their children in the list: link them once
	// all are known, the broadest first so that regions inherit countries.
	byDepth := slices.Clone(e.order)
	slices.SortStableFunc(byDepth, func(a, b string) int { return strings.Count(a, ".") - strings.Count(b, ".") })
	for _, code := range byDepth {
		if err := e.link(e.terms[code]); err != nil {
			return nil, fmt.Errorf("vocab: term %d %q %w", slices.Index(e.order, code)+1, code, err)
		}
	}
	for _, code := range e.order {
		t := e.terms[code]
		key := t.Parent
		if key == "" {
			key = t.Scheme
		}
		e.children[key] = append(e.children[key], code)
	}
	return e, nil
}

// add checks one term on its own and records it.
func (e *Extensions) add(t extensionTerm) error {
	code := t.Code
	if len(code) > maxCodeLen {
		return fmt.Errorf("%w: the code is longer than %d bytes", ErrExtensionFormat, maxCodeLen)
	}
	if e.terms[code] != nil || e.labels[code] != nil {
		return ErrDuplicate
	}
	if err := checkLabels(t.Labels, t.Scope); err != nil {
		return err
	}
	if _, ok := shared.terms[code]; ok || ruleCountry(code) || Scheme(code) == SchemeTime {
		return ErrSharedCode
	}
	if country, ok := nutsRegion(code); ok {
		if t.Country != "" && t.Country != country {
			return fmt.Errorf("%w: a NUTS region of %s, not %s", ErrExtensionFormat, country, truncate(t.Country))
		}
		if t.Scope != "" {
			return fmt.Errorf("%w: a NUTS region takes labels only", ErrExtensionFormat)
		}
		e.labels[code] = t.Labels
		return nil
	}
	hubID, path, ok := splitHub(code)
	if !ok || hubID != e.hub {
		return fmt.Errorf("%w: the hub's own codes start with %q", ErrBadPrefix, "x-"+e.hub+".")
	}
	scheme, ok := pathShape(path, maxDepth)
	if !ok {
		return fmt.Errorf("%w: after the prefix, a scheme and 1 to %d segments of a-z, 0-9 and _, each starting with a letter", ErrExtensionFormat, maxDepth-1)
	}
	if !slices.Contains(extensionSchemes, scheme) {
		return fmt.Errorf("%w: a hub cannot add terms to the scheme %q", ErrExtensionFormat, scheme)
	}
	if _, ok := shared.terms[path]; ok {
		return fmt.Errorf("%w: %q", ErrShadow, path)
	}
	if other := sharedWithLabel(scheme, t.Labels["en"]); other != "" {
		return fmt.Errorf("%w: %q has that English label", ErrShadow, other)
	}
	if t.Country != "" && (scheme != SchemeRegion || !ruleCountry(t.Country)) {
		return fmt.Errorf("%w: country must be a \"country.XX\" code, and only on a region", ErrExtensionFormat)
	}
	e.terms[code] = &hubTerm{
		Term:   Term{Code: code, Scheme: scheme, Label: t.Labels["en"], Scope: t.Scope, Country: t.Country, Hub: e.hub},
		labels: t.Labels,
	}
	e.order = append(e.order, code)
	return nil
}

// link finds the parent of a hub term: a shared term, or one of the hub's
// own whose path is one segment shorter. Regions get their country.
func (e *Extensions) link(t *hubTerm) error {
	_, path, _ := splitHub(t.Code)
	parentPath := path[:strings.LastIndexByte(path, '.')]
	var parent *Term
	if parentPath != t.Scheme {
		if p := shared.terms[parentPath]; p != nil {
			parent = p
		} else if p := e.terms["x-"+e.hub+"."+parentPath]; p != nil {
			parent = &p.Term
		} else {
			return fmt.Errorf("%w: its parent %q is neither a shared term nor the hub's", ErrExtensionFormat, parentPath)
		}
		t.Parent = parent.Code
	}
	if t.Scheme != SchemeRegion {
		return nil
	}
	switch {
	case parent != nil && t.Country != "" && t.Country != parent.Country:
		return fmt.Errorf("%w: it lies in %s, its parent in %s", ErrExtensionFormat, t.Country, parent.Country)
	case parent != nil:
		t.Country = parent.Country
	case t.Country == "":
		return fmt.Errorf("%w: a region at the top needs a country", ErrExtensionFormat)
	}
	return nil
}

// sharedWithLabel returns the shared term of scheme whose English label
// is label, ignoring case, or "".
func sharedWithLabel(scheme, label string) string {
	for _, code := range shared.order {
		if t := shared.terms[code]; t.Scheme == scheme && strings.EqualFold(t.Label, strings.TrimSpace(label)) {
			return code
		}
	}
	return ""
}

// Hub returns the ID of the hub the extensions belong to.
func (e *Extensions) Hub() string {
	if e == nil {
		return ""
	}
	return e.hub
}

// Codes returns the codes of the hub's own terms, in the list's order.
func (e *Extensions) Codes() []string {
	if e == nil {
		return nil
	}
	return slices.Clone(e.order)
}
