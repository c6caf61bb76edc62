// Package client talks to a difesa server's HTTP API (docs/api.md) on behalf
// of the difesa command.
//
// The client is deliberately plain: it sends a fixed User-Agent ("difesa"),
// no cookies, no Referer, follows no redirect to another host, and streams
// request and response bodies so that large files are never held in memory.
// It can reach a hub through a SOCKS5 proxy (Tor), which then also resolves
// host names, including .onion addresses.
//
// API errors are returned as [*wire.Error] values with Status set, so callers
// can match them by code:
//
//	errors.Is(err, &wire.Error{Code: wire.CodeTooLarge})
//
// # Threat model
//
// The server is trusted to store and serve ciphertext, not to read it. The
// client never sends plaintext: reports are encrypted before they leave the
// process, and the login challenge is answered by decrypting it locally. The
// client sends nothing that identifies the user beyond what the network
// path reveals; running it over Tor is the way to hide that too.
package client
