package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/hub"
	"difesa.org/difesa/internal/store"
	"difesa.org/difesa/internal/testutil/instants"
)

// start is an arbitrary instant; tests that depend on the time of day run
// at every instant of [instants.All].
var start = time.Date(2026, 11, 23, 14, 5, 7, 0, time.UTC)

type fixture struct {
	svc   *Service
	h     *hub.Hub
	id    *age.HybridIdentity
	clock *instants.Clock
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureAt(t, start)
}

func newFixtureAt(t *testing.T, at time.Time) *fixture {
	t.Helper()
	clock := instants.NewClock(at)
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	id := newIdentity(t)
	h := newHub(t, "h", id)
	svc, err := New(st, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, h: h, id: id, clock: clock}
}

func newIdentity(t *testing.T) *age.HybridIdentity {
	t.Helper()
	id, err := age.GenerateHybridIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newHub(t *testing.T, name string, ids ...*age.HybridIdentity) *hub.Hub {
	t.Helper()
	var rs []string
	for _, id := range ids {
		rs = append(rs, id.Recipient().String())
	}
	h, err := hub.New(name, "", rs, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// withEpoch returns h with a new manifest listing ids only.
func withEpoch(t *testing.T, h *hub.Hub, ids ...*age.HybridIdentity) *hub.Hub {
	t.Helper()
	var rs []string
	for _, id := range ids {
		rs = append(rs, id.Recipient().String())
	}
	set, err := hub.NewRecipientSet(h.Epoch()+1, rs)
	if err != nil {
		t.Fatal(err)
	}
	set.Signed = []byte("{}")
	nh, err := h.WithEpoch(set)
	if err != nil {
		t.Fatal(err)
	}
	return nh
}

func answer(t *testing.T, id age.Identity, ciphertext string) string {
	t.Helper()
	r, err := age.Decrypt(armor.NewReader(strings.NewReader(ciphertext)), id)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (f *fixture) answer(t *testing.T, ciphertext string) string {
	t.Helper()
	return answer(t, f.id, ciphertext)
}

// login logs id in at h and returns the token.
func login(t *testing.T, svc *Service, h *hub.Hub, id *age.HybridIdentity) string {
	t.Helper()
	cid, ct, err := svc.Challenge(h, id.Recipient().String())
	if err != nil {
		t.Fatalf("challenge at %s: %v", h.ID, err)
	}
	token, _, err := svc.Redeem(h, cid, answer(t, id, ct))
	if err != nil {
		t.Fatalf("redeem at %s: %v", h.ID, err)
	}
	return token
}

func isDone(s Session) bool {
	select {
	case <-s.Done():
		return true
	default:
		return false
	}
}

func TestLoginFlow(t *testing.T) {
	f := newFixture(t)
	cid, ct, err := f.svc.Challenge(f.h, f.id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	resp := f.answer(t, ct)
	token, ttl, err := f.svc.Redeem(f.h, cid, resp)
	if err != nil || ttl != TokenTTL {
		t.Fatal(ttl, err)
	}
	if _, _, err := f.svc.Redeem(f.h, cid, resp); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("second redemption: %v", err)
	}
	sess, err := f.svc.Authenticate(f.h, token)
	if err != nil || sess.Recipient != f.id.Recipient().String() || sess.Hub != "h" || !sess.Expires.Equal(start.Add(TokenTTL)) {
		t.Fatalf("authenticate: %+v %v", sess, err)
	}
	other := newHub(t, "other", f.id)
	if _, err := f.svc.Authenticate(other, token); !errors.Is(err, ErrForbidden) {
		t.Fatalf("another hub: %v", err)
	}
	// token+"!" decodes to the right secret, then fails.
	for _, bad := range []string{"", "x", strings.Repeat("A", 43), "!!!!", token + "A", token + "!", token[:42]} {
		if _, err := f.svc.Authenticate(f.h, bad); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	if _, _, err := f.svc.Challenge(f.h, newIdentity(t).Recipient().String()); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("unknown recipient: %v", err)
	}
}

// TestExpiry runs at every named instant: a challenge works until just
// before ChallengeTTL and a token until just before TokenTTL, and neither
// at the exact moment.
func TestExpiry(t *testing.T) {
	for _, in := range instants.All(t) {
		t.Run(in.Name, func(t *testing.T) {
			f := newFixtureAt(t, in.T)
			r := f.id.Recipient().String()
			cid, ct, _ := f.svc.Challenge(f.h, r)
			f.clock.Advance(ChallengeTTL - time.Nanosecond)
			token, _, err := f.svc.Redeem(f.h, cid, f.answer(t, ct))
			if err != nil {
				t.Fatalf("challenge just before expiry: %v", err)
			}
			cid, ct, _ = f.svc.Challenge(f.h, r)
			f.clock.Advance(ChallengeTTL)
			if _, _, err := f.svc.Redeem(f.h, cid, f.answer(t, ct)); !errors.Is(err, ErrBadChallenge) {
				t.Fatalf("expired challenge: %v", err)
			}
			// The token was issued ChallengeTTL-1ns after in.T.
			issued := in.T.Add(ChallengeTTL - time.Nanosecond)
			f.clock.Set(issued.Add(TokenTTL - time.Nanosecond))
			if _, err := f.svc.Authenticate(f.h, token); err != nil {
				t.Fatalf("token just before expiry: %v", err)
			}
			f.clock.Set(issued.Add(TokenTTL))
			if _, err := f.svc.Authenticate(f.h, token); !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("expired token: %v", err)
			}
			// Seen expired, the session ends then and there.
			if len(f.svc.sessions) != 0 {
				t.Fatal("an expired session stays in memory after use")
			}
		})
	}
}

// TestWrongAnswerBurnsChallenge: after one wrong answer, the right one
// fails too, so a challenge gives a single guess.
func TestWrongAnswerBurnsChallenge(t *testing.T) {
	f := newFixture(t)
	cid, ct, err := f.svc.Challenge(f.h, f.id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	right := f.answer(t, ct)
	wrong := base64.RawURLEncoding.EncodeToString(make([]byte, secretSize))
	if _, _, err := f.svc.Redeem(f.h, cid, wrong); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("wrong answer: %v", err)
	}
	if tok, _, err := f.svc.Redeem(f.h, cid, right); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("right answer after a wrong one: token %q, %v", tok, err)
	}
	// Malformed answers burn it too.
	// right+"!" decodes to the right secret, then fails.
	for _, bad := range []string{"", "!!!", "AAAA", right + "AA", right + "!", right[:42]} {
		cid, ct, _ := f.svc.Challenge(f.h, f.id.Recipient().String())
		if _, _, err := f.svc.Redeem(f.h, cid, bad); !errors.Is(err, ErrBadChallenge) {
			t.Fatalf("answer %q: %v", bad, err)
		}
		if _, _, err := f.svc.Redeem(f.h, cid, f.answer(t, ct)); !errors.Is(err, ErrBadChallenge) {
			t.Fatalf("right answer after %q: %v", bad, err)
		}
	}
}

// TestChallengeBoundToHub: the right answer to a challenge of hub 1 does
// not log in at hub 2, though the same key is a recipient of both.
func TestChallengeBoundToHub(t *testing.T) {
	f := newFixture(t)
	h2 := newHub(t, "h2", f.id)
	cid, ct, err := f.svc.Challenge(f.h, f.id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	if tok, _, err := f.svc.Redeem(h2, cid, f.answer(t, ct)); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("hub 1's challenge redeemed at hub 2: token %q, %v", tok, err)
	}
	// And each hub's own challenge still works at that hub.
	login(t, f.svc, f.h, f.id)
	login(t, f.svc, h2, f.id)
}

func TestRemovedRecipientLosesAccess(t *testing.T) {
	f := newFixture(t)
	stays := newIdentity(t)
	h := newHub(t, "h", f.id, stays)
	token := login(t, f.svc, h, f.id)
	kept := login(t, f.svc, h, stays)
	cid, ct, _ := f.svc.Challenge(h, f.id.Recipient().String())
	sess, _ := f.svc.Authenticate(h, token)
	keptSess, _ := f.svc.Authenticate(h, kept)

	h2 := withEpoch(t, h, stays, newIdentity(t))
	// Refused even before the sessions are ended.
	if _, err := f.svc.Authenticate(h2, token); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("removed recipient's token: %v", err)
	}
	if n := f.svc.EndRemoved(h2); n != 1 {
		t.Fatalf("EndRemoved ended %d sessions, want 1", n)
	}
	if !isDone(sess) {
		t.Fatal("the removed recipient's session is not done")
	}
	if isDone(keptSess) {
		t.Fatal("a kept recipient's session ended")
	}
	if _, err := f.svc.Authenticate(h2, kept); err != nil {
		t.Fatalf("kept recipient: %v", err)
	}
	// Even back in a later manifest, the old token and challenge are gone.
	h3 := withEpoch(t, h2, f.id, stays)
	if _, err := f.svc.Authenticate(h3, token); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("token after re-adding: %v", err)
	}
	if _, _, err := f.svc.Redeem(h3, cid, f.answer(t, ct)); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("challenge after re-adding: %v", err)
	}
	if _, _, err := f.svc.Challenge(h2, f.id.Recipient().String()); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("removed recipient's challenge: %v", err)
	}
	// A challenge issued before the removal is refused at redemption.
	cid, ct, _ = f.svc.Challenge(h3, f.id.Recipient().String())
	if _, _, err := f.svc.Redeem(withEpoch(t, h3, stays), cid, f.answer(t, ct)); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("challenge redeemed after removal: %v", err)
	}
}

