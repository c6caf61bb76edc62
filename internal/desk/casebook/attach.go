package casebook

import (
	"bytes"
	"fmt"
	"io"

	"difesa.org/difesa/internal/export"
	"difesa.org/difesa/internal/wire"
)

// Attachment returns the n-th file of a case (numbered across the whole
// conversation, as in [Case]) and its original bytes, decrypted again from
// the vault's ciphertext.
func (b *Book) Attachment(hub, id string, n int) (Attachment, []byte, error) {
	b.mu.RLock()
	k, _, err := b.caseLocked(hub, id)
	var e *entry
	var a Attachment
	if err == nil {
		i := 0
		for _, m := range k.msgs {
			var list []Attachment
			list, i = attachments(m, i)
			for _, x := range list {
				if x.N == n {
					e, a = m, x
				}
			}
		}
	}
	h, _ := b.hubOf(hub)
	b.mu.RUnlock()
	if err != nil {
		return Attachment{}, nil, err
	}
	if e == nil || h == nil {
		return Attachment{}, nil, fmt.Errorf("%w: no attachment %d in case %q", ErrNotFound, n, id)
	}
	data, err := b.fileOf(h, e, a.N-firstN(k, e))
	if err != nil {
		return Attachment{}, nil, err
	}
	return a, data, nil
}

// firstN is the number of e's first file in its case.
func firstN(k *kase, e *entry) int {
	n := 0
	for _, m := range k.msgs {
		if m == e {
			return n
		}
		n += len(m.files)
	}
	return n
}

// fileOf decrypts e's ciphertext again and returns its i-th file.
func (b *Book) fileOf(h *hubConn, e *entry, i int) ([]byte, error) {
	if i < 0 || i >= len(e.files) {
		return nil, fmt.Errorf("%w: no such attachment", ErrNotFound)
	}
	files, err := b.filesOf(h, e, i)
	if err != nil {
		return nil, err
	}
	if files[i] == nil {
		return nil, fmt.Errorf("%w: no such attachment", ErrNotFound)
	}
	return files[i], nil
}

// filesOf decrypts e's ciphertext again and returns its files: all of
// them when only < 0, else only that one (the others nil).
func (b *Book) filesOf(h *hubConn, e *entry, only int) ([][]byte, error) {
	ct, err := loadCiphertext(b.v, h.id, e.sub.ID, e.seq, e.chunks)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(e.files))
	j := 0
	_, err = openBundle(ct, h.ids, func(name string, size int64, r io.Reader) error {
		defer func() { j++ }()
		if j >= len(out) || (only >= 0 && j != only) {
			return nil
		}
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, r); err != nil {
			return err
		}
		out[j] = buf.Bytes()
		if out[j] == nil {
			out[j] = []byte{}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("casebook: unable to read an attachment: %w", err)
	}
	return out, nil
}

// ExportCase fills an export of the case for internal/export: its fields,
// narrative, conversation, every attachment's bytes and the opening
// message's original age ciphertext.
func (b *Book) ExportCase(hub, id string) (export.Case, error) {
	c, err := b.Case(hub, id)
	if err != nil {
		return export.Case{}, err
	}
	h, err := b.hubOf(hub)
	if err != nil {
		return export.Case{}, err
	}
	b.mu.RLock()
	k, _, err := b.caseLocked(hub, id)
	var msgs []*entry
	if err == nil {
		msgs = k.msgs
	}
	b.mu.RUnlock()
	if err != nil {
		return export.Case{}, err
	}
	x := export.Case{
		ID: c.ID, Kind: c.Kind, Category: c.Category,
		Created: dayOf(receivedTime(msgs[0].sub.Received)), Narrative: c.Narrative,
	}
	for _, f := range c.Fields {
		x.Fields = append(x.Fields, export.Field{Key: f.Name, Value: f.Value})
	}
	for _, f := range c.Answers {
		x.Fields = append(x.Fields, export.Field{Key: f.Name, Value: f.Value})
	}
	for _, e := range msgs[1:] {
		author := "defender"
		if e.sub.Kind == wire.KindReply {
			author = "hub"
		}
		x.Messages = append(x.Messages, export.Message{Author: author, Date: dayOf(receivedTime(e.sub.Received)), Text: narrative(e.opened)})
	}
	for _, e := range msgs {
		if len(e.files) == 0 {
			continue
		}
		data, err := b.filesOf(h, e, -1)
		if err != nil {
			return export.Case{}, err
		}
		for i, f := range e.files {
			x.Attachments = append(x.Attachments, export.Attachment{Name: f.name, Data: data[i]})
		}
	}
	ct, err := loadCiphertext(b.v, h.id, msgs[0].sub.ID, msgs[0].seq, msgs[0].chunks)
	if err != nil {
		return export.Case{}, err
	}
	x.Ciphertext = ct
	return x, nil
}
