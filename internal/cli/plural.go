package cli

import "strconv"

// count writes n and the noun, singular for 1 and plural otherwise: "1
// message", "0 messages", "3 replies". Every count the CLI prints goes
// through it.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// verb picks the form of a verb that agrees with a count of n.
func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
