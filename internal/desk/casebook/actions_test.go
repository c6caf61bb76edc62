package casebook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bundle"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/wire"
)

// TestReplyReadByDefender: a reply from the desk, with an attachment,
// reaches the defender, who reads it with their codename; in the desk it
// shows as the hub's reply in the case, not as a new case.
func TestReplyReadByDefender(t *testing.T) {
	f := newFixture(t)
	id, keys := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "please call me"}, nil, false)
	b := f.open(t)
	syncAll(t, b)
	ctx := context.Background()
	if err := b.Reply(ctx, demoHub, id, "we are on it", []File{{Name: "plan.txt", Data: []byte("the plan")}}); err != nil {
		t.Fatalf("Reply: %v", err)
	}

	c := f.defender(t)
	th, err := c.Thread(ctx, client.ThreadToken(keys.Token))
	if err != nil {
		t.Fatal(err)
	}
	var reply string
	for _, m := range th.Messages {
		if m.Kind != wire.KindReply {
			continue
		}
		var ct bytes.Buffer
		if _, err := c.DownloadMessage(ctx, client.ThreadToken(keys.Token), m.ID, &ct); err != nil {
			t.Fatal(err)
		}
		plain, err := age.Decrypt(&ct, keys.Identity)
		if err != nil {
			t.Fatalf("the defender cannot decrypt the reply: %v", err)
		}
		var files []string
		o, err := bundle.Read(plain, bundle.DefaultLimits, func(name string, _ int64, r io.Reader) error {
			data, _ := io.ReadAll(r)
			files = append(files, name+"="+string(data))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		reply = o.Report.Narrative
		if len(files) != 1 || files[0] != "plan.txt=the plan" {
			t.Fatalf("reply files = %q", files)
		}
	}
	if reply != "we are on it" {
		t.Fatalf("the defender read %q", reply)
	}

	syncAll(t, b)
	p := mustInbox(t, b, Filter{})
	if p.Total != 1 {
		t.Fatalf("after the reply the inbox has %d cases, want 1", p.Total)
	}
	cs, err := b.Case(demoHub, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Thread) != 1 || cs.Thread[0].From != "hub" || cs.Thread[0].Text != "we are on it" || len(cs.Thread[0].Attachments) != 1 {
		t.Fatalf("thread = %+v", cs.Thread)
	}
	_, data, err := b.Attachment(demoHub, id, cs.Thread[0].Attachments[0].N)
	if err != nil || string(data) != "the plan" {
		t.Fatalf("Attachment: %q, %v", data, err)
	}
}

// TestReplyWithoutCodename: a report without a codename cannot be
// answered, and the desk says so before sending anything.
func TestReplyWithoutCodename(t *testing.T) {
	f := newFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "anonymous"}, nil, true)
	b := f.open(t)
	syncAll(t, b)
	c, _ := b.Case(demoHub, id)
	if c.CanReply {
		t.Fatal("CanReply for a report without a codename")
	}
	if err := b.Reply(context.Background(), demoHub, id, "hello", nil); !errors.Is(err, ErrCannotReply) {
		t.Fatalf("Reply: %v, want ErrCannotReply", err)
	}
}

// TestStatusReadDelete: the status goes to the hub and stays across a
// reopen; reading changes the order; deleting removes the case at the
// hub and in the vault.
func TestStatusReadDelete(t *testing.T) {
	f := newFixture(t)
	older, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "first"}, nil, true)
	newer, keys := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "second"}, nil, false)
	f.followup(t, keys, "and more")
	b := f.open(t)
	syncAll(t, b)
	ctx := context.Background()
	p := mustInbox(t, b, Filter{})
	if p.Items[0].ID != newer || p.Items[1].ID != older || p.Counts.Unread != 2 || p.Counts.New != 2 {
		t.Fatalf("inbox = %+v", p)
	}
	if err := b.MarkRead(demoHub, newer); err != nil {
		t.Fatal(err)
	}
	p = mustInbox(t, b, Filter{})
	if p.Items[0].ID != older || !p.Items[0].Unread || p.Items[1].Unread || p.Counts.Unread != 1 {
		t.Fatalf("after reading, inbox = %+v", p.Items)
	}
	if err := b.SetStatus(ctx, demoHub, older, wire.StatusInProgress); err != nil {
		t.Fatal(err)
	}
	b.Close()
	b = f.open(t)
	p = mustInbox(t, b, Filter{Status: wire.StatusInProgress})
	if p.Total != 1 || p.Items[0].ID != older || p.Counts.InProgress != 1 || p.Counts.New != 1 || p.Counts.Unread != 1 {
		t.Fatalf("after reopening, in progress = %+v", p)
	}
	syncAll(t, b) // the hub agrees
	if c, _ := b.Case(demoHub, older); c.Status != wire.StatusInProgress {
		t.Fatalf("status after a sync = %q", c.Status)
	}
	before, _ := b.Usage()
	if err := b.Delete(ctx, demoHub, newer); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Case(demoHub, newer); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted case: %v", err)
	}
	after, _ := b.Usage()
	if after.Records >= before.Records || after.Bytes >= before.Bytes {
		t.Fatalf("usage %+v → %+v: the local copy was not forgotten", before, after)
	}
	b.Close()
	b = f.open(t)
	syncAll(t, b)
	if p := mustInbox(t, b, Filter{}); p.Total != 1 || p.Items[0].ID != older {
		t.Fatalf("after deleting, inbox = %+v", p.Items)
	}
}

