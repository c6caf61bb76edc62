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
//
// The server is not trusted to say who reads reports. The recipients come
// from the hub's signed manifest, checked by [Client.VerifiedRecipients]
// against an admin key pinned on first contact (or given out of band as a
// fingerprint) and along the manifest chain, never from recipients.txt. The
// pins live in a [PinStore].
//
// # Caveats
//
//   - Trust on first use: without a fingerprint learned out of band, the
//     first contact takes the admin key the server presents.
//   - Freezing: a server can keep serving an old, validly signed manifest to
//     a client that has not seen a newer one; the chain proves order, not
//     freshness.
package client
