package casebook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"difesa.org/difesa/internal/export"
	"difesa.org/difesa/internal/vault"
)

// Book is the desk's local copy of one or more hubs' cases: encrypted at
// rest in internal/vault, decrypted into memory. Its methods are safe for
// concurrent use.
type Book struct {
	v    *vault.Vault
	now  func() time.Time
	logf func(string, ...any)
	hubs []*hub

	mu sync.RWMutex
}

type hub struct {
	kick chan struct{}
}

func (h *hub) kickSync() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

var errTODO = errors.New("casebook: not built yet")

// Open opens (or creates) the desk folder and reads its local copy into
// memory.
func Open(o Options) (*Book, error) {
	v, err := vault.Open(o.Dir, o.Identities, o.Recipient)
	if err != nil {
		return nil, fmt.Errorf("casebook: unable to open the desk folder: %w", err)
	}
	return &Book{v: v, now: o.Now}, nil
}

// Run syncs every hub until ctx ends.
func (b *Book) Run(ctx context.Context) error { <-ctx.Done(); return nil }

// Close closes the desk folder.
func (b *Book) Close() error { return b.v.Close() }

// Changes subscribes to live updates; call the returned function to
// unsubscribe.
func (b *Book) Changes() (<-chan Change, func()) {
	ch := make(chan Change)
	return ch, func() {}
}

// Status reports each hub's connection.
func (b *Book) Status() []HubStatus { return nil }

// Inbox lists the cases that match f in inbox order.
func (b *Book) Inbox(f Filter) (Page, error) { return Page{}, errTODO }

// Search is [Book.Inbox] narrowed to f.Query.
func (b *Book) Search(f Filter) (Page, error) { return Page{}, errTODO }

// Case returns a case, or [ErrNotFound].
func (b *Book) Case(hub, id string) (*Case, error) { return nil, errTODO }

// Attachment returns the n-th file of a case and its original bytes.
func (b *Book) Attachment(hub, id string, n int) (Attachment, []byte, error) {
	return Attachment{}, nil, errTODO
}

// ExportCase fills an export of the case.
func (b *Book) ExportCase(hub, id string) (export.Case, error) { return export.Case{}, errTODO }

// MarkRead records that the case was opened.
func (b *Book) MarkRead(hub, id string) error { return errTODO }

// Reply answers the defender of a case, end to end.
func (b *Book) Reply(ctx context.Context, hub, id, text string, files []File) error { return errTODO }

// SetStatus sets the triage status of a case.
func (b *Book) SetStatus(ctx context.Context, hub, id, status string) error { return errTODO }

// Delete deletes a case at the hub and forgets its local copy.
func (b *Book) Delete(ctx context.Context, hub, id string) error { return errTODO }

// Ack acknowledges an alarm with an optional note encrypted to the hub.
func (b *Book) Ack(ctx context.Context, hub, alarmID, note string) error { return errTODO }

// Usage says how much plaintext-derived data the desk holds.
func (b *Book) Usage() (Usage, error) { return Usage{}, errTODO }

// Purge forgets cases kept more than olderThanDays days ago.
func (b *Book) Purge(olderThanDays int) (int, error) { return 0, errTODO }

// PurgeAll forgets everything and replaces the folder's data key.
func (b *Book) PurgeAll() error { return errTODO }
