// Package e2e holds end-to-end tests that cross every package: a real
// server on loopback with a real bbolt file, the real CLI, real age. It has
// no code of its own; its tests check the promises SECURITY.md makes.
package e2e
