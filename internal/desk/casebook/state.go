package casebook

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/vault"
	"difesa.org/difesa/internal/wire"
)

// loadState reads a hub's cursor, what was read and its alarms.
func loadState(v *vault.Vault, hub string, m *hubModel) error {
	cur, _, err := v.Get(bucketState+hub, keyCursor)
	if err != nil {
		return fmt.Errorf("casebook: unable to read the local copy: %w", err)
	}
	m.cursor = string(cur)
	raw, ok, err := v.Get(bucketState+hub, keyRead)
	if err != nil {
		return fmt.Errorf("casebook: unable to read the local copy: %w", err)
	}
	if ok {
		var ids []string
		if err := json.Unmarshal(raw, &ids); err != nil {
			return fmt.Errorf("casebook: unable to read the local copy: %w", err)
		}
		for _, id := range ids {
			m.read[id] = true
		}
	}
	keys, err := v.Keys(bucketAlarms + hub)
	if err != nil {
		return fmt.Errorf("casebook: unable to read the local copy: %w", err)
	}
	for _, k := range keys {
		raw, ok, err := v.Get(bucketAlarms+hub, k)
		if err != nil || !ok {
			return fmt.Errorf("casebook: unable to read the local copy of an alarm: %w", err)
		}
		var a wire.Alarm
		if err := json.Unmarshal(raw, &a); err != nil {
			return fmt.Errorf("casebook: unable to read the local copy of an alarm: %w", err)
		}
		m.alarms[k] = a
	}
	return nil
}

// loadEntry reads a submission back from the vault and decrypts it.
func loadEntry(v *vault.Vault, hub, id string, ids []age.Identity) (*entry, error) {
	raw, ok, err := v.Get(bucketSub+hub, id)
	if err != nil || !ok {
		return nil, fmt.Errorf("casebook: unable to read the local copy of a submission: %w", err)
	}
	var s storedSub
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("casebook: unable to read the local copy of a submission: %w", err)
	}
	if s.Chunks == 0 {
		return &entry{sub: s.Sub, seq: s.Seq, err: errDamaged.Error()}, nil
	}
	ct, err := loadCiphertext(v, hub, id, s.Seq, s.Chunks)
	if err != nil {
		return nil, err
	}
	return newEntry(s.Sub, s.Seq, s.Chunks, ct, ids), nil
}

// stateRecords are the vault records of a hub's cursor and read set,
// kept on now's day.
func stateRecords(hub string, m *hubModel, now time.Time) []vault.Record {
	read := make([]string, 0, len(m.read))
	for id := range m.read {
		read = append(read, id)
	}
	slices.Sort(read)
	raw, _ := json.Marshal(read) // strings: never fails
	return []vault.Record{
		{Bucket: bucketState + hub, Key: keyCursor, Value: []byte(m.cursor), Kept: dayOf(now)},
		{Bucket: bucketState + hub, Key: keyRead, Value: raw, Kept: dayOf(now)},
	}
}

// alarmRecord is the vault record of an alarm.
func alarmRecord(hub string, a wire.Alarm, now time.Time) (vault.Record, error) {
	raw, err := json.Marshal(a)
	if err != nil {
		return vault.Record{}, fmt.Errorf("casebook: unable to encode an alarm: %w", err)
	}
	return vault.Record{Bucket: bucketAlarms + hub, Key: a.ID, Value: raw, Kept: dayOf(now)}, nil
}
