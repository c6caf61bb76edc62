package daemon_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"difesa.org/difesa/internal/bench"
	"difesa.org/difesa/internal/config"
	"difesa.org/difesa/internal/daemon"
	"difesa.org/difesa/internal/store"
)

// TestHotBackupUnderWriteLoad takes a backup through the admin listener
// while clients keep uploading, restores it into a fresh folder, and opens
// every submission in it: all that were acknowledged before the backup
// began are there, and everything there (some that arrived during the
// backup, too) decrypts to what was sent.
func TestHotBackupUnderWriteLoad(t *testing.T) {
	dir, err := os.MkdirTemp("", "difesa") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	inst := startWithAdmin(t, "unix:"+filepath.Join(dir, "admin.sock"), func(c *config.Config) {
		c.PoWMaxBits = 0 // the writers are the point, not a load to push back on
	})
	ident := loadDemoIdentity(t, inst.DemoIdentity)
	hc, err := bench.NewHubClient(inst.URL+"/hubs/"+daemon.DemoHubID, 8)
	if err != nil {
		t.Fatal(err)
	}
	recips, err := hc.Recipients(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	var (
		mu      sync.Mutex
		sums    = map[string][32]byte{} // every acknowledged upload
		before  = map[string]bool{}     // acknowledged before the backup began
		started atomic.Bool
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		failed  atomic.Int64
	)
	upload := func(n int) {
		plain := make([]byte, n)
		rand.Read(plain)
		var ct bytes.Buffer
		w, _ := age.Encrypt(&ct, recips...)
		w.Write(plain)
		w.Close()
		created, err := hc.Submit(context.Background(), &ct, int64(ct.Len()))
		if err != nil {
			failed.Add(1)
			return
		}
		// Acknowledged before the flag was set means acknowledged
		// before the backup began.
		early := !started.Load()
		mu.Lock()
		defer mu.Unlock()
		sums[created.ID] = sha256.Sum256(plain)
		if early {
			before[created.ID] = true
		}
	}
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; ; j++ {
				select {
				case <-stop:
					return
				default:
				}
				size := 200 + j%7*1000
				if i == 0 && j%5 == 0 {
					size = 3 << 20 // several chunks
				}
				upload(size)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	started.Store(true)
	backup := filepath.Join(t.TempDir(), "hot.db")
	var out, errb bytes.Buffer
	code := daemon.Main([]string{"backup", "-admin", inst.AdminAddr, "-o", backup}, &out, &errb, func(string) string { return "" })
	time.Sleep(200 * time.Millisecond) // keep writing a little after it
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("hot backup under load: %s%s", out.String(), errb.String())
	}
	if failed.Load() > 0 {
		t.Fatalf("%d uploads failed during the backup", failed.Load())
	}

	restored := filepath.Join(t.TempDir(), "restored")
	out.Reset()
	errb.Reset()
	if code := daemon.Main([]string{"restore", "-i", backup, "-data", restored}, &out, &errb, func(string) string { return "" }); code != 0 {
		t.Fatalf("restore: %s%s", out.String(), errb.String())
	}
	st, err := store.Open(filepath.Join(restored, daemon.DatabaseFile), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Verify(); err != nil {
		t.Fatalf("restored backup: %v", err)
	}
	subs, err := st.Submissions(daemon.DemoHubID)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]bool{}
	for _, sub := range subs {
		id := sub.ID.String()
		in[id] = true
		want, ok := sums[id]
		if !ok {
			t.Errorf("the backup holds %s, which was never acknowledged", id)
			continue
		}
		_, r, err := st.OpenSubmission(daemon.DemoHubID, sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := age.Decrypt(r, ident)
		if err != nil {
			t.Fatalf("%s does not decrypt: %v", id, err)
		}
		h := sha256.New()
		if _, err := io.Copy(h, plain); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if !bytes.Equal(h.Sum(nil), want[:]) {
			t.Errorf("%s decrypts to other bytes", id)
		}
	}
	for id := range before {
		if !in[id] {
			t.Errorf("%s was acknowledged before the backup began but is not in it", id)
		}
	}
	t.Logf("%d uploads acknowledged, %d before the backup; the backup holds %d, all decrypt", len(sums), len(before), len(subs))
	if len(before) == 0 || len(sums) == len(before) {
		t.Fatalf("no writes on one side of the backup (%d before, %d in all): the test proves nothing", len(before), len(sums))
	}
}
