package vocab

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"difesa.org/difesa/internal/testutil/instants"
)

func TestCoarsen(t *testing.T) {
	t.Parallel()
	ext, err := ParseExtensions([]byte(`{"version":1,"hub":"demo","terms":[
		{"code":"x-demo.region.carinthia","country":"country.AT","labels":{"en":"Carinthia"}},
		{"code":"x-demo.region.carinthia.villach","labels":{"en":"Villach"}}]}`), "demo")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code string
		to   Grain
		want string // "" for ErrCoarsen
	}{
		{"2026-01", Quarter, "2026-Q1"},
		{"2026-03", Quarter, "2026-Q1"},
		{"2026-04", Quarter, "2026-Q2"},
		{"2026-09", Quarter, "2026-Q3"},
		{"2026-12", Quarter, "2026-Q4"},
		{"2028-02", Year, "2028"},
		{"2026-12", Month, "2026-12"},
		{"2026-Q3", Year, "2026"},
		{"2026-Q3", Quarter, "2026-Q3"},
		{"2026", Year, "2026"},
		{"2026-Q3", Month, ""}, // finer
		{"2026", Quarter, ""},
		{"2026-03", Country, ""},
		{"2026-13", Year, ""},
		{"region.SI04", Country, "country.SI"},
		{"region.EL30", Country, "country.GR"},
		{"region.SI04", Region, "region.SI04"},
		{"x-demo.region.carinthia", Country, "country.AT"},
		{"x-demo.region.carinthia.villach", Country, "country.AT"}, // inherited
		{"x-demo.region.carinthia.villach", Region, "x-demo.region.carinthia.villach"},
		{"x-other.region.carinthia", Country, ""},
		{"country.SI", Country, "country.SI"},
		{"country.JP", Country, "country.JP"},
		{"country.SI", Region, ""},
		{"region.SI04", Year, ""},
		{"act.threat", Country, ""},
		{"act.threat", Year, ""},
		{"nonsense", Month, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s to %s", tt.code, tt.to), func(t *testing.T) {
			got, err := ext.Coarsen(tt.code, tt.to)
			if tt.want == "" {
				if !errors.Is(err, ErrCoarsen) {
					t.Errorf("Coarsen = %q, %v; want ErrCoarsen", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Coarsen = %q, %v; want %q", got, err, tt.want)
			}
			if !ext.Valid(got) {
				t.Errorf("Coarsen gave %q, which is not valid", got)
			}
		})
	}
	// Without the hub's list, the hub's regions are not terms.
	if _, err := Coarsen("x-demo.region.carinthia", Country); !errors.Is(err, ErrCoarsen) {
		t.Errorf("Coarsen of a hub region without its list: %v, want ErrCoarsen", err)
	}
}

// TestMonthCode takes the month in the instant's own zone, whatever the
// machine's: the last minute of a year in St John's is still December
// there, while UTC is in January.
func TestMonthCode(t *testing.T) {
	t.Parallel()
	for _, in := range instants.All(t) {
		want := fmt.Sprintf("%04d-%02d", in.T.Year(), in.T.Month())
		got := MonthCode(in.T)
		if got != want || Scheme(got) != SchemeTime {
			t.Errorf("%s: MonthCode = %q, want %q", in.Name, got, want)
		}
	}
	stJohns := instants.Zone(t, "America/St_Johns")
	if got := MonthCode(time2026YearEnd(stJohns)); got != "2026-12" {
		t.Errorf("MonthCode at 23:59 on 31 December in St John's = %q, want 2026-12", got)
	}
	if q, _ := Coarsen(MonthCode(time2026YearEnd(stJohns)), Quarter); q != "2026-Q4" {
		t.Errorf("its quarter = %q, want 2026-Q4", q)
	}
}

func time2026YearEnd(loc *time.Location) time.Time {
	return time.Date(2026, 12, 31, 23, 59, 0, 0, loc)
}
