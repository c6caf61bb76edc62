package desk

import (
	"sync"

	"difesa.org/difesa/internal/media"
)

// previews keeps the re-encoded images the desk has shown, in memory only,
// up to maxPreviewBytes (the oldest go first).
type previews struct {
	mu    sync.Mutex
	m     map[previewKey]*preview
	order []previewKey
	bytes int
}

const maxPreviewBytes = 64 << 20

type previewKey struct {
	hub, id string
	n       int
}

// preview is the outcome of sanitizing one attachment: an image to show,
// or why there is none.
type preview struct {
	p   media.Preview
	err error
}

func newPreviews() *previews { return &previews{m: map[previewKey]*preview{}} }

// get returns the preview of attachment n of case hub/id, making it with
// data() the first time.
func (c *previews) get(k previewKey, data func() ([]byte, error)) (*preview, error) {
	c.mu.Lock()
	if p, ok := c.m[k]; ok {
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	b, err := data()
	if err != nil {
		return nil, err
	}
	pv, err := media.Sanitize(b)
	p := &preview{p: pv, err: err}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok {
		c.m[k] = p
		c.order = append(c.order, k)
		c.bytes += len(pv.Data)
		for c.bytes > maxPreviewBytes && len(c.order) > 1 {
			old := c.order[0]
			c.order = c.order[1:]
			c.bytes -= len(c.m[old].p.Data)
			delete(c.m, old)
		}
	}
	return p, nil
}

// forget drops every preview: after a purge or a delete.
func (c *previews) forget() {
	c.mu.Lock()
	c.m = map[previewKey]*preview{}
	c.order = nil
	c.bytes = 0
	c.mu.Unlock()
}

// forgetCase drops the previews of case hub/id: the case was forgotten.
func (c *previews) forgetCase(hub, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	kept := c.order[:0]
	for _, k := range c.order {
		if k.hub == hub && k.id == id {
			if p := c.m[k]; p != nil {
				c.bytes -= len(p.p.Data)
			}
			delete(c.m, k)
			continue
		}
		kept = append(kept, k)
	}
	c.order = kept
}
