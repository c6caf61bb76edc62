package casebook

import (
	"encoding/json"
	"fmt"
	"time"

	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/vault"
)

// The case work the desk keeps of a hub: each submission's case record
// and the hub record (labels, sub-statuses), decrypted, in the vault
// (sealed there like everything else) and in memory.
const (
	bucketCase  = "case:" // ID → storedCase
	keySettings = "settings"
)

// hubWork is the case work of a hub in memory; the [Book]'s mutex
// guards it.
type hubWork struct {
	records map[string]*caseWork
	// settings is the hub record, version its version at the hub.
	settings        *caserecord.Hub
	settingsVersion uint64
	// me is the label of the responder's key in the hub's verified
	// manifest ("" until a sync verified it), team every label there.
	me   string
	team []string
	// stale asks the next sync to fetch the hub record and verify the
	// manifest again (set at start and by case-settings.changed).
	stale bool
}

func newHubWork() *hubWork {
	return &hubWork{records: map[string]*caseWork{}, settings: caserecord.NewHub(), stale: true}
}

// caseWork is a case record as the desk holds it.
type caseWork struct {
	version uint64
	rec     *caserecord.Record
	// err says why the hub's copy could not be read, if it could not.
	err string
}

// storedCase is a case record in the vault: decrypted, sealed by the
// vault's key. An unreadable record is kept with why, and fetched again
// when it changes.
type storedCase struct {
	Version uint64          `json:"version"`
	Record  json.RawMessage `json:"record,omitempty"`
	Err     string          `json:"err,omitempty"`
}

// storedSettings is the hub record in the vault, with who the responder
// is on the hub, so that "mine" works offline.
type storedSettings struct {
	Version uint64          `json:"version"`
	Hub     json.RawMessage `json:"hub"`
	Me      string          `json:"me"`
	Team    []string        `json:"team"`
}

// caseRecord is the vault record of a case record, kept on day kept.
func caseRecord(hub, id string, w *caseWork, kept time.Time) (vault.Record, error) {
	s := storedCase{Version: w.version, Err: w.err}
	if w.rec != nil {
		b, err := w.rec.Marshal()
		if err != nil {
			return vault.Record{}, fmt.Errorf("casebook: unable to encode a case record: %w", err)
		}
		s.Record = b
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return vault.Record{}, fmt.Errorf("casebook: unable to encode a case record: %w", err)
	}
	return vault.Record{Bucket: bucketCase + hub, Key: id, Value: raw, Kept: kept}, nil
}

// settingsRecord is the vault record of the hub record, kept on now's day.
func settingsRecord(hub string, w *hubWork, now time.Time) (vault.Record, error) {
	h, err := w.settings.Marshal()
	if err != nil {
		return vault.Record{}, fmt.Errorf("casebook: unable to encode the hub's case settings: %w", err)
	}
	raw, err := json.Marshal(storedSettings{Version: w.settingsVersion, Hub: h, Me: w.me, Team: w.team})
	if err != nil {
		return vault.Record{}, fmt.Errorf("casebook: unable to encode the hub's case settings: %w", err)
	}
	return vault.Record{Bucket: bucketState + hub, Key: keySettings, Value: raw, Kept: dayOf(now)}, nil
}

// loadWork reads a hub's case work back from the vault.
func loadWork(v *vault.Vault, hub string) (*hubWork, error) {
	w := newHubWork()
	raw, ok, err := v.Get(bucketState+hub, keySettings)
	if err != nil {
		return nil, fmt.Errorf("casebook: unable to read the local copy of the case settings: %w", err)
	}
	if ok {
		var s storedSettings
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("casebook: unable to read the local copy of the case settings: %w", err)
		}
		h, err := caserecord.ParseHub(s.Hub)
		if err != nil {
			return nil, fmt.Errorf("casebook: unable to read the local copy of the case settings: %w", err)
		}
		w.settings, w.settingsVersion, w.me, w.team = h, s.Version, s.Me, s.Team
	}
	keys, err := v.Keys(bucketCase + hub)
	if err != nil {
		return nil, fmt.Errorf("casebook: unable to read the local copy of the case records: %w", err)
	}
	for _, k := range keys {
		raw, ok, err := v.Get(bucketCase+hub, k)
		if err != nil || !ok {
			return nil, fmt.Errorf("casebook: unable to read the local copy of a case record: %w", err)
		}
		var s storedCase
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, fmt.Errorf("casebook: unable to read the local copy of a case record: %w", err)
		}
		cw := &caseWork{version: s.Version, err: s.Err}
		if len(s.Record) > 0 {
			if cw.rec, err = caserecord.Parse(s.Record); err != nil {
				return nil, fmt.Errorf("casebook: unable to read the local copy of a case record: %w", err)
			}
		}
		w.records[k] = cw
	}
	return w, nil
}
