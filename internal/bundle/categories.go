package bundle

// Category is one entry of the taxonomy used in [Report.Category]. IDs are
// stable and never reused; Titles are English and meant for display.
type Category struct {
	ID    string
	Title string
}

// Categories is the taxonomy of attacks on human-rights defenders that a
// report can be filed under, in the order a form should offer them. "other"
// is always last.
var Categories = []Category{
	{"threats", "Threats"},
	{"smear_campaign", "Smear campaign"},
	{"judicial_harassment", "Judicial harassment / SLAPP"},
	{"arbitrary_detention", "Arbitrary detention"},
	{"physical_attack", "Physical attack"},
	{"surveillance", "Surveillance"},
	{"raid_confiscation", "Raid or confiscation"},
	{"travel_restriction", "Travel restriction"},
	{"abduction", "Abduction"},
	{"killing_attempt", "Killing or attempted killing"},
	{"sexual_gender_violence", "Sexual or gender-based violence"},
	{"family_reprisals", "Reprisals against family"},
	{"transnational_repression", "Transnational repression"},
	{"administrative_financial_restriction", "Administrative or financial restriction"},
	{"other", "Other"},
}

// ValidCategory reports whether id is the ID of one of [Categories].
func ValidCategory(id string) bool {
	for _, c := range Categories {
		if c.ID == id {
			return true
		}
	}
	return false
}

// CategoryTitle returns the English title of the category id, or id itself
// if it is not in [Categories] (a bundle from a newer client).
func CategoryTitle(id string) string {
	for _, c := range Categories {
		if c.ID == id {
			return c.Title
		}
	}
	return id
}
