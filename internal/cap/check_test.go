package cap

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckAccepts(t *testing.T) {
	t.Parallel()
	for _, tt := range validCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Check([]byte(tt.doc))
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if a.Identifier == "" || a.Sender == "" || a.Sent == "" {
				t.Errorf("Check returned an incomplete alert: %+v", a)
			}
		})
	}
}

func TestCheckRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range hostileCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := Check([]byte(tt.doc))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check = %+v, %v; want a *Error with code %s", a, err, tt.code)
			}
			if a != nil {
				t.Errorf("Check returned an alert with its error")
			}
			if e.Code != tt.code {
				t.Errorf("Check: %v; want code %s", err, tt.code)
			}
			t.Log(err)
			if e.Detail == "" || len(e.Detail) > 300 {
				t.Errorf("Check: detail of %d bytes: %q", len(e.Detail), e.Detail)
			}
		})
	}
}

// TestCheckRichAlert checks every field Check reads from the rich document.
func TestCheckRichAlert(t *testing.T) {
	t.Parallel()
	a, err := Check([]byte(testdata(t, "rich.xml")))
	if err != nil {
		t.Fatal(err)
	}
	want := richAlert()
	if !a.Equal(want) {
		t.Errorf("Check(rich.xml) =\n%+v\nwant\n%+v", a, want)
	}
}

// richAlert is testdata/rich.xml's alert, written out by hand.
func richAlert() *Alert {
	return &Alert{
		Identifier: "bulletin-2026-0042",
		Sender:     "hub.example.org",
		Sent:       "2026-11-23T14:00:00+01:00",
		Status:     "Actual",
		MsgType:    "Update",
		Source:     "hub desk",
		Scope:      "Public",
		Codes:      []string{"difesa-bulletin-1"},
		Note:       "Replaces bulletin 41 & widens the area.",
		References: []Reference{
			{"hub.example.org", "bulletin-2026-0041", "2026-11-22T09:30:00+01:00"},
			{"hub.example.org", "bulletin-2026-0040", "2026-11-21T18:05:00-00:00"},
		},
		Incidents: "march-2026",
		Infos: []Info{{
			Language:      "it-IT",
			Categories:    []string{"Security", "Safety"},
			Event:         "Sgombero di un presidio",
			ResponseTypes: []string{"Avoid", "Monitor"},
			Urgency:       "Immediate",
			Severity:      "Severe",
			Certainty:     "Likely",
			Audience:      "difensori e difensore dei diritti umani",
			EventCodes:    []NameValue{{"difesa", "eviction"}},
			Effective:     "2026-11-23T14:00:00+01:00",
			Onset:         "2026-11-23T16:00:00+01:00",
			Expires:       "2026-11-24T14:00:00+01:00",
			SenderName:    "Hub Città – „rete“",
			Headline:      "Sgombero previsto in piazza: evitate la zona",
			Description: "Fonti affidabili riferiscono uno sgombero oggi pomeriggio.\n" +
				"\tEvitate Città vecchia, Łódź-street e via São Paulo <centro>.\n" +
				"Ripetiamo: evitate la zona. 📢",
			Instruction: "Non portate con voi telefoni non cifrati.",
			Web:         "https://hub.example.org/bulletins/42",
			Contact:     "Signal: +39 000 000 000",
			Parameters:  []NameValue{{"layer:difesa:1.0", "bulletin"}},
			Areas: []Area{{
				Desc:     "Centro storico",
				Polygons: []string{"45.65,13.76 45.66,13.78 45.64,13.79 45.63,13.77 45.65,13.76"},
				Circles:  []string{"45.6495,13.7768 1.5"},
				Geocodes: []NameValue{{"ISTAT", "032006"}},
				Altitude: "0",
				Ceiling:  "1500.5",
			}},
		}, {
			Language:      "en-GB",
			Categories:    []string{"Security", "Safety"},
			Event:         "Eviction of a sit-in",
			ResponseTypes: []string{"Avoid"},
			Urgency:       "Immediate",
			Severity:      "Severe",
			Certainty:     "Likely",
			Expires:       "2026-11-24T14:00:00+01:00",
			Headline:      "Eviction expected in the square: avoid the area",
			Description:   "Reliable sources report an eviction this afternoon.\r\nAvoid the old town.",
			Areas:         []Area{{Desc: "Old town", Circles: []string{"45.6495,13.7768 1.5"}}},
		}, {
			Language:   "sl",
			Categories: []string{"Security"},
			Event:      "Izselitev",
			Urgency:    "Expected",
			Severity:   "Moderate",
			Certainty:  "Possible",
			Expires:    "2026-11-25T08:00:00+01:00",
			Headline:   "Ljubljana, Brașov: izogibajte se območju",
			Areas:      []Area{{Desc: "Ljubljana – center", Polygons: []string{"46.05,14.50 46.06,14.51 46.05,14.52 46.04,14.51 46.05,14.50"}}},
		}, {
			Language:    "pl",
			Categories:  []string{"Security"},
			Event:       "Eksmisja",
			Urgency:     "Future",
			Severity:    "Minor",
			Certainty:   "Unlikely",
			Expires:     "2026-11-26T08:00:00-00:00",
			Description: "Łódź: „spokojnie”.",
			Areas:       []Area{{Desc: "Łódź", Geocodes: []NameValue{{"TERYT", "1061"}}}},
		}},
	}
}

