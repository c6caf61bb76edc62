// Package wire holds the JSON shapes and stable error codes of difesa's HTTP
// API, shared by the server (internal/api) and the client (internal/client) so
// that the two can never drift apart. docs/api.md is the prose version.
package wire