// TestEndRemovedIsPerHub: a manifest of one hub ends nothing at another.
func TestEndRemovedIsPerHub(t *testing.T) {
	f := newFixture(t)
	other := newHub(t, "other", f.id)
	token := login(t, f.svc, other, f.id)
	if n := f.svc.EndRemoved(withEpoch(t, f.h, newIdentity(t))); n != 0 {
		t.Fatalf("ended %d sessions of another hub", n)
	}
	if _, err := f.svc.Authenticate(other, token); err != nil {
		t.Fatal(err)
	}
}

func TestLogout(t *testing.T) {
	f := newFixture(t)
	token := login(t, f.svc, f.h, f.id)
	other := login(t, f.svc, f.h, f.id)
	sess, _ := f.svc.Authenticate(f.h, token)
	if err := f.svc.Logout(token); err != nil {
		t.Fatal(err)
	}
	if !isDone(sess) {
		t.Fatal("session not done after logout")
	}
	if _, err := f.svc.Authenticate(f.h, token); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("token after logout: %v", err)
	}
	if err := f.svc.Logout(token); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("second logout: %v", err)
	}
	if err := f.svc.Logout("!!"); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("malformed logout: %v", err)
	}
	if _, err := f.svc.Authenticate(f.h, other); err != nil {
		t.Fatalf("the other session: %v", err)
	}
}

