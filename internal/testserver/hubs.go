package testserver

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/manifest"
)

// Hub is a hub made for a test: its configuration and its admin key.
type Hub struct {
	Config   config.Hub
	AdminKey *manifest.SecretKey
	// AdminKeyFile holds AdminKey, for the CLI.
	AdminKeyFile string
	// Signed is the epoch-1 manifest, as published.
	Signed *manifest.Signed
}

// NewHub makes a hub id whose epoch-1 manifest, signed by a fresh admin
// key, lists recipients as responders.
func NewHub(t testing.TB, id string, recipients ...string) *Hub {
	t.Helper()
	sk, err := manifest.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nhub: %s\nepoch: 1\nissued: 2026-11-23\nprevious: none\n", manifest.Header, id)
	for i, r := range recipients {
		fmt.Fprintf(&b, "recipient: %s responder Responder %d\n", r, i+1)
	}
	signed, err := manifest.Sign(sk, []byte(b.String()))
	if err != nil {
		t.Fatalf("testserver: signing the manifest of %s: %v", id, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, id+".manifest.json")
	keyPath := filepath.Join(dir, id+".admin-key.txt")
	if err := os.WriteFile(path, signed.Marshal(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, sk.File(fixedDate), 0o600); err != nil {
		t.Fatal(err)
	}
	return &Hub{
		Config:       config.Hub{ID: id, Name: "Hub " + id, AdminKey: sk.Public().String(), ManifestFile: path},
		AdminKey:     sk,
		AdminKeyFile: keyPath,
		Signed:       signed,
	}
}