// TestAlarmAck: an alert's alarm comes first, open, and the desk
// acknowledges it with a note encrypted to the hub.
func TestAlarmAck(t *testing.T) {
	f := newFixture(t)
	f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "ordinary"}, nil, true)
	id, _ := f.submit(t, bundle.KindAlert, &bundle.Report{Category: "other", Narrative: "urgent"}, nil, true)
	b := f.open(t)
	syncAll(t, b)
	p := mustInbox(t, b, Filter{})
	if len(p.Alarms) != 1 || !p.Alarms[0].Open || p.Alarms[0].Submission != id || p.Alarms[0].Kind != wire.AlarmAlert {
		t.Fatalf("alarms = %+v", p.Alarms)
	}
	c, _ := b.Case(demoHub, id)
	if !c.Urgent || len(c.Alarms) != 1 {
		t.Fatalf("case = %+v", c)
	}
	if err := b.Ack(context.Background(), demoHub, p.Alarms[0].ID, "called the lawyer"); err != nil {
		t.Fatalf("Ack: %v", err)
	}
	p = mustInbox(t, b, Filter{})
	if len(p.Alarms) != 1 || p.Alarms[0].Open {
		t.Fatalf("after Ack, alarms = %+v", p.Alarms)
	}
	syncAll(t, b)
	cl := f.responder(t)
	list, err := cl.Alarms(context.Background())
	if err != nil || len(list) != 1 || list[0].State != wire.AlarmAcknowledged || len(list[0].Note) == 0 {
		t.Fatalf("the hub's alarms: %+v, %v", list, err)
	}
	note, err := age.Decrypt(bytes.NewReader(list[0].Note), f.id)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(note); string(got) != "called the lawyer" {
		t.Fatalf("note = %q", got)
	}
	if err := b.Ack(context.Background(), demoHub, "aaaaaaaaaaaaaaaaaaaaaaaaaa", ""); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Ack of an unknown alarm: %v", err)
	}
}

// TestActionDuringLongSync: an action does not wait for a sync in
// progress (a first sync over Tor takes minutes).
func TestActionDuringLongSync(t *testing.T) {
	f := newFixture(t)
	id, _ := f.submit(t, bundle.KindReport, &bundle.Report{Category: "other", Narrative: "first"}, nil, true)
	b := f.open(t)
	syncAll(t, b)
	f.srv.Fill(t, 600, testDay)
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	hold := func(int64) {
		once.Do(func() {
			close(held)
			<-release
		})
	}
	f.tr.on.Store(&hold)
	synced := make(chan error, 1)
	go func() { synced <- b.syncHub(context.Background(), b.hubs[0], false) }()
	<-held // the sync is in the middle of a download
	done := make(chan error, 1)
	go func() { done <- b.SetStatus(context.Background(), demoHub, id, wire.StatusClosed) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("SetStatus during a sync: %v", err)
		}
	case <-time.After(20 * time.Second):
		close(release)
		t.Fatal("SetStatus waited for the sync")
	}
	close(release)
	if err := <-synced; err != nil {
		t.Fatal(err)
	}
	if c, _ := b.Case(demoHub, id); c.Status != wire.StatusClosed {
		t.Fatalf("status = %q", c.Status)
	}
}
