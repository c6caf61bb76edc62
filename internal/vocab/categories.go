package vocab

// fromCategory maps each report category (internal/bundle's Categories)
// to the act that is the desk's first guess when a responder codes a case.
var fromCategory = map[string]string{
	"threats":                              "act.threat",
	"smear_campaign":                       "act.smear",
	"judicial_harassment":                  "act.judicial",
	"arbitrary_detention":                  "act.detention",
	"physical_attack":                      "act.physical",
	"surveillance":                         "act.surveillance",
	"raid_confiscation":                    "act.raid",
	"travel_restriction":                   "act.movement",
	"abduction":                            "act.disappearance.abduction",
	"killing_attempt":                      "act.killing",
	"sexual_gender_violence":               "act.sexual",
	"family_reprisals":                     "act.family",
	"transnational_repression":             "act.transnational",
	"administrative_financial_restriction": "act.restriction",
	"other":                                "act.other",
}

// FromCategory returns the act code that a report's category suggests, for
// the responder to confirm or change; ok is false for a category this
// version does not know (a report from a newer client), which leaves the
// case uncoded.
func FromCategory(category string) (code string, ok bool) {
	code, ok = fromCategory[category]
	return code, ok
}
