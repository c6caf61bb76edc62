package casebook

import (
	"slices"
	"strings"
	"sync"
	"unicode"
)

// index is the desk's full-text index over every decrypted message, in
// memory only: it is built as messages are decrypted and never written
// anywhere. Keys are "HUB/ID", of messages.
type index struct {
	mu       sync.RWMutex
	postings map[string]map[string]struct{} // token → keys
	docs     map[string][]string            // key → its tokens
	sorted   []string                       // tokens, sorted; nil when stale
}

func newIndex() *index {
	return &index{postings: map[string]map[string]struct{}{}, docs: map[string][]string{}}
}

// tokens splits text into lowercase words of letters and digits.
func tokens(text string) []string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	slices.Sort(words)
	return slices.Compact(words)
}

// put replaces what the index holds for key with text ("" removes it).
func (x *index) put(key, text string) {
	toks := tokens(text)
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, t := range x.docs[key] {
		if p := x.postings[t]; p != nil {
			delete(p, key)
			if len(p) == 0 {
				delete(x.postings, t)
				x.sorted = nil
			}
		}
	}
	if len(toks) == 0 {
		delete(x.docs, key)
		return
	}
	x.docs[key] = toks
	for _, t := range toks {
		p := x.postings[t]
		if p == nil {
			p = map[string]struct{}{}
			x.postings[t] = p
			x.sorted = nil
		}
		p[key] = struct{}{}
	}
}

// search returns the keys whose text has, for every word of the query, a
// word that starts with it.
func (x *index) search(query string) map[string]bool {
	q := tokens(query)
	if len(q) == 0 {
		return nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.sorted == nil {
		x.sorted = make([]string, 0, len(x.postings))
		for t := range x.postings {
			x.sorted = append(x.sorted, t)
		}
		slices.Sort(x.sorted)
	}
	var out map[string]bool
	for _, word := range q {
		hits := map[string]bool{}
		i, _ := slices.BinarySearch(x.sorted, word)
		for ; i < len(x.sorted) && strings.HasPrefix(x.sorted[i], word); i++ {
			for k := range x.postings[x.sorted[i]] {
				if out == nil || out[k] {
					hits[k] = true
				}
			}
		}
		out = hits
		if len(out) == 0 {
			break
		}
	}
	return out
}

// drop removes key from the index.
func (x *index) drop(key string) { x.put(key, "") }
