// Package tortest starts a private Tor network on loopback for tests: three
// directory authorities, three relays, onion services and a client, each a
// real tor process, so that difesa can be tested end to end over a real
// .onion address, the way defenders and responders reach a hub and the way
// its notifications reach a webhook receiver that is itself an onion
// service.
//
// The network is Tor's testing-network mode (TestingTorNetwork 1) with the
// fast voting intervals chutney uses. Every address is 127.0.0.1 on ports
// picked free at start, and every tor knows only the network's own
// authorities (DirAuthority lines, no fallback directories), so nothing
// ever contacts the public Tor network.
//
// # Caveats
//
// Tests that use it skip when tor or tor-gencert is not installed (Debian:
// apt-get install tor). A network takes some tens of seconds to vote its
// first consensus and publish the onion services' descriptors; [Start]
// waits for both and fails the test, with the tail of every tor's log,
// when that takes longer than [BootstrapTimeout].
//
// The keys, votes and consensus are made for the test and thrown away with
// its temporary folder; the network is for tests only and has no anonymity
// worth the name (one machine, loopback, votes that trust everyone).
package tortest
