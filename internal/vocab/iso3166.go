package vocab

import "strings"

// iso3166 holds the 249 officially assigned ISO 3166-1 alpha-2 codes. A
// "country." code is valid when its code is one of them; the terms list
// names only some (terms.json). Exceptionally reserved codes (UK, EU, AC…)
// are not countries here: code the United Kingdom as GB.
const iso3166 = "" +
	"AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE " +
	"BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD " +
	"CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM " +
	"DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF " +
	"GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU " +
	"ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN " +
	"KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME " +
	"MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA " +
	"NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI " +
	"SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK " +
	"TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI " +
	"VN VU WF WS YE YT ZA ZM ZW"

// isoCountry is the set of iso3166, and XK.
var isoCountry = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(iso3166) {
		m[c] = true
	}
	// Kosovo has no ISO code yet; XK (user-assigned) is the one the EU,
	// Eurostat and the Council of Europe use.
	m["XK"] = true
	return m
}()

// nutsCountry maps the country part of a NUTS code to its ISO 3166-1 code:
// the EU's member states (Greece is EL in NUTS), the EFTA states and the
// candidate countries Eurostat gives statistical regions to.
var nutsCountry = map[string]string{
	"AT": "AT", "BE": "BE", "BG": "BG", "CY": "CY", "CZ": "CZ", "DE": "DE",
	"DK": "DK", "EE": "EE", "EL": "GR", "ES": "ES", "FI": "FI", "FR": "FR",
	"HR": "HR", "HU": "HU", "IE": "IE", "IT": "IT", "LT": "LT", "LU": "LU",
	"LV": "LV", "MT": "MT", "NL": "NL", "PL": "PL", "PT": "PT", "RO": "RO",
	"SE": "SE", "SI": "SI", "SK": "SK",
	"CH": "CH", "IS": "IS", "LI": "LI", "NO": "NO",
	"AL": "AL", "ME": "ME", "MK": "MK", "RS": "RS", "TR": "TR",
}