// TestPruneEndsExpiredSessions: with the clock past a token's expiry,
// Prune ends its session (its stream learns it from Done) and forgets
// expired challenges; before that moment it ends nothing.
func TestPruneEndsExpiredSessions(t *testing.T) {
	f := newFixture(t)
	token := login(t, f.svc, f.h, f.id)
	sess, _ := f.svc.Authenticate(f.h, token)
	// A challenge at a hub nobody asks at again: only Prune can drop it.
	if _, _, err := f.svc.Challenge(newHub(t, "quiet", f.id), f.id.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(ChallengeTTL)
	later := login(t, f.svc, f.h, f.id)
	if len(f.svc.challenges) != 1 {
		t.Fatalf("%d challenges before Prune, want the quiet hub's", len(f.svc.challenges))
	}
	if n := f.svc.Prune(); n != 0 {
		t.Fatalf("pruned %d live sessions", n)
	}
	if len(f.svc.challenges) != 0 || len(f.svc.open) != 0 {
		t.Fatalf("%d expired challenges kept", len(f.svc.challenges))
	}
	f.clock.Set(start.Add(TokenTTL - time.Nanosecond))
	if n := f.svc.Prune(); n != 0 || isDone(sess) {
		t.Fatalf("pruned %d sessions before expiry", n)
	}
	f.clock.Set(start.Add(TokenTTL))
	if n := f.svc.Prune(); n != 1 || !isDone(sess) {
		t.Fatalf("pruned %d sessions at expiry, done %v", n, isDone(sess))
	}
	if _, err := f.svc.Authenticate(f.h, later); err != nil {
		t.Fatalf("a later session: %v", err)
	}
	if len(f.svc.sessions) != 1 {
		t.Fatalf("%d sessions in memory", len(f.svc.sessions))
	}
}

// TestRunPrunes: Run ends a session soon after the clock passes its
// expiry, and returns when its context ends.
func TestRunPrunes(t *testing.T) {
	f := newFixture(t)
	f.svc.pruneEvery = time.Millisecond
	sess, _ := f.svc.Authenticate(f.h, login(t, f.svc, f.h, f.id))
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { defer close(stopped); f.svc.Run(ctx) }()
	f.clock.Advance(TokenTTL)
	select {
	case <-sess.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end the expired session")
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
}

// TestChallengeFlood: a flood of challenges for key A of hub 1 (more than
// the old global cap) still lets key B of hub 1 and a key of hub 2 log in,
// and the flooder's newest challenge works while its oldest is gone.
func TestChallengeFlood(t *testing.T) {
	f := newFixture(t)
	a, b, c := f.id, newIdentity(t), newIdentity(t)
	h1 := newHub(t, "h1", a, b)
	h2 := newHub(t, "h2", a, c)
	firstID, firstCT, err := f.svc.Challenge(h1, a.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	var lastID, lastCT string
	for range 1100 {
		if id, ct, err := f.svc.Challenge(h1, a.Recipient().String()); err == nil {
			lastID, lastCT = id, ct
		}
	}
	if got := len(f.svc.challenges); got > MaxChallengesPerRecipient {
		t.Errorf("%d challenges open for one key", got)
	}
	login(t, f.svc, h1, b)
	login(t, f.svc, h2, c)
	login(t, f.svc, h2, a)
	if _, _, err := f.svc.Redeem(h1, lastID, answer(t, a, lastCT)); err != nil {
		t.Fatalf("the flooder's newest challenge: %v", err)
	}
	if _, _, err := f.svc.Redeem(h1, firstID, answer(t, a, firstCT)); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("the flooder's oldest challenge: %v", err)
	}
}

// TestChallengePerRecipientCap: the cap's newest challenges all work, the
// one beyond it replaced exactly the oldest.
func TestChallengePerRecipientCap(t *testing.T) {
	f := newFixture(t)
	r := f.id.Recipient().String()
	ids, cts := make([]string, MaxChallengesPerRecipient+1), make([]string, MaxChallengesPerRecipient+1)
	for i := range ids {
		ids[i], cts[i], _ = f.svc.Challenge(f.h, r)
		f.clock.Advance(time.Second)
	}
	if _, _, err := f.svc.Redeem(f.h, ids[0], f.answer(t, cts[0])); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("the replaced challenge: %v", err)
	}
	for i := 1; i < len(ids); i++ {
		if _, _, err := f.svc.Redeem(f.h, ids[i], f.answer(t, cts[i])); err != nil {
			t.Fatalf("challenge %d: %v", i, err)
		}
	}
	if len(f.svc.challenges) != 0 || len(f.svc.open) != 0 {
		t.Fatalf("left in memory: %d challenges, %d hubs", len(f.svc.challenges), len(f.svc.open))
	}
}

// TestChallengePerHubCap: when a hub is at its cap, a new challenge
// replaces the oldest of the busiest recipient, never a quieter one's.
func TestChallengePerHubCap(t *testing.T) {
	f := newFixture(t)
	f.svc.perHub = 6
	a, b, c := f.id, newIdentity(t), newIdentity(t)
	h := newHub(t, "h1", a, b, c)
	type open struct{ id, ct string }
	ask := func(id *age.HybridIdentity) open {
		cid, ct, err := f.svc.Challenge(h, id.Recipient().String())
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		return open{cid, ct}
	}
	b1 := ask(b)
	var fromA []open
	for range MaxChallengesPerRecipient {
		fromA = append(fromA, ask(a))
	}
	b2 := ask(b) // the hub is full: 4 of A, 2 of B
	c1 := ask(c) // replaces A's oldest, not B's (older) first
	if got := len(f.svc.challenges); got != 6 {
		t.Fatalf("%d challenges open, want the cap, 6", got)
	}
	redeem := func(who *age.HybridIdentity, o open) error {
		_, _, err := f.svc.Redeem(h, o.id, answer(t, who, o.ct))
		return err
	}
	if err := redeem(a, fromA[0]); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("A's oldest: %v", err)
	}
	for i, o := range []open{b1, b2, c1, fromA[1], fromA[2], fromA[3]} {
		who := []*age.HybridIdentity{b, b, c, a, a, a}[i]
		if err := redeem(who, o); err != nil {
			t.Fatalf("challenge %d: %v", i, err)
		}
	}
	// Another hub is not counted against this one.
	other := newHub(t, "h2", a)
	for range 3 {
		ask(a)
		ask(b)
		ask(c)
	}
	login(t, f.svc, other, a)
}

