package notify

import (
	"mime"
	"testing"

	"difesa.org/difesa/internal/wire"
)

func TestNtfy(t *testing.T) {
	t.Parallel()
	r := newReceiver(t)
	c := newClock()
	s := newTestStore(t, c)
	ch := ChannelConfig{Name: "phones", Type: TypeNtfy, Server: r.URL, Topic: "difesa-it-x7q", Token: "tk_testtoken", Language: "pl"}
	w := newTestWorker(t, s, c, ch)
	alert := submit(t, s, testHub, wire.EventAlertReceived, true)
	step(t, w)
	var subs []string
	for range 3 {
		subs = append(subs, submit(t, s, testHub, wire.EventReportReceived, false))
	}
	step(t, w)
	c.Advance(DefaultBatchWindow)
	step(t, w)

	reqs := r.requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2", len(reqs))
	}
	dec := new(mime.WordDecoder)
	for i, tc := range []struct {
		title, priority, tags, body string
	}{
		{"PILNE: w hubie it pojawił się alarm", "5", "rotating_light", "Otwórz hub, aby przeczytać: " + hubURL},
		{"3 nowe zgłoszenia w hubie it", "3", "incoming_envelope", "Otwórz hub, aby przeczytać: " + hubURL},
	} {
		got := reqs[i]
		if got.Method != "POST" || got.Path != "/difesa-it-x7q" {
			t.Errorf("request %s %s, want POST /difesa-it-x7q", got.Method, got.Path)
		}
		title, err := dec.DecodeHeader(got.Header.Get("Title"))
		if err != nil || title != tc.title {
			t.Errorf("Title %q (%q), want %q", got.Header.Get("Title"), title, tc.title)
		}
		for _, h := range got.Header.Values("Title") {
			for _, b := range []byte(h) {
				if b >= 0x80 {
					t.Errorf("Title header is not ASCII: %q", h)
				}
			}
		}
		if p := got.Header.Get("Priority"); p != tc.priority {
			t.Errorf("Priority %q, want %q", p, tc.priority)
		}
		if g := got.Header.Get("Tags"); g != tc.tags {
			t.Errorf("Tags %q, want %q", g, tc.tags)
		}
		if a := got.Header.Get("Authorization"); a != "Bearer tk_testtoken" {
			t.Errorf("Authorization %q", a)
		}
		if cl := got.Header.Get("Click"); cl != hubURL {
			t.Errorf("Click %q", cl)
		}
		if body := string(got.Body); len(body) < len(tc.body) || body[:len(tc.body)] != tc.body {
			t.Errorf("body %q, want it to start with %q", body, tc.body)
		}
		assertContentFree(t, "ntfy", dumpRequest(got), append(subs, alert)...)
	}
}

func TestNtfyWithoutToken(t *testing.T) {
	t.Parallel()
	r := newReceiver(t)
	res := TestChannels(t.Context(), testHub, Hub{URL: hubURL, Channels: []ChannelConfig{
		{Name: "open", Type: TypeNtfy, Server: r.URL + "/ntfy/", Topic: "t0pic"},
	}}, "")
	if !res[0].OK() {
		t.Fatal(res[0].Problem)
	}
	got := r.requests()[0]
	if got.Path != "/ntfy/t0pic" || got.Header.Get("Authorization") != "" || got.Header.Get("Title") != "Test notification from hub it" {
		t.Errorf("request %s, headers %v", got.Path, got.Header)
	}
}
