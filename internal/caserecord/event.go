package caserecord

// Event is one coded event of a case, as docs/monitoring.md ("Coding a
// case") defines it: one act, against one or more victims, by one kind of
// perpetrator, at one place, in one month (or a coarser time when only
// that is known). Every code is from internal/vocab (shared, or the hub's
// own under "x-HUBID."); an empty code means "not coded" on that
// dimension, and statistics count it as such.
type Event struct {
	// ID is random, 16 lowercase hex digits, unique in the record.
	ID string `json:"id"`
	// Act is a code of the "act" scheme.
	Act string `json:"act"`
	// Perpetrator is a code of the "perpetrator" scheme, or empty.
	Perpetrator string `json:"perpetrator"`
	// Rights are codes of the "right" scheme, sorted, each once.
	Rights []string `json:"rights"`
	// Victims are the victims of the act, by profile.
	Victims []Victim `json:"victims"`
	// Country is a "country." code, or empty.
	Country string `json:"country"`
	// Region is a "region." code within Country, or empty.
	Region string `json:"region"`
	// Time is a month ("2026-03"), a quarter ("2026-Q1") or a year
	// ("2026"), or empty.
	Time string `json:"time"`
}

// Victim is a group of victims of one event who share a profile.
type Victim struct {
	// Profiles are codes of the "profile" scheme, sorted, each once.
	Profiles []string `json:"profiles"`
	// Count is how many victims have these profiles, at least 1.
	Count int `json:"count"`
}
