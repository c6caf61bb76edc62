package caseedit_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/caseedit"
	"difesa.org/difesa/internal/caserecord"
	"difesa.org/difesa/internal/client"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

const hour = "2026-11-23T10:00:00Z"

// hub is a real server on loopback with one report on the demo hub.
type hub struct {
	srv *testserver.Server
	id  string
	ids []age.Identity
	to  []age.Recipient
}

func newHub(t *testing.T) *hub {
	t.Helper()
	srv := testserver.New(t)
	subs := srv.Fill(t, 1, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC))
	id := testserver.LoadIdentity(t, srv.IdentityFile)
	return &hub{srv: srv, id: subs[0].ID.String(), ids: []age.Identity{id}, to: []age.Recipient{id.Recipient()}}
}

// login returns a client logged in to the demo hub, through rt if set.
func (h *hub) login(t *testing.T, rt http.RoundTripper) *client.Client {
	t.Helper()
	c, err := client.New(h.srv.HubURL, client.Options{Transport: rt})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(context.Background(), h.ids[0]); err != nil {
		t.Fatal(err)
	}
	return c
}

// colleague is a transport that, before each of the first n writes of a
// case record it carries, has a colleague write the same record first
// (through their own client): the write it carries is then stale, a real
// 409 from the real server.
type colleague struct {
	h      *hub
	c      *client.Client
	n      int32
	done   atomic.Int32
	t      *testing.T
	labels []string
}

func (co *colleague) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/case") && co.done.Load() < co.n {
		k := co.done.Add(1)
		_, err := caseedit.Write(r.Context(), co.c, co.h.id, co.h.ids, co.h.to, func(rec *caserecord.Record) error {
			_, err := rec.AddNote("Colleague", hour, "colleague note "+string('a'+rune(k)), "")
			if err == nil && len(co.labels) > 0 {
				err = rec.AddLabel(co.labels[0])
			}
			return err
		})
		if err != nil {
			co.t.Errorf("the colleague's write: %v", err)
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestWrite(t *testing.T) {
	t.Parallel()
	note := func(text string) func(*caserecord.Record) error {
		return func(r *caserecord.Record) error {
			if _, err := r.AddNote("Me", hour, text, ""); err != nil {
				return err
			}
			if err := r.AddLabel("legal"); err != nil {
				return err
			}
			return r.Set(caserecord.FieldAssignee, "Me", "Me", hour)
		}
	}
	for _, tc := range []struct {
		name       string
		conflicts  int32 // colleague writes before ours
		id         string
		apply      func(*caserecord.Record) error
		wantErr    error
		wantWrites int
		wantNotes  int
		wantVer    uint64
	}{
		{name: "first write", apply: note("mine"), wantWrites: 1, wantNotes: 1, wantVer: 1},
		{name: "one stale write merged", conflicts: 1, apply: note("mine"), wantWrites: 2, wantNotes: 2, wantVer: 2},
		{name: "three stale writes merged", conflicts: 3, apply: note("mine"), wantWrites: 4, wantNotes: 4, wantVer: 4},
		{name: "kept changing", conflicts: caseedit.MaxWrites, apply: note("mine"), wantErr: caseedit.ErrKeptChanging, wantVer: caseedit.MaxWrites},
		{name: "apply fails", apply: func(r *caserecord.Record) error { return r.AddLabel(" bad") }, wantErr: caserecord.ErrMalformed},
		{name: "no such submission", id: "aaaaaaaaaaaaaaaaaaaaaaaaaa", apply: note("mine"), wantErr: &wire.Error{Code: wire.CodeNotFound}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHub(t)
			co := &colleague{h: h, c: h.login(t, nil), n: tc.conflicts, t: t}
			c := h.login(t, co)
			id := h.id
			if tc.id != "" {
				id = tc.id
			}
			res, err := caseedit.Write(context.Background(), c, id, h.ids, h.to, tc.apply)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Write: %v, want %v", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if tc.id != "" {
				return
			}
			got, v, err := caseedit.Fetch(context.Background(), c, h.id, h.ids)
			if err != nil {
				t.Fatal(err)
			}
			// The server's version count proves how many writes landed.
			if v != tc.wantVer {
				t.Fatalf("the hub's version is %d, want %d", v, tc.wantVer)
			}
			if tc.wantErr != nil {
				return
			}
			if res.Writes != tc.wantWrites || res.Merged != (tc.conflicts > 0) || res.Version != v {
				t.Fatalf("result %+v, want %d writes, version %d", res, tc.wantWrites, v)
			}
			if len(got.Notes) != tc.wantNotes || got.Assignee != "Me" || len(got.Labels) != 1 {
				t.Fatalf("record after the write: %+v", got)
			}
			mine := 0
			for _, n := range got.Notes {
				if n.Text == "mine" {
					mine++
				}
			}
			if mine != 1 {
				t.Fatalf("my note is there %d times: %+v", mine, got.Notes)
			}
		})
	}
}

// TestWriteHub: a hub record write that a colleague's write made stale
// applies its change again on theirs: both labels are in the set.
func TestWriteHub(t *testing.T) {
	t.Parallel()
	h := newHub(t)
	other := h.login(t, nil)
	var raced atomic.Bool
	rt := roundTripper(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/case-settings") && raced.CompareAndSwap(false, true) {
			if _, _, _, err := caseedit.WriteHub(r.Context(), other, h.ids, h.to, func(x *caserecord.Hub) error {
				x.Labels = append(x.Labels, "theirs")
				return nil
			}); err != nil {
				t.Errorf("the colleague's write: %v", err)
			}
		}
		return http.DefaultTransport.RoundTrip(r)
	})
	c := h.login(t, rt)
	got, v, n, err := caseedit.WriteHub(context.Background(), c, h.ids, h.to, func(x *caserecord.Hub) error {
		x.Labels = append(x.Labels, "mine")
		x.SubStatuses = append(x.SubStatuses, "waiting")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || v != 2 || strings.Join(got.Labels, ",") != "mine,theirs" {
		t.Fatalf("after the write: %d writes, version %d, %+v", n, v, got)
	}
	again, v2, err := caseedit.FetchHub(context.Background(), c, h.ids)
	if err != nil || v2 != 2 || strings.Join(again.Labels, ",") != "mine,theirs" || len(again.SubStatuses) != 1 {
		t.Fatalf("FetchHub: %+v %d %v", again, v2, err)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
