package casebook

import (
	"context"
	"slices"
	"testing"
	"time"

	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/wire"
)

// BenchmarkDeskWorkFilters measures the inbox and search latency, p50
// and p99, with the case-work filters (assignee, "mine", "unassigned",
// label, due follow-up, and these combined with each other, with the
// status and with search) at 10,000 cases, each with a case record: 5
// responders, 8 labels, follow-up days spread over two months. The
// reports come from a real hub on loopback through a real first sync;
// the case records are put in the desk's model as a sync leaves them
// (writing 10,000 records through the hub's API would measure the hub).
// Run it with
//
//	go test ./internal/desk/casebook -run '^$' -bench DeskWorkFilters -benchtime 1x
func BenchmarkDeskWorkFilters(b *testing.B) {
	f := newFixture(b)
	fillBundles(b, f, benchReports, 1<<10, testDay)
	bk, err := Open(f.options())
	if err != nil {
		b.Fatal(err)
	}
	defer bk.Close()
	if err := bk.syncHub(context.Background(), bk.hubs[0], true); err != nil {
		b.Fatal(err)
	}
	team := []string{"Responder 1", "Responder 2", "Responder 3", "Responder 4", "Responder 5"}
	labels := []string{"digital", "legal", "medical", "psychological", "relocation", "urgent", "monitoring", "follow-up"}
	bk.mu.Lock()
	m := bk.models[demoHub]
	m.work.me, m.work.team = team[0], team
	m.work.settings = &caserecord.Hub{V: caserecord.Version, Labels: slices.Sorted(slices.Values(labels)), SubStatuses: []string{}}
	i := 0
	for id := range m.entries {
		r := caserecord.New()
		if i%6 != 0 {
			r.Assignee = team[i%len(team)]
		}
		for j := range 1 + i%3 {
			r.Labels = append(r.Labels, labels[(i+j*3)%len(labels)])
		}
		slices.Sort(r.Labels)
		r.Labels = slices.Compact(r.Labels)
		if i%4 == 0 {
			r.FollowUp = testDay.AddDate(0, 0, i%60-30).Format(time.DateOnly)
		}
		m.work.records[id] = &caseWork{version: 1, rec: r}
		i++
	}
	bk.gen++
	bk.mu.Unlock()

	filters := func(n int) []Filter {
		var qs []Filter
		for i := range n {
			l := labels[i%len(labels)]
			qs = append(qs,
				Filter{Assignee: AssigneeMine, Offset: i * 10},
				Filter{Assignee: AssigneeNone},
				Filter{Assignee: team[i%len(team)], Offset: i * 5},
				Filter{Label: l, Offset: i * 10},
				Filter{Label: l, Assignee: AssigneeMine},
				Filter{Due: true},
				Filter{Due: true, Assignee: AssigneeMine, Status: wire.StatusNew},
				Filter{Label: l, Status: wire.StatusNew, Month: "2026-11", Kind: wire.KindReport},
			)
		}
		return qs
	}
	latency := func(b *testing.B, queries []Filter, run func(Filter) (Page, error)) {
		b.Helper()
		var ds []time.Duration
		for range b.N {
			for _, q := range queries {
				t0 := time.Now()
				_, err := run(q)
				ds = append(ds, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		slices.Sort(ds)
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
		b.ReportMetric(ms(ds[len(ds)*99/100]), "p99-ms")
		b.ReportMetric(0, "ns/op")
	}
	if p, _ := bk.Inbox(Filter{Label: "legal"}); p.Total == 0 || p.Total == benchReports {
		b.Fatalf("the label filter matches %d of %d cases", p.Total, benchReports)
	}
	b.Run("Inbox", func(b *testing.B) { latency(b, filters(25), bk.Inbox) })
	b.Run("InboxAfterChange", func(b *testing.B) {
		// Each query follows a change of the model (a case record synced
		// or written): the inbox's order is rebuilt.
		latency(b, filters(5), func(f Filter) (Page, error) {
			bk.mu.Lock()
			bk.gen++
			bk.mu.Unlock()
			return bk.Inbox(f)
		})
	})
	b.Run("Search", func(b *testing.B) {
		var qs []Filter
		for i, q := range filters(10) {
			q.Query = benchWords[i%len(benchWords)]
			qs = append(qs, q)
		}
		latency(b, qs, bk.Search)
	})
	// The same rebuilds without any case record, in the same run: what
	// the case work adds to a rebuild.
	bk.mu.Lock()
	m.work.records = map[string]*caseWork{}
	bk.gen++
	bk.mu.Unlock()
	b.Run("InboxAfterChangeWithoutRecords", func(b *testing.B) {
		latency(b, filters(5), func(f Filter) (Page, error) {
			bk.mu.Lock()
			bk.gen++
			bk.mu.Unlock()
			return bk.Inbox(f)
		})
	})
}
