package daemon_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"
	bolt "go.etcd.io/bbolt"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/cli"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/store"
)

// TestMain lets the test binary be difesad: the crash test runs it again
// with DIFESA_TEST_SERVE=1 and kills it; with DIFESA_TEST_CLI=1 it is the
// difesa command line (alarms_process_test.go).
func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	if os.Getenv("DIFESA_TEST_SERVE") == "1" {
		os.Exit(daemon.MainWith(os.Args[1:], os.Stdout, os.Stderr, os.Getenv, childOptions()))
	}
	os.Exit(m.Run())
}

// sent is what the test knows about one upload.
type sent struct {
	sum  [32]byte // SHA-256 of the plaintext
	size int64    // of the age file
}

// crashRig runs difesad in a child process on one data folder.
type crashRig struct {
	t        *testing.T
	exe, dir string
	identity *age.HybridIdentity

	expected map[string]sent // committed and not deleted
	deleted  map[string]bool
}

func (r *crashRig) start() (*bench.Process, *bench.HubClient) {
	r.t.Helper()
	return startChild(r.t, r.exe, r.dir, 16)
}

// startChild runs the test binary as difesad on the demo hub with data in
// dir, and returns it with a client of conns connections. The load these
// tests make is the point, not something to push back on: the server asks
// for no proof of work.
func startChild(t *testing.T, exe, dir string, conns int) (*bench.Process, *bench.HubClient) {
	t.Helper()
	cfg := filepath.Join(filepath.Dir(dir), "no-pow.toml")
	if err := os.WriteFile(cfg, []byte("pow_max_bits = 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-config", cfg, "-listen", "127.0.0.1:0", "-data", dir)
	cmd.Env = append(os.Environ(), "DIFESA_TEST_SERVE=1", "DIFESA_CONFIG=", "DIFESA_LISTEN=", "DIFESA_DATA=")
	p, err := bench.StartProcess(cmd)
	if err != nil {
		t.Fatal(err)
	}
	hc, err := bench.NewHubClient(p.HubURL, conns)
	if err != nil {
		p.Kill()
		t.Fatal(err)
	}
	return p, hc
}

// TestCrashDurability kills difesad with SIGKILL while many uploads, some of
// several chunks, are in flight, and checks after each restart that every
// acknowledged submission is there and decrypts to what was sent, that
// nothing unacknowledged appears unless it was in flight and arrived whole,
// and, after a clean shutdown, that the database holds no orphan chunks.
func TestCrashDurability(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("needs SIGKILL and child processes")
	}
	maxCycles, minCycles, budget := 30, 5, 30*time.Second
	if testing.Short() {
		maxCycles, minCycles, budget = 4, 2, 8*time.Second
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	r := &crashRig{t: t, exe: exe, dir: filepath.Join(t.TempDir(), "data"), expected: map[string]sent{}, deleted: map[string]bool{}}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	var stats crashStats
	begin := time.Now()
	cycle := 0
	for ; cycle < maxCycles && (cycle < minCycles || time.Since(begin) < budget); cycle++ {
		p, hc := r.start()
		if r.identity == nil {
			r.identity = loadDemoIdentity(t, filepath.Join(r.dir, daemon.DemoIdentityFile))
		}
		recips, err := hc.Recipients(context.Background())
		if err != nil {
			p.Kill()
			t.Fatal(err)
		}
		acked, maybe := r.loadAndKill(p, hc, recips, rng, seed+uint64(cycle)<<32, &stats)
		stats.acked += len(acked)

		p, hc = r.start()
		r.checkAfterCrash(hc, acked, maybe, rng, &stats)
		if err := p.Stop(30 * time.Second); err != nil {
			t.Fatalf("cycle %d: %v", cycle, err)
		}
		r.checkDatabase(fmt.Sprintf("cycle %d", cycle))
		if t.Failed() {
			t.Fatalf("cycle %d failed (seed %d)", cycle, seed)
		}
	}

	// A last look at everything that should still be there.
	p, hc := r.start()
	defer p.Stop(30 * time.Second)
	r.login(hc)
	listed := r.list(hc)
	for id, s := range r.expected {
		if listed[id] != s.size {
			t.Errorf("%s: listed with size %d, want %d", id, listed[id], s.size)
			continue
		}
		if sum := r.download(hc, id, s.size); sum != s.sum {
			t.Errorf("%s: decrypts to something else than was sent", id)
		}
	}
	if len(listed) != len(r.expected) {
		t.Errorf("%d submissions listed at the end, want %d", len(listed), len(r.expected))
	}
	t.Logf("%d cycles in %v: %d uploads acknowledged, %d in flight at a kill of which %d had committed, "+
		"%d kills with a multi-chunk upload mid-stream, %d deleted, %d kept",
		cycle, time.Since(begin).Round(time.Millisecond), stats.acked, stats.inFlight, stats.maybeCommitted,
		stats.bigMidStream, len(r.deleted), len(r.expected))
}

type crashStats struct {
	acked, inFlight, maybeCommitted, bigMidStream int
}

// loadAndKill uploads from several goroutines and kills the server at a
// random moment, often while a multi-chunk upload is mid-stream. It returns
// the acknowledged uploads by id and those whose fate is unknown.
func (r *crashRig) loadAndKill(p *bench.Process, hc *bench.HubClient, recips []age.Recipient, rng *rand.Rand, seed uint64, stats *crashStats) (map[string]sent, []sent) {
	const workers = 8
	var (
		mu       sync.Mutex
		acked    = map[string]sent{}
		inflight = map[uint64]sent{}
		next     atomic.Uint64
		midBig   atomic.Int32 // multi-chunk uploads that have sent over a chunk
		wg       sync.WaitGroup
		failure  error
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for w := range workers {
		wg.Go(func() {
			wrng := rand.New(rand.NewPCG(seed, uint64(w)))
			for ctx.Err() == nil {
				n := next.Add(1)
				size := 1 + wrng.IntN(4096)
				big := wrng.IntN(6) == 0
				if big {
					size = 1<<20 + wrng.IntN(3<<20)
				}
				body, s, err := encryptFor(recips, seed<<8+n, int64(size))
				if err != nil {
					mu.Lock()
					failure = err
					mu.Unlock()
					return
				}
				mu.Lock()
				inflight[n] = s
				mu.Unlock()
				var src io.Reader = bytes.NewReader(body)
				if big {
					src = &midStreamReader{r: src, mark: store.ChunkSize + store.ChunkSize/2, counter: &midBig}
				}
				created, err := hc.Submit(ctx, src, int64(len(body)))
				if mr, ok := src.(*midStreamReader); ok {
					mr.finish()
				}
				if se := (*bench.StatusError)(nil); errors.As(err, &se) {
					// The server answered, so it was running: nothing
					// here should be refused.
					mu.Lock()
					failure = fmt.Errorf("upload refused before the kill: %w", err)
					mu.Unlock()
					continue
				}
				if err != nil {
					continue // in flight at the kill: fate unknown
				}
				mu.Lock()
				delete(inflight, n)
				if created.Size != s.size {
					failure = fmt.Errorf("%s: acknowledged with size %d, sent %d", created.ID, created.Size, s.size)
				}
				acked[created.ID] = s
				mu.Unlock()
			}
		})
	}

	time.Sleep(time.Duration(20+rng.IntN(400)) * time.Millisecond)
	if rng.IntN(10) < 7 { // prefer a moment with a multi-chunk upload half done
		for deadline := time.Now().Add(2 * time.Second); midBig.Load() == 0 && time.Now().Before(deadline); {
			time.Sleep(2 * time.Millisecond)
		}
	}
	if midBig.Load() > 0 {
		stats.bigMidStream++
	}
	p.Kill()
	cancel()
	wg.Wait()
	if failure != nil {
		r.t.Fatal(failure)
	}
	var maybe []sent
	for _, s := range inflight {
		maybe = append(maybe, s)
	}
	stats.inFlight += len(maybe)
	return acked, maybe
}

// midStreamReader counts, in counter, uploads that have sent more than mark
// bytes and not yet finished.
type midStreamReader struct {
	r       io.Reader
	n, mark int
	counter *atomic.Int32
	in      bool
	mu      sync.Mutex
}

func (m *midStreamReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.n += n
	if m.n > m.mark && !m.in && err == nil {
		m.in = true
		m.counter.Add(1)
	}
	return n, err
}

func (m *midStreamReader) finish() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.in {
		m.in = false
		m.counter.Add(-1)
	}
	m.mark = 1 << 62
}

// encryptFor encrypts size pseudo-random bytes (determined by seed).
func encryptFor(recips []age.Recipient, seed uint64, size int64) ([]byte, sent, error) {
	var buf bytes.Buffer
	h := sha256.New()
	w, err := age.Encrypt(&buf, recips...)
	if err != nil {
		return nil, sent{}, err
	}
	if _, err := io.Copy(w, io.TeeReader(bench.Plaintext(seed, size), h)); err != nil {
		return nil, sent{}, err
	}
	if err := w.Close(); err != nil {
		return nil, sent{}, err
	}
	s := sent{size: int64(buf.Len())}
	h.Sum(s.sum[:0])
	return buf.Bytes(), s, nil
}

func loadDemoIdentity(t *testing.T, path string) *age.HybridIdentity {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(strings.NewReader(string(b)))
	if err != nil || len(ids) != 1 {
		t.Fatalf("demo identity: %v", err)
	}
	id, ok := ids[0].(*age.HybridIdentity)
	if !ok {
		t.Fatal("demo identity is not post-quantum")
	}
	return id
}

func (r *crashRig) login(hc *bench.HubClient) {
	r.t.Helper()
	if err := hc.Login(context.Background(), r.identity, r.identity.Recipient().String()); err != nil {
		r.t.Fatal(err)
	}
}

// list returns the hub's submissions' sizes by id.
func (r *crashRig) list(hc *bench.HubClient) map[string]int64 {
	r.t.Helper()
	subs, err := hc.List(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]int64{}
	for _, s := range subs {
		if _, dup := out[s.ID]; dup {
			r.t.Errorf("%s listed twice", s.ID)
		}
		out[s.ID] = s.Size
	}
	return out
}

// download returns the SHA-256 of a submission's decrypted content.
func (r *crashRig) download(hc *bench.HubClient, id string, size int64) [32]byte {
	r.t.Helper()
	var sum [32]byte
	body, n, err := hc.Download(context.Background(), id)
	if err != nil {
		r.t.Errorf("%s: %v", id, err)
		return sum
	}
	defer body.Close()
	if n != size {
		r.t.Errorf("%s: download of %d bytes, want %d", id, n, size)
	}
	pr, err := age.Decrypt(body, r.identity)
	if err != nil {
		r.t.Errorf("%s: %v", id, err)
		return sum
	}
	h := sha256.New()
	if _, err := io.Copy(h, pr); err != nil {
		r.t.Errorf("%s: %v", id, err)
		return sum
	}
	h.Sum(sum[:0])
	return sum
}

// checkAfterCrash compares what the restarted server lists with what was
// acknowledged and in flight, downloads the new submissions, then deletes
// some of them so that later cycles reuse freed pages.
func (r *crashRig) checkAfterCrash(hc *bench.HubClient, acked map[string]sent, maybe []sent, rng *rand.Rand, stats *crashStats) {
	t := r.t
	t.Helper()
	r.login(hc)
	listed := r.list(hc)
	for id, s := range r.expected {
		if listed[id] != s.size {
			t.Errorf("%s, committed in an earlier cycle, is listed with size %d, want %d", id, listed[id], s.size)
		}
	}
	fresh := map[string]sent{}
	for id, s := range acked {
		if listed[id] != s.size {
			t.Errorf("acknowledged %s is listed with size %d, want %d", id, listed[id], s.size)
			continue
		}
		fresh[id] = s
	}
	unclaimed := append([]sent(nil), maybe...)
	for id, size := range listed {
		if _, ok := r.expected[id]; ok {
			continue
		}
		if _, ok := acked[id]; ok {
			continue
		}
		if r.deleted[id] {
			t.Errorf("deleted %s is listed again", id)
			continue
		}
		// Not acknowledged: it must be an upload that was in flight at the
		// kill and committed before it.
		sum := r.download(hc, id, size)
		i := 0
		for i < len(unclaimed) && (unclaimed[i].sum != sum || unclaimed[i].size != size) {
			i++
		}
		if i == len(unclaimed) {
			t.Errorf("%s (%d bytes) is listed but was never acknowledged nor in flight", id, size)
			continue
		}
		unclaimed = append(unclaimed[:i], unclaimed[i+1:]...)
		stats.maybeCommitted++
		r.expected[id] = sent{sum: sum, size: size}
	}
	for id, s := range fresh {
		if sum := r.download(hc, id, s.size); sum != s.sum {
			t.Errorf("acknowledged %s decrypts to something else than was sent", id)
			continue
		}
		r.expected[id] = s
	}
	for id := range fresh {
		if rng.IntN(2) == 0 {
			if err := hc.Delete(context.Background(), id); err != nil {
				t.Errorf("deleting %s: %v", id, err)
				continue
			}
			delete(r.expected, id)
			r.deleted[id] = true
		}
	}
}

// checkDatabase reads the stopped server's bbolt file: nothing pending,
// every chunk belongs to an expected submission, every expected submission
// has all its chunks; then it asks [store.Store.Verify] the same.
func (r *crashRig) checkDatabase(when string) {
	t := r.t
	t.Helper()
	path := filepath.Join(r.dir, daemon.DatabaseFile)
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	type tally struct {
		next uint32
		size int64
	}
	byKey := map[store.ID]string{}
	for id := range r.expected {
		sid, err := store.ParseID(id)
		if err != nil {
			t.Fatal(err)
		}
		byKey[sid] = id
	}
	seen := map[store.ID]*tally{}
	err = db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket([]byte("pending")).Stats().KeyN; n != 0 {
			t.Errorf("%s: %d uploads pending after a clean shutdown", when, n)
		}
		// Which blob of chunks belongs to which expected submission.
		blobOwner := map[store.ID]store.ID{}
		demo := tx.Bucket([]byte("submissions")).Bucket([]byte("demo"))
		if demo != nil {
			demo.ForEach(func(k, v []byte) error {
				var rec struct {
					Blob string `json:"blob"`
				}
				var id store.ID
				copy(id[:], k)
				if _, ok := byKey[id]; !ok {
					return nil
				}
				var blob store.ID
				err := json.Unmarshal(v, &rec)
				if err == nil {
					blob, err = store.ParseID(rec.Blob)
				}
				if err != nil {
					t.Errorf("%s: submission %s has no blob: %s", when, id, v)
					return nil
				}
				blobOwner[blob] = id
				return nil
			})
		}
		chunks := tx.Bucket([]byte("chunks"))
		return chunks.ForEach(func(k, v []byte) error {
			if len(k) != store.IDSize+4 || v != nil {
				t.Errorf("%s: malformed chunk key %x", when, k)
				return nil
			}
			var blob store.ID
			copy(blob[:], k)
			id, ok := blobOwner[blob]
			if !ok {
				t.Errorf("%s: orphan chunk %x", when, k)
				return nil
			}
			tl := seen[id]
			if tl == nil {
				tl = &tally{}
				seen[id] = tl
			}
			if seq := binary.BigEndian.Uint32(k[store.IDSize:]); seq != tl.next {
				t.Errorf("%s: %s has chunk %d where %d was due", when, id, seq, tl.next)
			}
			tl.next++
			tl.size += int64(len(chunks.Bucket(k).Get([]byte("c"))))
			return nil
		})
	})
	db.Close()
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	for sid, id := range byKey {
		if tl := seen[sid]; tl == nil || tl.size != r.expected[id].size {
			t.Errorf("%s: chunks of %s do not add up to its %d bytes", when, id, r.expected[id].size)
		}
	}

	st, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Errorf("%s: %v", when, err)
	}
}
