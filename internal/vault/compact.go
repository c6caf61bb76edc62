package vault

// Compact rewrites the database so that the ciphertext of deleted
// records is not left in its free pages, as [Vault.Purge] does after it
// deletes: the desk calls it when it forgets a case that was restricted
// to others, whose records must not outlive the grant.
func (v *Vault) Compact() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.db == nil {
		return ErrClosed
	}
	return v.compactLocked()
}
