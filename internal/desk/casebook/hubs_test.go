package casebook

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/testutil/instants"
	"difesa.org/difesa/internal/testutil/socks5"
)

// TestTwoHubsOneThroughAProxy: a responder of two hubs sees both in one
// inbox, filters by hub, and reaches the second through a SOCKS5 proxy
// (as -proxy with Tor).
func TestTwoHubsOneThroughAProxy(t *testing.T) {
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	clock := instants.NewClock(testDay)
	cfg := config.Default()
	for _, name := range []string{"north", "south"} {
		cfg.Hubs = append(cfg.Hubs, testserver.NewHub(t, name, id.Recipient().String()).Config)
	}
	srv := testserver.NewWithOptions(t, cfg, testserver.Options{Now: clock.Now})
	north, south := srv.Instance.HubURL("north"), srv.Instance.HubURL("south")
	n1, _ := submitTo(t, north, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "from the north"}, nil, false)
	s1, _ := submitTo(t, south, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "from the south"}, nil, false)

	proxy := socks5.New(t)
	b, err := Open(Options{
		Dir: filepath.Join(t.TempDir(), "desk"), Identities: []age.Identity{id}, Recipient: id.Recipient(),
		Now: clock.Now, SyncEvery: time.Hour,
		Hubs: []HubConfig{
			{URL: north, Pins: client.NewPinStore(t.TempDir())},
			{URL: south, Proxy: proxy.URL(), Pins: client.NewPinStore(t.TempDir())},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	syncAll(t, b)
	if p := mustInbox(t, b, Filter{}); p.Total != 2 {
		t.Fatalf("inbox of both hubs = %+v", p.Items)
	}
	for hub, want := range map[string]string{"north": n1, "south": s1} {
		p := mustInbox(t, b, Filter{Hub: hub})
		if p.Total != 1 || p.Items[0].ID != want || p.Items[0].Hub != hub {
			t.Fatalf("inbox of %s = %+v", hub, p.Items)
		}
	}
	if proxy.Connections() == 0 || len(proxy.Hosts()) == 0 {
		t.Fatal("nothing went through the proxy")
	}
	if err := b.Reply(context.Background(), "south", s1, "through Tor", nil); err != nil {
		t.Fatal(err)
	}
	st := b.Status()
	if len(st) != 2 || st[0].Hub != "north" || st[1].Hub != "south" || !st[0].Online || !st[1].Online {
		t.Fatalf("status = %+v", st)
	}
	if _, err := Open(Options{Dir: t.TempDir(), Identities: []age.Identity{id}, Recipient: id.Recipient(),
		Hubs: []HubConfig{{URL: north}, {URL: north}}}); err == nil {
		t.Fatal("the same hub given twice was accepted")
	}
}