// TestChallengePerHubCapTies: among recipients with as many challenges
// open, a full hub replaces the challenge that is oldest, round after
// round.
func TestChallengePerHubCapTies(t *testing.T) {
	f := newFixture(t)
	const n = 8
	f.svc.perHub = n
	var ids []*age.HybridIdentity
	for range n {
		ids = append(ids, newIdentity(t))
	}
	h := newHub(t, "h1", ids...)
	type open struct{ id, ct string }
	ask := func(who *age.HybridIdentity) open {
		cid, ct, err := f.svc.Challenge(h, who.Recipient().String())
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		return open{cid, ct}
	}
	var opened []open // opened[i] belongs to ids[i%n]
	for i := range n {
		opened = append(opened, ask(ids[i]))
	}
	// Each recipient in turn asks again: every time, the oldest open
	// challenge (its own previous one) goes.
	for i := range n {
		opened = append(opened, ask(ids[i]))
	}
	for i, o := range opened {
		_, _, err := f.svc.Redeem(h, o.id, answer(t, ids[i%n], o.ct))
		if i < n && !errors.Is(err, ErrBadChallenge) {
			t.Errorf("challenge %d, replaced, still works: %v", i, err)
		}
		if i >= n && err != nil {
			t.Errorf("challenge %d: %v", i, err)
		}
	}
}