// TestCheckErrorDetail checks that errors name the element and never
// repeat much of the input.
func TestCheckErrorDetail(t *testing.T) {
	t.Parallel()
	rich := testdata(t, "rich.xml")
	secret := strings.Repeat("s3cr3t", 20)
	tests := []struct {
		name, old, new string
		wantPrefix     string
	}{
		{"urgency of the second info", "<urgency>Immediate</urgency>\n    <severity>Severe</severity>\n    <certainty>Likely</certainty>\n    <expires>",
			"<urgency>" + secret + "</urgency>\n    <severity>Severe</severity>\n    <certainty>Likely</certainty>\n    <expires>", "alert/info[2]/urgency: "},
		{"polygon of the third info", "46.05,14.50 46.06", secret + " 46.06", "alert/info[3]/area[1]/polygon[1]: "},
		{"geocode value", "<valueName>TERYT</valueName>", "<valueName>TERYT</valueName><valueName>" + secret + "</valueName>", "alert/info[4]/area[1]/geocode[1]/valueName: "},
		{"unknown element", "<incidents>", "<" + secret + "/><incidents>", "alert/\"s3cr3t"},
		{"identifier", "bulletin-2026-0042", secret + " x", "alert/identifier: "},
		{"reference", "bulletin-2026-0040,", secret + "&amp;,", "alert/references: reference 2: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Check([]byte(edit(t, rich, tt.old, tt.new)))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Check: %v", err)
			}
			if !strings.HasPrefix(e.Detail, tt.wantPrefix) {
				t.Errorf("detail %q does not start with %q", e.Detail, tt.wantPrefix)
			}
			for n := 41; n <= len(secret); n++ {
				if strings.Contains(e.Detail, secret[:n]) {
					t.Fatalf("detail %q repeats %d bytes of input", e.Detail, n)
				}
			}
		})
	}
}

func TestEnumeration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		element string
		want    string
	}{
		{"status", "Actual Exercise System Test Draft"},
		{"msgType", "Alert Update Cancel Ack Error"},
		{"scope", "Public Restricted Private"},
		{"category", "Geo Met Safety Security Rescue Fire Health Env Transport Infra CBRNE Other"},
		{"responseType", "Shelter Evacuate Prepare Execute Avoid Monitor Assess AllClear None"},
		{"urgency", "Immediate Expected Future Past Unknown"},
		{"severity", "Extreme Severe Moderate Minor Unknown"},
		{"certainty", "Observed Likely Possible Unlikely Unknown"},
		{"event", ""},
	}
	for _, tt := range tests {
		got := Enumeration(tt.element)
		if strings.Join(got, " ") != tt.want {
			t.Errorf("Enumeration(%q) = %q, want %q", tt.element, got, tt.want)
		}
		if len(got) > 0 {
			got[0] = "changed"
			if Enumeration(tt.element)[0] == "changed" {
				t.Errorf("Enumeration(%q) returned the package's own slice", tt.element)
			}
		}
	}
}
