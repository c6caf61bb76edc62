package store

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Token is a responder's login session. The store keys it by the SHA-256 of
// the bearer secret, so a copy of the database yields no usable token.
type Token struct {
	Hub       string    `json:"hub"`
	Recipient string    `json:"recipient"`
	Expires   time.Time `json:"expires"`
}

func tokenKey(secret []byte) []byte {
	h := sha256.Sum256(secret)
	return h[:]
}

// PutToken records a session for the bearer secret.
func (s *Store) PutToken(secret []byte, t Token) error {
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTokens).Put(tokenKey(secret), v)
	})
	if err != nil {
		return fmt.Errorf("store: unable to save token: %w", err)
	}
	return nil
}

// LookupToken returns the live session of a bearer secret, or ErrNotFound.
// The lookup is by hash, so its timing says nothing useful about secrets.
func (s *Store) LookupToken(secret []byte) (Token, error) {
	var t Token
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTokens).Get(tokenKey(secret))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &t)
	})
	if err != nil {
		return Token{}, err
	}
	if !s.now().Before(t.Expires) {
		return Token{}, ErrNotFound
	}
	return t, nil
}

// DeleteToken ends a session.
func (s *Store) DeleteToken(secret []byte) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTokens).Delete(tokenKey(secret))
	})
}

// DeleteTokensWhere ends every session for which match returns true, and
// every expired one. It returns how many it ended.
func (s *Store) DeleteTokensWhere(match func(Token) bool) (int, error) {
	n := 0
	now := s.now()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTokens)
		var dead [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var t Token
			if json.Unmarshal(v, &t) != nil || !now.Before(t.Expires) || match(t) {
				dead = append(dead, append([]byte(nil), k...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: unable to prune tokens: %w", err)
	}
	return n, nil
}