// TestChallengePerHubCapBusiest: a full hub replaces the busiest
// recipient's oldest challenge even when quieter recipients hold older
// ones.
func TestChallengePerHubCapBusiest(t *testing.T) {
	f := newFixture(t)
	const quiet = 7
	f.svc.perHub = quiet + 2
	var ids []*age.HybridIdentity
	for range quiet + 2 {
		ids = append(ids, newIdentity(t))
	}
	busy, newcomer := ids[quiet], ids[quiet+1]
	h := newHub(t, "h1", ids...)
	ask := func(who *age.HybridIdentity) (string, string) {
		cid, ct, err := f.svc.Challenge(h, who.Recipient().String())
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		return cid, ct
	}
	var quietIDs, quietCTs []string
	for _, id := range ids[:quiet] {
		cid, ct := ask(id)
		quietIDs, quietCTs = append(quietIDs, cid), append(quietCTs, ct)
	}
	busyOld, busyOldCT := ask(busy)
	busyNew, busyNewCT := ask(busy)
	newID, newCT := ask(newcomer)
	if _, _, err := f.svc.Redeem(h, busyOld, answer(t, busy, busyOldCT)); !errors.Is(err, ErrBadChallenge) {
		t.Fatalf("the busiest recipient's oldest: %v", err)
	}
	for i := range quietIDs {
		if _, _, err := f.svc.Redeem(h, quietIDs[i], answer(t, ids[i], quietCTs[i])); err != nil {
			t.Fatalf("quiet recipient %d: %v", i, err)
		}
	}
	if _, _, err := f.svc.Redeem(h, busyNew, answer(t, busy, busyNewCT)); err != nil {
		t.Fatalf("the busiest recipient's newest: %v", err)
	}
	if _, _, err := f.svc.Redeem(h, newID, answer(t, newcomer, newCT)); err != nil {
		t.Fatalf("the newcomer: %v", err)
	}
}

