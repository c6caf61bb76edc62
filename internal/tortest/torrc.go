package tortest

import (
	"fmt"
	"strings"
)

// Voting intervals, in seconds. Chutney's authority template uses the same:
// 5 is possible but unstable; vote plus distribution delay must stay under
// half the interval, which is what tor uses while there is no consensus.
const (
	votingInterval = 10
	voteDelay      = 2
	distDelay      = 2
)

// commonTorrc holds what every tor of the network shares: testing mode, the
// network's own authorities and nothing else, and the flags the
// authorities vote for everyone so that a network minutes old works.
func (n *Network) commonTorrc(nick, dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `TestingTorNetwork 1
DataDirectory %[1]s
Nickname %[2]s
Log notice file %[1]s/notice.log
ShutdownWaitLength 0
__OwningControllerProcess %[3]d

# Only this network: its own authorities, no fallback directories.
UseDefaultFallbackDirs 0
ClientUseIPv4 1
ClientUseIPv6 0

# Chutney's rapid-bootstrap options.
AssumeReachable 1
PathsNeededToBuildCircuits 0.25
TestingDirAuthVoteExit *
TestingDirAuthVoteGuard *
TestingDirAuthVoteHSDir *
TestingMinExitFlagThreshold 0
V3AuthNIntervalsValid 2
`, dir, nick, n.pid)
	for _, a := range n.authorities {
		fmt.Fprintf(&b, "DirAuthority %s orport=%d v3ident=%s 127.0.0.1:%d %s\n",
			a.nick, a.orPort, a.v3ident, a.dirPort, a.fingerprint)
	}
	return b.String()
}

// relayTorrc is a non-exit relay on 127.0.0.1; it serves directory
// information over its ORPort, so it can be an HSDir.
func relayTorrc(orPort int) string {
	return fmt.Sprintf(`Address 127.0.0.1
ORPort 127.0.0.1:%d
SocksPort 0
ExitRelay 0
ExitPolicy reject *:*
`, orPort)
}

// authorityTorrc makes a relay a v3 directory authority that votes every
// [votingInterval] seconds.
func authorityTorrc(dirPort int) string {
	return fmt.Sprintf(`DirPort 127.0.0.1:%d
AuthoritativeDirectory 1
V3AuthoritativeDirectory 1
AuthDirMaxServersPerAddr 0
TestingV3AuthInitialVotingInterval %[2]d
TestingV3AuthInitialVoteDelay %[3]d
TestingV3AuthInitialDistDelay %[4]d
V3AuthVotingInterval %[2]d
V3AuthVoteDelay %[3]d
V3AuthDistDelay %[4]d
`, dirPort, votingInterval, voteDelay, distDelay)
}

// serviceTorrc is one v3 onion service per target, each in its own
// folder of hsDirs, whose port 80 leads to the target ("unix:/path" or
// "127.0.0.1:port"), with a control port for waiting on the descriptors'
// uploads.
func serviceTorrc(hsDirs, targets []string, controlPort int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SocksPort 0\nControlPort 127.0.0.1:%d\n", controlPort)
	for i, dir := range hsDirs {
		fmt.Fprintf(&b, "HiddenServiceDir %s\nHiddenServiceVersion 3\nHiddenServicePort 80 %s\n", dir, targets[i])
	}
	return b.String()
}

// clientTorrc is a client with a SOCKS port.
func clientTorrc(socksPort int) string {
	return fmt.Sprintf("SocksPort 127.0.0.1:%d\n", socksPort)
}
