package manifest

import "fmt"

// The editors below are for [Next]. Each checks its own arguments; the
// whole manifest is checked again when Next marshals it.

// AddRecipient appends a recipient. Adding a key that is already listed
// fails.
func AddRecipient(key string, role Role, label string) func(*Manifest) error {
	return func(m *Manifest) error {
		if m.Has(key) {
			return fmt.Errorf("%w: %s is already a recipient", ErrMalformed, truncate(key))
		}
		if looksSecret(key) {
			return fmt.Errorf("%w: %w", ErrMalformed, secretKeyError{"a public recipient (age1…)"})
		}
		m.Recipients = append(m.Recipients, Recipient{Key: key, Role: role, Label: label})
		return nil
	}
}

// RemoveRecipient removes the recipient with this key.
func RemoveRecipient(key string) func(*Manifest) error {
	return func(m *Manifest) error {
		i, err := find(m, key)
		if err != nil {
			return err
		}
		m.Recipients = append(m.Recipients[:i:i], m.Recipients[i+1:]...)
		return nil
	}
}

// SetLabel changes a recipient's label; "" removes it.
func SetLabel(key, label string) func(*Manifest) error {
	return func(m *Manifest) error {
		i, err := find(m, key)
		if err != nil {
			return err
		}
		m.Recipients[i].Label = label
		return nil
	}
}

// SetRole changes a recipient's role.
func SetRole(key string, role Role) func(*Manifest) error {
	return func(m *Manifest) error {
		i, err := find(m, key)
		if err != nil {
			return err
		}
		m.Recipients[i].Role = role
		return nil
	}
}

// Edits applies several edits in order, stopping at the first error.
func Edits(edits ...func(*Manifest) error) func(*Manifest) error {
	return func(m *Manifest) error {
		for _, e := range edits {
			if err := e(m); err != nil {
				return err
			}
		}
		return nil
	}
}

func find(m *Manifest, key string) (int, error) {
	i := m.index(key)
	if i < 0 {
		if looksSecret(key) {
			return -1, fmt.Errorf("%w: %w", ErrUnknownRecipient, secretKeyError{"a public recipient (age1…)"})
		}
		return -1, fmt.Errorf("%w: %s", ErrUnknownRecipient, truncate(key))
	}
	return i, nil
}