// TestChallengeRoomEdges: replacing a recipient's oldest challenge makes
// the room needed, so nothing else goes; and expired challenges count for
// nothing when a hub makes room.
func TestChallengeRoomEdges(t *testing.T) {
	f := newFixture(t)
	f.svc.perHub = 6
	a, b, c, d := f.id, newIdentity(t), newIdentity(t), newIdentity(t)
	h := newHub(t, "h1", a, b, c, d)
	type open struct {
		who    *age.HybridIdentity
		id, ct string
	}
	ask := func(who *age.HybridIdentity) open {
		cid, ct, err := f.svc.Challenge(h, who.Recipient().String())
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		return open{who, cid, ct}
	}
	works := func(o open) bool {
		_, _, err := f.svc.Redeem(h, o.id, answer(t, o.who, o.ct))
		return err == nil
	}

	ask(c) // expires before the others are asked for
	f.clock.Advance(ChallengeTTL)
	var fromA []open
	for range MaxChallengesPerRecipient {
		fromA = append(fromA, ask(a))
	}
	fromB := ask(b) // 6 with c's expired one
	fromD := ask(d) // room from c's expired one: nothing live goes
	fromA = append(fromA, ask(a))
	// a replaced its own oldest, and only that.
	if works(fromA[0]) {
		t.Error("a's oldest challenge survived a's fifth")
	}
	for i, o := range append(fromA[1:], fromB, fromD) {
		if !works(o) {
			t.Errorf("challenge %d was replaced", i)
		}
	}
}

// TestSessionsPerRecipient: the login beyond the cap ends the oldest
// session, and only it.
func TestSessionsPerRecipient(t *testing.T) {
	f := newFixture(t)
	var tokens []string
	for range MaxSessionsPerRecipient {
		tokens = append(tokens, login(t, f.svc, f.h, f.id))
	}
	first, _ := f.svc.Authenticate(f.h, tokens[0])
	other := newHub(t, "other", f.id)
	elsewhere := login(t, f.svc, other, f.id) // another hub does not count
	if isDone(first) {
		t.Fatal("a session ended below the cap")
	}
	tokens = append(tokens, login(t, f.svc, f.h, f.id))
	if !isDone(first) {
		t.Fatal("the oldest session survived a login beyond the cap")
	}
	for i, tok := range tokens[1:] {
		if _, err := f.svc.Authenticate(f.h, tok); err != nil {
			t.Fatalf("session %d: %v", i+1, err)
		}
	}
	if _, err := f.svc.Authenticate(other, elsewhere); err != nil {
		t.Fatalf("the other hub's session: %v", err)
	}
}

// TestNewDefaults: with no clock New uses the real one, and with no store
// it needs none.
func TestNewDefaults(t *testing.T) {
	svc, err := New(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := newIdentity(t)
	h := newHub(t, "h", id)
	before := time.Now()
	sess, err := svc.Authenticate(h, login(t, svc, h, id))
	if err != nil {
		t.Fatal(err)
	}
	if sess.Expires.Before(before.Add(TokenTTL)) || sess.Expires.After(time.Now().Add(TokenTTL)) {
		t.Fatalf("expires %v, issued after %v", sess.Expires, before)
	}
}

// TestNewFailsOnAClosedStore: New does not start without forgetting the
// stored sessions.
func TestNewFailsOnAClosedStore(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if svc, err := New(st, nil); err == nil || svc != nil {
		t.Fatalf("New on a closed store: %v, %v", svc, err)
	}
}

// TestNewDropsStoredSessions: sessions an earlier version stored (with the
// recipient and the expiry to the nanosecond) are deleted at start.
func TestNewDropsStoredSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("tokens"))
		if err != nil {
			return err
		}
		return b.Put(make([]byte, 32), []byte(`{"hub":"h","recipient":"age1pq1x","expires":"2026-11-23T14:05:07.123456789Z"}`))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(st, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err = bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.View(func(tx *bolt.Tx) error {
		if tx.Bucket([]byte("tokens")) != nil {
			t.Error("stored sessions are still in the database")
		}
		return nil
	})
}
