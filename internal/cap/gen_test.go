package cap

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// genAlert returns a random alert that [Check] must accept once marshalled:
// every optional element sometimes present, every enumeration value, and
// text chosen to stress escaping and Unicode.
func genAlert(r *rand.Rand) *Alert {
	a := &Alert{
		Identifier: pick(r, genIDs) + strconv.Itoa(r.IntN(10000)),
		Sender:     pick(r, genIDs),
		Sent:       genTime(r),
		Status:     pick(r, enumerations["status"]),
		MsgType:    pick(r, enumerations["msgType"]),
		Scope:      pick(r, enumerations["scope"]),
	}
	maybe(r, &a.Source, genText)
	switch a.Scope {
	case "Restricted":
		a.Restriction = pick(r, genTexts)
		maybe(r, &a.Addresses, genText)
	case "Private":
		a.Addresses = `"Rete Trieste" rete-lubiana ` + pick(r, genIDs)
	default:
		maybe(r, &a.Addresses, genText)
	}
	for range r.IntN(3) {
		a.Codes = append(a.Codes, pick(r, genTexts))
	}
	maybe(r, &a.Note, genText)
	if a.MsgType != "Alert" || r.IntN(3) == 0 {
		for range 1 + r.IntN(3) {
			a.References = append(a.References, Reference{pick(r, genIDs), pick(r, genIDs) + "-" + strconv.Itoa(r.IntN(100)), genTime(r)})
		}
	}
	maybe(r, &a.Incidents, genText)
	for range r.IntN(4) {
		a.Infos = append(a.Infos, genInfo(r))
	}
	return a
}

func genInfo(r *rand.Rand) Info {
	in := Info{
		Event:     pick(r, genTexts),
		Urgency:   pick(r, enumerations["urgency"]),
		Severity:  pick(r, enumerations["severity"]),
		Certainty: pick(r, enumerations["certainty"]),
	}
	maybe(r, &in.Language, func(r *rand.Rand) string { return pick(r, genLanguages) })
	for range 1 + r.IntN(3) {
		in.Categories = append(in.Categories, pick(r, enumerations["category"]))
	}
	for range r.IntN(3) {
		in.ResponseTypes = append(in.ResponseTypes, pick(r, enumerations["responseType"]))
	}
	maybe(r, &in.Audience, genText)
	in.EventCodes = genPairs(r)
	maybe(r, &in.Effective, genTime)
	maybe(r, &in.Onset, genTime)
	maybe(r, &in.Expires, genTime)
	maybe(r, &in.SenderName, genText)
	maybe(r, &in.Headline, genText)
	maybe(r, &in.Description, genText)
	maybe(r, &in.Instruction, genText)
	maybe(r, &in.Web, func(r *rand.Rand) string { return pick(r, genWebs) })
	maybe(r, &in.Contact, genText)
	in.Parameters = genPairs(r)
	for range r.IntN(3) {
		in.Areas = append(in.Areas, genArea(r))
	}
	return in
}

func genArea(r *rand.Rand) Area {
	ar := Area{Desc: pick(r, genTexts)}
	for range r.IntN(3) {
		ar.Polygons = append(ar.Polygons, genPolygon(r))
	}
	for range r.IntN(3) {
		lat, lon := genPoint(r)
		ar.Circles = append(ar.Circles, fmt.Sprintf("%s,%s %s", lat, lon, strconv.FormatFloat(r.Float64()*50, 'f', r.IntN(4), 64)))
	}
	ar.Geocodes = genPairs(r)
	switch r.IntN(3) {
	case 0:
		alt := r.IntN(20000) - 1000
		ar.Altitude = strconv.Itoa(alt)
		if r.IntN(2) == 0 {
			ar.Ceiling = strconv.Itoa(alt+r.IntN(5000)) + ".5"
		}
	case 1:
		ar.Altitude = pick(r, genDecimals)
		if r.IntN(2) == 0 {
			ar.Ceiling = "123456789012345678"
		}
	}
	return ar
}

func genPolygon(r *rand.Rand) string {
	n := 3 + r.IntN(6)
	pts := make([]string, 0, n+1)
	for range n {
		lat, lon := genPoint(r)
		pts = append(pts, lat+","+lon)
	}
	return strings.Join(append(pts, pts[0]), " ")
}

func genPoint(r *rand.Rand) (lat, lon string) {
	prec := r.IntN(6)
	return strconv.FormatFloat(r.Float64()*180-90, 'f', prec, 64), strconv.FormatFloat(r.Float64()*360-180, 'f', prec, 64)
}

func genPairs(r *rand.Rand) []NameValue {
	var nvs []NameValue
	for range r.IntN(3) {
		nvs = append(nvs, NameValue{pick(r, genTexts), pick(r, genTexts)})
	}
	return nvs
}

// genTime returns a random CAP date-time, UTC as "-00:00" or "+00:00".
func genTime(r *rand.Rand) string {
	t := time.Date(1+r.IntN(9998), time.January, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
	offsets := []string{"-00:00", "+00:00", "+01:00", "+02:00", "-05:30", "+05:45", "+14:00", "-14:00"}
	off := pick(r, offsets)
	return t.Format(timeLayout) + off
}

func maybe(r *rand.Rand, dst *string, gen func(*rand.Rand) string) {
	if r.IntN(2) == 0 {
		*dst = gen(r)
	}
}

func genText(r *rand.Rand) string {
	n := 1 + r.IntN(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = pick(r, genTexts)
	}
	return strings.Join(parts, pick(r, []string{" ", "\n", "\r\n", "\t", ""}))
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

var (
	genIDs = []string{"hub.example.org", "bulletin", "x.y_z-1", "ü-ñ", "urn:oid:2.49.0.1.380", "a/b:c"}
	// genTexts stress escaping, white space and Unicode.
	genTexts = []string{
		"Città, Łódź, São Paulo, Brașov, Ljubljana – „",
		"📢🚨 👩🏽‍⚕️", "a & b < c > d", "]]>", "&amp; is not an entity here", `"quoted" 'single'`,
		" padded ", "\ttabbed\t", "line 1\nline 2", "cr\rlf", "Київ", "避难所", "مرحبا", "שלום",
		"x", "layer:difesa:1.0", "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">",
		"<!DOCTYPE x>", "<?pi?>", "--", "\u00a0no-break\u00a0", "zero\u200bwidth",
	}
	genLanguages = []string{"en-US", "it", "sl-SI", "pl", "uk", "ar", "zh-Hant-TW", "x-difesa"}
	genWebs      = []string{"https://hub.example.org/b/1?x=1&y=2#f", "http://abcdefghijklmnopabcdefghijklmnopabcdefghijklmnopabcd.onion/bulletins/7", "https://[2001:db8::1]:8443/%C3%A8",
		"http://192.0.2.1:65535", "https://xn--80ak6aa92e.example?", "https://a_b.example/;p=1/%7e~!$&'()*+,;=:@/?q=/?#/?:@", "http://[::ffff:192.0.2.1]/#"}
	// genDecimals are altitudes at the edges of what Check accepts: up to
	// 18 digits, leading and trailing zeros counted.
	genDecimals = []string{"0", "-0", "0.5", "-12.25", "007", "123456789012345678", "-99999999999999999.9", "0.00000000000000001", "1500.000000000000"}
)
