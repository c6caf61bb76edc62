package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/manifest"
	"difesa.org/difesa/internal/testserver"
	"difesa.org/difesa/internal/wire"
)

// next signs the manifest following cur after edit.
func next(t *testing.T, sk *manifest.SecretKey, cur *manifest.Signed, edit func(*manifest.Manifest) error) *manifest.Signed {
	t.Helper()
	b, err := manifest.Next(cur, "2026-11-24", edit)
	if err != nil {
		t.Fatal(err)
	}
	s, err := manifest.Sign(sk, b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func publish(t *testing.T, api string, s *manifest.Signed) response {
	t.Helper()
	return do(t, "POST", api+"/manifests", "application/json", "", bytes.NewReader(s.Marshal()))
}

// TestManifestRotation walks a hub through a key change over the API: the
// leaver loses access at once, submissions follow the new epoch, old-epoch
// uploads are refused after the grace period, and rekey swaps ciphertext.
func TestManifestRotation(t *testing.T) {
	t.Parallel()
	stay, _ := age.GenerateHybridIdentity()
	leave, _ := age.GenerateHybridIdentity()
	join, _ := age.GenerateHybridIdentity()
	th := testserver.NewHub(t, "it", stay.Recipient().String(), leave.Recipient().String())
	th.Config.EpochGrace = config.Duration(time.Nanosecond) // no grace: stale at once
	cfg := config.Default()
	cfg.Hubs = []config.Hub{th.Config}
	srv := testserver.NewWithConfig(t, cfg)
	api := srv.URL + "/api/v1/hubs/it"

	var info wire.HubInfo
	json.Unmarshal(do(t, "GET", api, "", "", nil).body, &info)
	if info.Epoch != 1 || info.AdminKey != th.AdminKey.Public().String() || info.AdminFingerprint != th.AdminKey.Public().Fingerprint() {
		t.Fatalf("hub info: %+v", info)
	}
	if r := do(t, "GET", srv.URL+"/hubs/it/manifest.json", "", "", nil); !bytes.Equal(r.body, th.Signed.Marshal()) {
		t.Fatalf("manifest.json is not the published bytes: %s", r.body)
	}

	old := encrypt(t, []byte("report at epoch 1"), false, stay.Recipient(), leave.Recipient())
	r := do(t, "POST", api+"/submissions?epoch=1", wire.MediaTypeAge, "", bytes.NewReader(old))
	if r.status != 201 {
		t.Fatalf("epoch 1 submission: %d %s", r.status, r.body)
	}
	var created wire.SubmissionCreated
	json.Unmarshal(r.body, &created)
	leaverToken := login(t, api, leave)

	e2 := next(t, th.AdminKey, th.Signed, manifest.Edits(
		manifest.RemoveRecipient(leave.Recipient().String()),
		manifest.AddRecipient(join.Recipient().String(), manifest.RoleResponder, "Newcomer"),
	))
	if r := publish(t, api, e2); r.status != 201 {
		t.Fatalf("publish epoch 2: %d %s", r.status, r.body)
	}

	// The leaver's live token died, and they cannot log in again.
	if r := do(t, "GET", api+"/submissions", "", leaverToken, nil); r.status != 401 {
		t.Fatalf("leaver's token after epoch 2: %d", r.status)
	}
	if r := postJSON(t, api+"/auth/challenge", "", wire.ChallengeRequest{Recipient: leave.Recipient().String()}); r.status != 422 {
		t.Fatalf("leaver's challenge: %d", r.status)
	}

	// recipients.txt and the policy follow epoch 2.
	rf := do(t, "GET", srv.URL+"/hubs/it/recipients.txt", "", "", nil)
	recips, _ := age.ParseRecipients(bytes.NewReader(rf.body))
	if len(recips) != 2 || bytes.Contains(rf.body, []byte(leave.Recipient().String())) || !bytes.Contains(rf.body, []byte("# epoch 2")) {
		t.Fatalf("recipients.txt after epoch 2:\n%s", rf.body)
	}
	if r := do(t, "POST", api+"/submissions?epoch=1", wire.MediaTypeAge, "", bytes.NewReader(old)); r.status != 409 || r.code() != wire.CodeStaleEpoch {
		t.Fatalf("stale epoch: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", api+"/submissions?epoch=7", wire.MediaTypeAge, "", bytes.NewReader(old)); r.status != 409 || r.code() != wire.CodeUnknownEpoch {
		t.Fatalf("unknown epoch: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", api+"/submissions?epoch=x", wire.MediaTypeAge, "", bytes.NewReader(old)); r.status != 400 {
		t.Fatalf("malformed epoch: %d %s", r.status, r.body)
	}
	fresh := encrypt(t, []byte("report at epoch 2"), false, stay.Recipient(), join.Recipient())
	if r := do(t, "POST", api+"/submissions?epoch=2", wire.MediaTypeAge, "", bytes.NewReader(fresh)); r.status != 201 {
		t.Fatalf("epoch 2 submission: %d %s", r.status, r.body)
	}

	// Rekey: the remaining responder re-encrypts the old report.
	token := login(t, api, stay)
	var counts wire.EpochCounts
	json.Unmarshal(do(t, "GET", api+"/epochs", "", token, nil).body, &counts)
	if counts.Current != 2 || counts.Submissions["1"] != 1 || counts.Submissions["2"] != 1 {
		t.Fatalf("epochs: %+v", counts)
	}
	dl := do(t, "GET", api+"/submissions/"+created.ID, "", token, nil)
	pt, err := age.Decrypt(bytes.NewReader(dl.body), stay)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(pt)
	rekeyed := encrypt(t, plain, false, stay.Recipient(), join.Recipient())
	cipherURL := api + "/submissions/" + created.ID + "/ciphertext"
	for _, tt := range []struct {
		name, url string
		body      []byte
		status    int
		code      string
	}{
		{"to the old epoch", cipherURL + "?epoch=1", old, 409, wire.CodeStaleEpoch},
		{"wrong recipients", cipherURL + "?epoch=2", encrypt(t, plain, false, leave.Recipient()), 422, wire.CodeRecipientMismatch},
		{"not age", cipherURL + "?epoch=2", []byte("plaintext"), 400, wire.CodeBadAgeHeader},
		{"unknown submission", api + "/submissions/aaaaaaaaaaaaaaaaaaaaaaaaaa/ciphertext?epoch=2", rekeyed, 404, wire.CodeNotFound},
	} {
		if r := do(t, "PUT", tt.url, wire.MediaTypeAge, token, bytes.NewReader(tt.body)); r.status != tt.status || r.code() != tt.code {
			t.Errorf("rekey %s: %d %s", tt.name, r.status, r.body)
		}
	}
	// Nothing changed so far: the leaver's key still opens the old ciphertext.
	if dl2 := do(t, "GET", api+"/submissions/"+created.ID, "", token, nil); !bytes.Equal(dl2.body, old) {
		t.Fatal("a refused rekey changed the ciphertext")
	}
	if r := do(t, "PUT", cipherURL+"?epoch=2", wire.MediaTypeAge, token, bytes.NewReader(rekeyed)); r.status != 200 {
		t.Fatalf("rekey: %d %s", r.status, r.body)
	}
	if r := do(t, "PUT", cipherURL+"?epoch=2", wire.MediaTypeAge, token, bytes.NewReader(rekeyed)); r.status != 409 || r.code() != wire.CodeAlreadyCurrent {
		t.Fatalf("second rekey: %d %s", r.status, r.body)
	}
	dl = do(t, "GET", api+"/submissions/"+created.ID, "", token, nil)
	if _, err := age.Decrypt(bytes.NewReader(dl.body), leave); err == nil {
		t.Fatal("the leaver's identity still decrypts the rekeyed report")
	}
	if pt, err := age.Decrypt(bytes.NewReader(dl.body), join); err != nil {
		t.Fatalf("the newcomer cannot open the old report: %v", err)
	} else if b, _ := io.ReadAll(pt); string(b) != "report at epoch 1" {
		t.Fatalf("rekeyed plaintext: %q", b)
	}
	counts = wire.EpochCounts{}
	json.Unmarshal(do(t, "GET", api+"/epochs", "", token, nil).body, &counts)
	if counts.Submissions["1"] != 0 || counts.Submissions["2"] != 2 {
		t.Fatalf("epochs after rekey: %+v\n%s", counts, do(t, "GET", api+"/submissions", "", token, nil).body)
	}
	var audit wire.AuditLog
	json.Unmarshal(do(t, "GET", api+"/audit", "", token, nil).body, &audit)
	var events []string
	for _, ev := range audit.Events {
		events = append(events, ev.Event)
		if ev.Time[14:] != "00:00Z" {
			t.Errorf("audit time is not the hour: %s", ev.Time)
		}
	}
	if len(events) != 3 || events[0] != wire.EventManifestPublished || events[1] != wire.EventManifestPublished || events[2] != wire.EventSubmissionRekeyed {
		t.Fatalf("audit: %v", events)
	}
	var list wire.ManifestList
	json.Unmarshal(do(t, "GET", api+"/manifests", "", "", nil).body, &list)
	if list.Current != 2 || len(list.Manifests) != 2 || list.Manifests[1].Hash != manifest.Hash(e2.Manifest) {
		t.Fatalf("manifest list: %+v", list)
	}
	if r := do(t, "GET", srv.URL+"/hubs/it/manifests/1.json", "", "", nil); !bytes.Equal(r.body, th.Signed.Marshal()) {
		t.Fatal("history lost epoch 1")
	}
	if err := srv.Instance.Store.Verify(); err != nil {
		t.Fatal(err)
	}
}

// TestManifestAttacks sends every kind of bad manifest: each is refused
// with its code and the hub stays where it was.
func TestManifestAttacks(t *testing.T) {
	t.Parallel()
	a, _ := age.GenerateHybridIdentity()
	b, _ := age.GenerateHybridIdentity()
	intruder, _ := age.GenerateHybridIdentity()
	th := testserver.NewHub(t, "it", a.Recipient().String())
	other := testserver.NewHub(t, "fr", b.Recipient().String())
	cfg := config.Default()
	cfg.Hubs = []config.Hub{th.Config, other.Config}
	srv := testserver.NewWithConfig(t, cfg)
	api := srv.URL + "/api/v1/hubs/it"

	addIntruder := manifest.AddRecipient(intruder.Recipient().String(), manifest.RoleResponder, "totally legit")
	e2 := next(t, th.AdminKey, th.Signed, manifest.AddRecipient(b.Recipient().String(), manifest.RoleResponder, "B"))
	if r := publish(t, api, e2); r.status != 201 {
		t.Fatalf("genuine epoch 2: %d %s", r.status, r.body)
	}
	forger, _ := manifest.GenerateKey()
	e3 := next(t, th.AdminKey, e2, addIntruder)
	e3gap := next(t, th.AdminKey, e3, manifest.SetLabel(a.Recipient().String(), "A")) // epoch 4 on top of an unpublished 3
	brokenBytes, _ := manifest.Next(th.Signed, "2026-11-25", addIntruder)
	brokenBytes = bytes.Replace(brokenBytes, []byte("epoch: 2"), []byte("epoch: 3"), 1)
	broken, _ := manifest.Sign(th.AdminKey, brokenBytes) // epoch 3 whose previous is epoch 1
	garbled := bytes.Replace(e3.Marshal(), []byte(`"manifest"`), []byte(`"manifesto"`), 1)

	for _, tt := range []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"signed by another key", next(t, forger, e2, addIntruder).Marshal(), 422, wire.CodeBadSignature},
		{"another hub's admin key", next(t, other.AdminKey, e2, addIntruder).Marshal(), 422, wire.CodeBadSignature},
		{"epoch rollback", th.Signed.Marshal(), 409, wire.CodeEpochNotNext},
		{"replay of the current manifest", e2.Marshal(), 409, wire.CodeEpochNotNext},
		{"epoch gap", e3gap.Marshal(), 409, wire.CodeEpochNotNext},
		{"broken chain", broken.Marshal(), 409, wire.CodeBrokenChain},
		{"another hub's manifest", next(t, other.AdminKey, other.Signed, addIntruder).Marshal(), 422, wire.CodeBadSignature},
		{"garbled transport", garbled, 400, wire.CodeBadManifest},
		{"not json", []byte("difesa-manifest/v1\nhub: it\n"), 400, wire.CodeBadManifest},
		{"empty", nil, 400, wire.CodeBadManifest},
		{"oversized", bytes.Repeat([]byte("a"), manifest.MaxSignedSize+1), 413, wire.CodeTooLarge},
	} {
		r := do(t, "POST", api+"/manifests", "application/json", "", bytes.NewReader(tt.body))
		if r.status != tt.status || r.code() != tt.code {
			t.Errorf("%s: got %d %s, want %d %s", tt.name, r.status, r.body, tt.status, tt.code)
		}
	}
	if r := do(t, "POST", api+"/manifests", "text/xml", "", bytes.NewReader(e3.Marshal())); r.status != 415 {
		t.Errorf("xml content type: %d", r.status)
	}
	// Another hub's own manifest, signed by its own key, at this hub.
	if r := publish(t, srv.URL+"/api/v1/hubs/fr", next(t, th.AdminKey, e2, addIntruder)); r.status != 422 {
		t.Errorf("hub it's manifest at hub fr: %d %s", r.status, r.body)
	}
	var info wire.HubInfo
	json.Unmarshal(do(t, "GET", api, "", "", nil).body, &info)
	if info.Epoch != 2 || len(info.Recipients) != 2 {
		t.Fatalf("the hub moved: %+v", info)
	}
	if r := do(t, "GET", srv.URL+"/hubs/it/recipients.txt", "", "", nil); bytes.Contains(r.body, []byte(intruder.Recipient().String())) {
		t.Fatal("the intruder's key is in recipients.txt")
	}
	// Bad epoch paths.
	for _, p := range []string{"/hubs/it/manifests/3.json", "/hubs/it/manifests/x.json", "/hubs/it/manifests/1", "/hubs/it/manifests/-1.json"} {
		if r := do(t, "GET", srv.URL+p, "", "", nil); r.status != 404 {
			t.Errorf("GET %s: %d", p, r.status)
		}
	}
	// The chain survives a restart and a responder of hub fr cannot touch it.
	tokenB := login(t, srv.URL+"/api/v1/hubs/fr", b)
	if r := do(t, "GET", api+"/epochs", "", tokenB, nil); r.status != 403 {
		t.Errorf("hub fr's token on hub it: %d", r.status)
	}
}
