// Package auth logs responders in with their own age identities, so there is
// no password to phish, reuse or store.
//
// The server encrypts a random secret to one of the hub's recipients; only
// the holder of the matching identity can decrypt it and send it back, in
// exchange for a short-lived bearer token. Challenges and sessions live in
// memory only.
//
// # Threat model
//
// A copy of the database yields nothing about logins: no token, no hash of
// one, no recipient that logged in, no time. A token is bound to one hub
// and to the recipient that logged in. It dies when it expires, when it is
// logged out, or when a manifest leaves its recipient out; every request
// checks it, and whatever waits on [Session.Done] (a live event stream) is
// told at once.
//
// Anyone can ask for challenges for a published recipient. Open challenges
// are capped per recipient ([MaxChallengesPerRecipient], a new one replaces
// that recipient's oldest) and per hub ([MaxChallengesPerHub], a new one
// replaces the oldest of the hub's busiest recipient), so a flood aimed at
// one key never locks out another key, or another hub.
//
// # Caveats
//
// A flood aimed at one key can replace that key's challenges faster than
// its holder answers them: the holder then has to ask again. A restart
// ends every session: responders log in again, which the CLI does by
// itself.
package auth
