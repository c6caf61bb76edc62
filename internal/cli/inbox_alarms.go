package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"difesa.org/difesa/internal/wire"
)

// maxAckedShown is how many acknowledged alarms the inbox shows, newest
// first, under the open ones.
const maxAckedShown = 10

// alarmTable renders the hub's alarms as the inbox's first table: open
// ones (all of them), then the latest acknowledged ones. It returns the
// table, the number of open alarms, and how many acknowledged ones were
// left out.
func alarmTable(alarms []wire.Alarm) (table string, open, hidden int) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ALARM\tKIND\tOPENED\tSTATE\tHISTORY\tSUBMISSION")
	acked := 0
	for _, a := range alarms {
		state := "OPEN"
		if a.State == wire.AlarmOpen {
			open++
		} else {
			if acked++; acked > maxAckedShown {
				hidden++
				continue
			}
			state = "acknowledged by " + clean(a.By) + " at " + coarseTime(a.Acknowledged)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", clean(a.ID), alarmKind(a.Kind), coarseTime(a.Opened), state, alarmHistory(a), clean(a.Submission))
	}
	tw.Flush()
	return b.String(), open, hidden
}

// alarmKind names an alarm's kind for the inbox: a duress stands out.
func alarmKind(kind string) string {
	switch kind {
	case wire.AlarmDuress:
		return "DURESS"
	case wire.AlarmMissed:
		return "missed check-in"
	case wire.AlarmAlert:
		return "alert"
	}
	return clean(kind)
}

// alarmHistory tells an alarm's marks in words, with their coarse hours:
// "missed at about 10:00, then checked in again at about 12:00".
func alarmHistory(a wire.Alarm) string {
	opened, _ := time.Parse(time.RFC3339, a.Opened)
	var parts []string
	for _, m := range a.Marks {
		var what string
		switch m.Mark {
		case wire.MarkMissed:
			what = "missed"
		case wire.MarkDuress:
			what = "DURESS signal"
		case wire.MarkCheckedIn:
			what = "checked in again"
		case wire.MarkStopped:
			what = "timer stopped"
		case wire.MarkAlert:
			what = "alert received"
		default:
			what = clean(m.Mark)
		}
		parts = append(parts, what+" at about "+aboutHour(m.Hour, opened))
	}
	return strings.Join(parts, ", then ")
}

// aboutHour shows an hour as "HH:00 UTC", with the date when it is not
// the day the alarm opened.
func aboutHour(s string, opened time.Time) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return clean(s)
	}
	t = t.UTC()
	if y, m, d := t.Date(); opened.IsZero() || y != opened.UTC().Year() || m != opened.UTC().Month() || d != opened.UTC().Day() {
		return t.Format("2006-01-02 15:04") + " UTC"
	}
	return t.Format("15:04") + " UTC"
}
