package cap

import "slices"

// enumerations are CAP 1.2's closed value lists, by element name, in the
// specification's order. The schema types them as restrictions of
// xs:string, whose white space is preserved: " Actual" is not "Actual".
var enumerations = map[string][]string{
	"status":       {"Actual", "Exercise", "System", "Test", "Draft"},
	"msgType":      {"Alert", "Update", "Cancel", "Ack", "Error"},
	"scope":        {"Public", "Restricted", "Private"},
	"category":     {"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"},
	"responseType": {"Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear", "None"},
	"urgency":      {"Immediate", "Expected", "Future", "Past", "Unknown"},
	"severity":     {"Extreme", "Severe", "Moderate", "Minor", "Unknown"},
	"certainty":    {"Observed", "Likely", "Possible", "Unlikely", "Unknown"},
}

// Enumeration returns the values CAP 1.2 allows for the element named
// element (its CAP name: "status", "msgType", "scope", "category",
// "responseType", "urgency", "severity" or "certainty"), in the
// specification's order, or nil for any other name. The slice is a copy.
func Enumeration(element string) []string {
	return slices.Clone(enumerations[element])
}
